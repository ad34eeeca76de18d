resource "aws_lambda_function" "inference" {
  function_name = "inference"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_permission" "fail_any_principal" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.inference.function_name
  principal     = "*"
}

resource "aws_lambda_permission" "pass_any_principal_in_org" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.inference.function_name
  principal        = "*"
  principal_org_id = "o-a1b2c3d4e5"
}

resource "aws_lambda_permission" "pass_s3_with_source" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.inference.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = "arn:aws:s3:::uploads"
  source_account = "123456789012"
}

resource "aws_lambda_permission" "pass_one_account" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.inference.function_name
  principal     = "111122223333"
}
