variable "count_main" {
  type = number
}

resource "aws_sagemaker_endpoint_configuration" "fail_single" {
  name = "fail-single"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.g5.xlarge"
  }
}

resource "aws_sagemaker_endpoint_configuration" "pass_two" {
  name = "pass-two"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 2
    instance_type          = "ml.g5.xlarge"
  }
}

resource "aws_sagemaker_endpoint_configuration" "pass_serverless" {
  name = "pass-serverless"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    serverless_config {
      max_concurrency   = 5
      memory_size_in_mb = 2048
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "unknown_count" {
  name = "unknown-count"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = var.count_main
    instance_type          = "ml.g5.xlarge"
  }
}

