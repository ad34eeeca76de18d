variable "tags" {
  type = map(string)
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  access_key                  = "mock"
  secret_key                  = "mock"
}

# The team tag comes from the provider's default_tags (resource tags are merged over it).
provider "aws" {
  alias                       = "recsys"
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  access_key                  = "mock"
  secret_key                  = "mock"
  default_tags {
    tags = { team = "recsys" }
  }
}

resource "aws_sagemaker_notebook_instance" "pass_gpu_tagged" {
  name          = "pass-gpu-tagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = { team = "recsys", project = "ranking" }
}

resource "aws_sagemaker_notebook_instance" "pass_gpu_tagged_by_provider" {
  provider      = aws.recsys
  name          = "pass-gpu-tagged-by-provider"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.p3.2xlarge"
  tags          = { project = "ranking" }
}

resource "aws_sagemaker_notebook_instance" "fail_gpu_untagged" {
  name          = "fail-gpu-untagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = { project = "ranking" }
}

resource "aws_sagemaker_notebook_instance" "pass_cpu_untagged" {
  name          = "pass-cpu-untagged"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_endpoint_configuration" "fail_gpu_serving_untagged" {
  name = "fail-gpu-serving-untagged"
  production_variants {
    variant_name           = "primary"
    model_name             = "ranker"
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_notebook_instance" "unknown_gpu_tags_from_variable" {
  name          = "unknown-gpu-tags-from-variable"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = var.tags
}
