variable "min_instances" {
  type = number
}

resource "aws_sagemaker_model" "llm" {
  name               = "llm"
  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker-inference"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1-tgi1.4-gpu-py310-cu121-ubuntu22.04"
  }
}

resource "aws_sagemaker_endpoint_configuration" "gpu" {
  name = "llm-gpu"
  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.llm.name
    instance_type          = "ml.g5.xlarge"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint_configuration" "cpu" {
  name = "llm-cpu"
  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.llm.name
    instance_type          = "ml.m5.large"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint_configuration" "serverless" {
  name = "llm-serverless"
  production_variants {
    variant_name = "AllTraffic"
    model_name   = aws_sagemaker_model.llm.name
    serverless_config {
      max_concurrency   = 5
      memory_size_in_mb = 4096
    }
  }
}

# GPU capacity fixed at one instance, day and night.
resource "aws_sagemaker_endpoint" "fail_gpu_no_autoscaling" {
  name                 = "fail-gpu-no-autoscaling"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.gpu.name
}

# A scalable target that cannot scale: min = max.
resource "aws_sagemaker_endpoint" "fail_gpu_pinned" {
  name                 = "fail-gpu-pinned"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.gpu.name
}

resource "aws_appautoscaling_target" "fail_gpu_pinned" {
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = "endpoint/fail-gpu-pinned/variant/AllTraffic"
  min_capacity       = 2
  max_capacity       = 2
}

resource "aws_sagemaker_endpoint" "pass_gpu_autoscaled" {
  name                 = "pass-gpu-autoscaled"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.gpu.name
}

resource "aws_appautoscaling_target" "pass_gpu_autoscaled" {
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.pass_gpu_autoscaled.name}/variant/AllTraffic"
  min_capacity       = 1
  max_capacity       = 4
}

resource "aws_sagemaker_endpoint" "pass_cpu_fixed" {
  name                 = "pass-cpu-fixed"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.cpu.name
}

resource "aws_sagemaker_endpoint" "pass_serverless" {
  name                 = "pass-serverless"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.serverless.name
}

# The minimum comes from a variable with no default.
resource "aws_sagemaker_endpoint" "unknown_gpu_min_from_variable" {
  name                 = "unknown-gpu-min-from-variable"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.gpu.name
}

resource "aws_appautoscaling_target" "unknown_gpu_min_from_variable" {
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.unknown_gpu_min_from_variable.name}/variant/AllTraffic"
  min_capacity       = var.min_instances
  max_capacity       = 4
}
