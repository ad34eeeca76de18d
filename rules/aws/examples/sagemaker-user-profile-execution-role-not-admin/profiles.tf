variable "role_arn" {
  type = string
}

resource "aws_iam_role" "admin" {
  name               = "studio-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "scoped" {
  name               = "studio-scoped"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
  inline_policy {
    name = "read-data"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::ml-data/*" }]
    })
  }
}

resource "aws_sagemaker_domain" "studio" {
  domain_name             = "studio"
  auth_mode               = "IAM"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  app_network_access_type = "VpcOnly"
  default_user_settings {
    execution_role = aws_iam_role.scoped.arn
  }
}

resource "aws_sagemaker_user_profile" "fail_admin_role" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "fail-admin-role"
  user_settings {
    execution_role = aws_iam_role.admin.arn
  }
}

resource "aws_sagemaker_user_profile" "pass_scoped_role" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "pass-scoped-role"
  user_settings {
    execution_role = aws_iam_role.scoped.arn
  }
}

resource "aws_sagemaker_user_profile" "pass_domain_default_role" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "pass-domain-default-role"
}

resource "aws_sagemaker_user_profile" "unknown_role_variable" {
  domain_id         = aws_sagemaker_domain.studio.id
  user_profile_name = "unknown-role-variable"
  user_settings {
    execution_role = var.role_arn
  }
}
