resource "aws_kms_key" "logs" {
  description         = "inference logs"
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "fail_no_key" {
  name              = "/aws/lambda/fail-no-key"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "pass_cmk" {
  name              = "/aws/lambda/pass-cmk"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.logs.arn
}
