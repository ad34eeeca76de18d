resource "aws_lambda_function" "inference" {
  function_name = "inference"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function_url" "fail_cors_any_origin" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = "AWS_IAM"
  cors {
    allow_origins = ["*"]
    allow_methods = ["POST"]
  }
}

resource "aws_lambda_function_url" "pass_cors_one_origin" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = "AWS_IAM"
  cors {
    allow_origins = ["https://app.example.com"]
    allow_methods = ["POST"]
  }
}

resource "aws_lambda_function_url" "pass_no_cors" {
  function_name      = aws_lambda_function.inference.function_name
  authorization_type = "AWS_IAM"
}
