# Neither trail records Lambda invocations, and S3 object writes are recorded by none.
resource "aws_cloudtrail" "fail_management_only" {
  name           = "fail-management-only"
  s3_bucket_name = "audit-logs-123456789012"
}

resource "aws_cloudtrail" "fail_s3_reads_only" {
  name           = "fail-s3-reads-only"
  s3_bucket_name = "audit-logs-123456789012"
  event_selector {
    read_write_type = "ReadOnly"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}
