resource "aws_iam_policy" "fail_star_on_star" {
  name = "fail-star-on-star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "fail_not_action_on_star" {
  name = "fail-not-action-on-star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", NotAction = ["iam:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "pass_scoped" {
  name = "pass-scoped"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::models/*" }]
  })
}

resource "aws_iam_policy" "pass_star_on_one_bucket" {
  name = "pass-star-on-one-bucket"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = ["arn:aws:s3:::models", "arn:aws:s3:::models/*"] }]
  })
}

resource "aws_iam_policy" "pass_deny_star" {
  name = "pass-deny-star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "fail_role_inline_admin" {
  name               = "fail-role-inline-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "fail_role_inline_admin" {
  name = "inline"
  role = aws_iam_role.fail_role_inline_admin.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "pass_role_inline_scoped" {
  name               = "pass-role-inline-scoped"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "pass_role_inline_scoped" {
  name = "inline"
  role = aws_iam_role.pass_role_inline_scoped.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sagemaker:InvokeEndpoint"], Resource = "*" }]
  })
}
