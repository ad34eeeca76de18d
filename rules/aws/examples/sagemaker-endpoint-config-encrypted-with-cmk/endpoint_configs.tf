variable "key" {
  type = string
}

resource "aws_sagemaker_endpoint_configuration" "fail_no_key" {
  name = "fail-no-key"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint_configuration" "pass_cmk" {
  name = "pass-cmk"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint_configuration" "unknown_key_from_variable" {
  name = "unknown-key-from-variable"
  kms_key_arn = var.key
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
