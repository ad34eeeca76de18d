resource "aws_sagemaker_endpoint_configuration" "fail_no_capture" {
  name = "fail-no-capture"
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint_configuration" "fail_capture_disabled" {
  name = "fail-capture-disabled"
  data_capture_config {
    enable_capture              = false
    initial_sampling_percentage = 100
    destination_s3_uri          = "s3://capture-bucket/endpoint"
    capture_options {
      capture_mode = "Input"
    }
    capture_options {
      capture_mode = "Output"
    }
  }
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint_configuration" "pass_capture" {
  name = "pass-capture"
  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 100
    destination_s3_uri          = "s3://capture-bucket/endpoint"
    capture_options {
      capture_mode = "Input"
    }
    capture_options {
      capture_mode = "Output"
    }
  }
  production_variants {
    variant_name           = "main"
    model_name             = "my-model"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
