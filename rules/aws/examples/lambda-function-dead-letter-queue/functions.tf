resource "aws_lambda_function" "fail_no_dlq" {
  function_name = "fail-no-dlq"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"

}

resource "aws_lambda_function" "pass_dlq" {
  function_name = "pass-dlq"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  dead_letter_config {
    target_arn = "arn:aws:sqs:us-east-1:123456789012:fn-dlq"
  }
}

