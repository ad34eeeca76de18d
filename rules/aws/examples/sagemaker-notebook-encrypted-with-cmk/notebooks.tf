resource "aws_kms_key" "notebook" {
  description = "notebook volumes"
}

resource "aws_sagemaker_notebook_instance" "fail_no_key" {
  name          = "fail-no-key"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_notebook_instance" "pass_cmk" {
  name          = "pass-cmk"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.notebook.arn
}

resource "aws_sagemaker_notebook_instance" "pass_cmk_literal" {
  name          = "pass-cmk-literal"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  kms_key_id    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
