variable "retention_days" {
  type = number
}

resource "aws_cloudwatch_log_group" "fail_never_expires" {
  name = "/aws/lambda/fail-never-expires"
}

resource "aws_cloudwatch_log_group" "pass_one_year" {
  name              = "/aws/sagemaker/Endpoints/pass-one-year"
  retention_in_days = 365
}

resource "aws_cloudwatch_log_group" "unknown_retention_from_variable" {
  name              = "/aws/lambda/unknown"
  retention_in_days = var.retention_days
}
