variable "studio_vpc_id" {
  type = string
}

resource "aws_vpc" "studio" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "bare" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc_endpoint" "studio_api" {
  vpc_id              = aws_vpc.studio.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
}

resource "aws_vpc_endpoint" "studio_runtime" {
  vpc_id              = aws_vpc.studio.id
  service_name        = "com.amazonaws.us-east-1.sagemaker.runtime"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
}

resource "aws_vpc_endpoint" "bare_s3" {
  vpc_id       = aws_vpc.bare.id
  service_name = "com.amazonaws.us-east-1.s3"
}

resource "aws_vpc_endpoint" "literal_api" {
  vpc_id            = "vpc-0123456789abcdef0"
  service_name      = "com.amazonaws.us-east-1.sagemaker.api"
  vpc_endpoint_type = "Interface"
}

resource "aws_sagemaker_domain" "pass_vpc_only_with_endpoints" {
  domain_name             = "pass-vpc-only-with-endpoints"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.studio.id
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "pass_public_internet" {
  domain_name = "pass-public-internet"
  auth_mode   = "IAM"
  vpc_id      = aws_vpc.bare.id
  subnet_ids  = ["subnet-0123456789abcdef0"]
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "fail_vpc_only_gateway_endpoint_only" {
  domain_name             = "fail-vpc-only-gateway-endpoint-only"
  auth_mode               = "IAM"
  vpc_id                  = aws_vpc.bare.id
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "fail_vpc_only_no_runtime_endpoint" {
  domain_name             = "fail-vpc-only-no-runtime-endpoint"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}

resource "aws_sagemaker_domain" "unknown_vpc_from_variable" {
  domain_name             = "unknown-vpc-from-variable"
  auth_mode               = "IAM"
  vpc_id                  = var.studio_vpc_id
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = "arn:aws:iam::123456789012:role/nb"
  }
}
