variable "team" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "pass_tagged" {
  name          = "pass-tagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = "recsys" }
}

resource "aws_sagemaker_notebook_instance" "fail_untagged" {
  name          = "fail-untagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { owner = "alice" }
}

# GPU-backed: the missing team tag is gpu-capacity-cost-attribution-tagged's finding.
resource "aws_sagemaker_notebook_instance" "pass_gpu_untagged" {
  name          = "pass-gpu-untagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
}

# The default policy requires no tag of a bucket.
resource "aws_s3_bucket" "pass_other_untagged" {
  bucket = "pass-other-untagged"
}

# The key is written; only its value is unknown: the tag is there.
resource "aws_sagemaker_notebook_instance" "pass_tag_value_from_variable" {
  name          = "pass-tag-value-from-variable"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = var.team }
}
