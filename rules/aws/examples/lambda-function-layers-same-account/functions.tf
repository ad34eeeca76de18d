variable "layer_arn" {
  type = string
}

resource "aws_lambda_function" "pass_own_account_layer" {
  function_name = "pass-own-account-layer"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  layers        = ["arn:aws:lambda:us-east-1:123456789012:layer:utils:3"]
}

resource "aws_lambda_function" "fail_other_account_layer" {
  function_name = "fail-other-account-layer"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  layers = [
    "arn:aws:lambda:us-east-1:123456789012:layer:utils:3",
    "arn:aws:lambda:us-east-1:999988887777:layer:helpers:1",
  ]
}

resource "aws_lambda_function" "pass_no_layers" {
  function_name = "pass-no-layers"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "unknown_layer_variable" {
  function_name = "unknown-layer-variable"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  layers        = [var.layer_arn]
}
