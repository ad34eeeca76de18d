variable "auth" {
  type = string
}

resource "aws_lambda_function" "inference" {
  function_name = "inference"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function_url" "fail_auth_none" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_function_url" "pass_auth_iam" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = "AWS_IAM"
}

resource "aws_lambda_function_url" "unknown_auth_from_variable" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = var.auth
}
