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

resource "aws_iam_user" "fail_user_inline" {
  name = "fail-user-inline"
}

resource "aws_iam_user_policy" "fail_user_inline" {
  name = "inline"
  user = aws_iam_user.fail_user_inline.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_user" "pass_user_scoped" {
  name = "pass-user-scoped"
}

resource "aws_iam_user_policy" "pass_user_scoped" {
  name = "inline"
  user = aws_iam_user.pass_user_scoped.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sagemaker:DescribeEndpoint"], Resource = "*" }]
  })
}

resource "aws_iam_group" "fail_group_inline" {
  name = "fail-group-inline"
}

resource "aws_iam_group_policy" "fail_group_inline" {
  name  = "inline"
  group = aws_iam_group.fail_group_inline.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
