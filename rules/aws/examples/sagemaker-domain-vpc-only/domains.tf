resource "aws_sagemaker_domain" "fail_public_default" {
  domain_name = "fail-public-default"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "fail_public_internet" {
  domain_name = "fail-public-internet"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  app_network_access_type = "PublicInternetOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "pass_vpc_only" {
  domain_name = "pass-vpc-only"
  auth_mode   = "IAM"
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}
