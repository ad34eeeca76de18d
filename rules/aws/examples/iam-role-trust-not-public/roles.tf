variable "trust_policy" {
  type = string
}

resource "aws_iam_role" "fail_any_aws_principal" {
  name               = "fail-any-aws-principal"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

resource "aws_iam_role" "fail_star_principal" {
  name               = "fail-star-principal"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }]
  })
}

resource "aws_iam_role" "fail_star_with_unrelated_condition" {
  name               = "fail-star-with-unrelated-condition"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" }, Condition = { Bool = { "aws:SecureTransport" = "true" } } }]
  })
}

resource "aws_iam_role" "pass_star_in_org" {
  name               = "pass-star-in-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" }, Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } } }]
  })
}

resource "aws_iam_role" "pass_one_account" {
  name               = "pass-one-account"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::111122223333:root" } }]
  })
}

resource "aws_iam_role" "pass_service" {
  name               = "pass-service"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "unknown_trust_from_variable" {
  name               = "unknown-trust-from-variable"
  assume_role_policy = var.trust_policy
}
