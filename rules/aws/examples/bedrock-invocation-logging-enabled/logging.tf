resource "aws_bedrock_model_invocation_logging_configuration" "pass_cloudwatch" {
  logging_config {
    text_data_delivery_enabled = true
    cloudwatch_config {
      log_group_name = "/bedrock/invocations"
      role_arn       = "arn:aws:iam::123456789012:role/bedrock-logging"
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "pass_s3_default_text" {
  logging_config {
    s3_config {
      bucket_name = "bedrock-invocation-logs"
      key_prefix  = "invocations"
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "fail_text_disabled" {
  logging_config {
    text_data_delivery_enabled = false
    s3_config {
      bucket_name = "bedrock-invocation-logs"
    }
  }
}

resource "aws_bedrock_model_invocation_logging_configuration" "fail_no_destination" {
  logging_config {
    text_data_delivery_enabled = true
  }
}
