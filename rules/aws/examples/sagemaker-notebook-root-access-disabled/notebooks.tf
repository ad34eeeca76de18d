variable "root_access" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "fail_root_default" {
  name          = "fail-root-default"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_notebook_instance" "fail_root_enabled" {
  name          = "fail-root-enabled"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  root_access   = "Enabled"
}

resource "aws_sagemaker_notebook_instance" "pass_root_disabled" {
  name          = "pass-root-disabled"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  root_access   = "Disabled"
}

resource "aws_sagemaker_notebook_instance" "unknown_root_from_variable" {
  name          = "unknown-root-from-variable"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  root_access   = var.root_access
}
