resource "aws_lambda_function" "fail_unreserved" {
  function_name = "fail-unreserved"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"

}

resource "aws_lambda_function" "pass_reserved" {
  function_name = "pass-reserved"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  reserved_concurrent_executions = 20
}

