variable "key" {
  type = string
}

resource "aws_lambda_function" "fail_env_without_key" {
  function_name = "fail-env-without-key"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      MODEL_NAME = "resnet50"
    }
  }
}

resource "aws_lambda_function" "pass_env_with_key" {
  function_name = "pass-env-with-key"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      MODEL_NAME = "resnet50"
    }
  }
  kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

resource "aws_lambda_function" "pass_no_env" {
  function_name = "pass-no-env"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "unknown_key_from_variable" {
  function_name = "unknown-key-from-variable"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      MODEL_NAME = "resnet50"
    }
  }
  kms_key_arn   = var.key
}
