resource "aws_iam_policy" "fail_passrole_on_star" {
  name = "fail-passrole-on-star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_policy" "fail_iam_star_on_star" {
  name = "fail-iam-star-on-star"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "fail_passrole_on_every_role" {
  name = "fail-passrole-on-every-role"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/*" }]
  })
}

resource "aws_iam_policy" "pass_passrole_one_role" {
  name = "pass-passrole-one-role"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/sagemaker-training" }]
  })
}

resource "aws_iam_policy" "pass_no_passrole" {
  name = "pass-no-passrole"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sagemaker:CreateTrainingJob"], Resource = "*" }]
  })
}

resource "aws_iam_role" "fail_role_inline_passrole" {
  name               = "fail-role-inline-passrole"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "fail_role_inline_passrole" {
  name = "inline"
  role = aws_iam_role.fail_role_inline_passrole.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
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
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/sagemaker-training" }]
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
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
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
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}
