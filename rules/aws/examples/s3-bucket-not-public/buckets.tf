resource "aws_s3_bucket" "fail_public_read_acl" {
  bucket = "fail-public-read-acl-example"
}

resource "aws_s3_bucket_acl" "fail_public_read_acl" {
  bucket = aws_s3_bucket.fail_public_read_acl.id
  acl    = "public-read"
}

resource "aws_s3_bucket" "fail_public_policy" {
  bucket = "fail-public-policy-example"
}

resource "aws_s3_bucket_policy" "fail_public_policy" {
  bucket = aws_s3_bucket.fail_public_policy.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::fail-public-policy-example/*" }]
  })
}

resource "aws_s3_bucket" "pass_private" {
  bucket = "pass-private-example"
}

resource "aws_s3_bucket" "pass_policy_in_org" {
  bucket = "pass-policy-in-org-example"
}

resource "aws_s3_bucket_policy" "pass_policy_in_org" {
  bucket = aws_s3_bucket.pass_policy_in_org.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::pass-policy-in-org-example/*", Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } } }]
  })
}
