variable "env" {
  type = map(string)
}

resource "aws_lambda_function" "fail_key_in_env" {
  function_name = "fail-key-in-env"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
    }
  }
}

resource "aws_lambda_function" "fail_db_password_in_env" {
  function_name = "fail-db-password-in-env"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      DATABASE_URL = "postgresql://app:Wq9zT4vLx2@db.internal:5432/features"
    }
  }
}

resource "aws_lambda_function" "pass_plain_env" {
  function_name = "pass-plain-env"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      MODEL_NAME = "resnet50"
      TOKEN_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf"
    }
  }
}

resource "aws_lambda_function" "pass_no_env" {
  function_name = "pass-no-env"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "unknown_env_from_variable" {
  function_name = "unknown-env-from-variable"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = var.env
  }
}
