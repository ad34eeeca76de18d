resource "aws_sagemaker_domain" "fail_no_key" {
  domain_name = "fail-no-key"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "pass_cmk" {
  domain_name = "pass-cmk"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  kms_key_id  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}
