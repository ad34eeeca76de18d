resource "aws_s3_bucket" "fail_no_block" {
  bucket = "fail-no-block-example"
}

resource "aws_s3_bucket" "fail_policy_not_blocked" {
  bucket = "fail-policy-not-blocked-example"
}

resource "aws_s3_bucket_public_access_block" "fail_policy_not_blocked" {
  bucket                  = aws_s3_bucket.fail_policy_not_blocked.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "pass_all_blocked" {
  bucket = "pass-all-blocked-example"
}

resource "aws_s3_bucket_public_access_block" "pass_all_blocked" {
  bucket                  = aws_s3_bucket.pass_all_blocked.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
