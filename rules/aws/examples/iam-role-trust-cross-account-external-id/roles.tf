variable "trust_policy" {
  type = string
}

resource "aws_iam_role" "fail_vendor_account" {
  name = "fail-vendor-account"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::444455556666:root" } }]
  })
}

resource "aws_iam_role" "fail_bare_account_id" {
  name = "fail-bare-account-id"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = ["444455556666"] }, Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } } }]
  })
}

resource "aws_iam_role" "pass_external_id" {
  name = "pass-external-id"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::444455556666:root" }, Condition = { StringEquals = { "sts:ExternalId" = "a7f3c9e1-vendor" } } }]
  })
}

resource "aws_iam_role" "pass_same_org" {
  name = "pass-same-org"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::444455556666:role/pipeline" }, Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } } }]
  })
}

resource "aws_iam_role" "pass_service" {
  name = "pass-service"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "unknown_from_variable" {
  name               = "unknown-from-variable"
  assume_role_policy = var.trust_policy
}
