resource "aws_lambda_layer_version" "fail_public" {
  layer_name          = "fail-public"
  filename            = "layer.zip"
  compatible_runtimes = ["python3.12"]
}

resource "aws_lambda_layer_version_permission" "fail_public_everyone" {
  layer_name     = aws_lambda_layer_version.fail_public.layer_arn
  version_number = aws_lambda_layer_version.fail_public.version
  statement_id   = "everyone"
  action         = "lambda:GetLayerVersion"
  principal      = "*"
}

resource "aws_lambda_layer_version" "pass_organization" {
  layer_name          = "pass-organization"
  filename            = "layer.zip"
  compatible_runtimes = ["python3.12"]
}

resource "aws_lambda_layer_version_permission" "pass_organization_org" {
  layer_name      = aws_lambda_layer_version.pass_organization.layer_arn
  version_number  = aws_lambda_layer_version.pass_organization.version
  statement_id    = "org"
  action          = "lambda:GetLayerVersion"
  principal       = "*"
  organization_id = "o-a1b2c3d4e5"
}

resource "aws_lambda_layer_version" "pass_one_account" {
  layer_name          = "pass-one-account"
  filename            = "layer.zip"
  compatible_runtimes = ["python3.12"]
}

resource "aws_lambda_layer_version_permission" "pass_one_account_share" {
  layer_name     = aws_lambda_layer_version.pass_one_account.layer_arn
  version_number = aws_lambda_layer_version.pass_one_account.version
  statement_id   = "partner"
  action         = "lambda:GetLayerVersion"
  principal      = "111122223333"
}

resource "aws_lambda_layer_version" "pass_not_shared" {
  layer_name          = "pass-not-shared"
  filename            = "layer.zip"
  compatible_runtimes = ["python3.12"]
}
