# Classic event selectors for both data-event types.
resource "aws_cloudtrail" "pass_event_selectors" {
  name           = "pass-event-selectors"
  s3_bucket_name = "audit-logs-123456789012"
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3:::models-123456789012/", "arn:aws:s3:::datasets-123456789012/"]
    }
    data_resource {
      type   = "AWS::Lambda::Function"
      values = ["arn:aws:lambda"]
    }
  }
}

# Advanced event selectors.
resource "aws_cloudtrail" "pass_advanced_selectors" {
  name           = "pass-advanced-selectors"
  s3_bucket_name = "audit-logs-123456789012"
  advanced_event_selector {
    name = "S3 objects"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
  }
  advanced_event_selector {
    name = "Lambda invocations"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::Lambda::Function"]
    }
  }
}

# Management events only, but the trails above record the data events.
resource "aws_cloudtrail" "pass_management_beside_data_trails" {
  name                  = "pass-management-beside-data-trails"
  s3_bucket_name        = "audit-logs-123456789012"
  is_multi_region_trail = true
}
