resource "aws_cloudtrail" "fail_single_region" {
  name                       = "fail-single-region"
  s3_bucket_name             = "audit-logs-123456789012"
  enable_log_file_validation = true
}

resource "aws_cloudtrail" "fail_not_validated" {
  name                  = "fail-not-validated"
  s3_bucket_name        = "audit-logs-123456789012"
  is_multi_region_trail = true
}

resource "aws_cloudtrail" "pass_multi_region_validated" {
  name                       = "pass-multi-region-validated"
  s3_bucket_name             = "audit-logs-123456789012"
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
