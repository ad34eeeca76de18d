variable "team" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "pass_team_label_safe" {
  name          = "pass-team-label-safe"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = "ml-platform" }
}

resource "aws_sagemaker_notebook_instance" "fail_team_not_label_safe" {
  name          = "fail-team-not-label-safe"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = "ML Platform" }
}

resource "aws_s3_bucket" "pass_no_team" {
  bucket = "pass-no-team"
  tags   = { project = "ranking" }
}

resource "aws_sagemaker_notebook_instance" "unknown_team_from_variable" {
  name          = "unknown-team-from-variable"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = var.team }
}
