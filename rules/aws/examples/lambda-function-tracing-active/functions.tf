resource "aws_lambda_function" "fail_tracing_default" {
  function_name = "fail-tracing-default"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "fail_pass_through" {
  function_name = "fail-pass-through"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "pass_active" {
  function_name = "pass-active"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  tracing_config {
    mode = "Active"
  }
}
