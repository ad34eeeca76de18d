resource "aws_iam_role" "admin" {
  name               = "sagemaker-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "wildcard" {
  name               = "sagemaker-wildcard"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "wildcard" {
  name = "everything"
  role = aws_iam_role.wildcard.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "scoped" {
  name               = "sagemaker-scoped"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "scoped" {
  name = "read-data"
  role = aws_iam_role.scoped.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::training-data/*" }]
  })
}

resource "aws_sagemaker_notebook_instance" "fail_admin_notebook" {
  name          = "fail-admin-notebook"
  role_arn      = aws_iam_role.admin.arn
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_model" "fail_wildcard_model" {
  name               = "fail-wildcard-model"
  execution_role_arn = aws_iam_role.wildcard.arn
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}

resource "aws_sagemaker_notebook_instance" "pass_scoped_notebook" {
  name          = "pass-scoped-notebook"
  role_arn      = aws_iam_role.scoped.arn
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_model" "pass_role_outside_scan" {
  name               = "pass-role-outside-scan"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}
