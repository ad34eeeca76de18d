variable "online_key" {
  type = string
}

resource "aws_sagemaker_feature_group" "pass_both_cmk" {
  feature_group_name             = "pass-both-cmk"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "event_time"
  role_arn                       = "arn:aws:iam::123456789012:role/features"
  feature_definition {
    feature_name = "customer_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  online_store_config {
    enable_online_store = true
    security_config {
      kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
  offline_store_config {
    s3_storage_config {
      s3_uri     = "s3://ml-features/offline"
      kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
}

resource "aws_sagemaker_feature_group" "pass_offline_only_cmk" {
  feature_group_name             = "pass-offline-only-cmk"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "event_time"
  role_arn                       = "arn:aws:iam::123456789012:role/features"
  feature_definition {
    feature_name = "customer_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  offline_store_config {
    s3_storage_config {
      s3_uri     = "s3://ml-features/offline"
      kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
}

resource "aws_sagemaker_feature_group" "fail_online_no_key" {
  feature_group_name             = "fail-online-no-key"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "event_time"
  role_arn                       = "arn:aws:iam::123456789012:role/features"
  feature_definition {
    feature_name = "customer_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  online_store_config {
    enable_online_store = true
  }
}

resource "aws_sagemaker_feature_group" "fail_offline_no_key" {
  feature_group_name             = "fail-offline-no-key"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "event_time"
  role_arn                       = "arn:aws:iam::123456789012:role/features"
  feature_definition {
    feature_name = "customer_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  offline_store_config {
    s3_storage_config {
      s3_uri = "s3://ml-features/offline"
    }
  }
}

resource "aws_sagemaker_feature_group" "unknown_online_key_variable" {
  feature_group_name             = "unknown-online-key-variable"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "event_time"
  role_arn                       = "arn:aws:iam::123456789012:role/features"
  feature_definition {
    feature_name = "customer_id"
    feature_type = "String"
  }
  feature_definition {
    feature_name = "event_time"
    feature_type = "String"
  }
  online_store_config {
    enable_online_store = true
    security_config {
      kms_key_id = var.online_key
    }
  }
}
