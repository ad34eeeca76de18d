variable "admin_cidr" {
  type = string
}

# Inline ingress open on Jupyter's port, in front of a notebook.
resource "aws_security_group" "fail_open_notebook" {
  name   = "fail-open-notebook"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {
    from_port   = 8888
    to_port     = 8888
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_notebook_instance" "notebook" {
  name            = "research"
  role_arn        = "arn:aws:iam::123456789012:role/notebook"
  instance_type   = "ml.t3.medium"
  subnet_id       = "subnet-0123456789abcdef0"
  security_groups = [aws_security_group.fail_open_notebook.id]
}

# A standalone rule opens the group a function uses to IPv6 anywhere.
resource "aws_security_group" "fail_open_function" {
  name   = "fail-open-function"
  vpc_id = "vpc-0123456789abcdef0"
}

resource "aws_security_group_rule" "function_https" {
  type              = "ingress"
  security_group_id = aws_security_group.fail_open_function.id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
}

resource "aws_lambda_function" "fn" {
  function_name = "preprocess"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  vpc_config {
    subnet_ids         = ["subnet-0123456789abcdef0"]
    security_group_ids = [aws_security_group.fail_open_function.id]
  }
}

# A VPC ingress rule resource opens every protocol of the group a model uses.
resource "aws_security_group" "fail_open_model" {
  name   = "fail-open-model"
  vpc_id = "vpc-0123456789abcdef0"
}

resource "aws_vpc_security_group_ingress_rule" "model_all" {
  security_group_id = aws_security_group.fail_open_model.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_sagemaker_model" "model" {
  name               = "classifier"
  execution_role_arn = "arn:aws:iam::123456789012:role/model"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/classifier:1"
  }
  vpc_config {
    subnets            = ["subnet-0123456789abcdef0"]
    security_group_ids = [aws_security_group.fail_open_model.id]
  }
}

# Only the VPC may reach the model server.
resource "aws_security_group" "pass_vpc_only" {
  name   = "pass-vpc-only"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_sagemaker_model" "private_model" {
  name               = "private-classifier"
  execution_role_arn = "arn:aws:iam::123456789012:role/model"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/classifier:1"
  }
  vpc_config {
    subnets            = ["subnet-0123456789abcdef0"]
    security_group_ids = [aws_security_group.pass_vpc_only.id]
  }
}

# Open, but no ML compute uses it (a public load balancer's group, say).
resource "aws_security_group" "pass_not_ml" {
  name   = "pass-not-ml"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The allowed CIDR comes from a variable with no default.
resource "aws_security_group" "unknown_admin_cidr" {
  name   = "unknown-admin-cidr"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {
    from_port   = 8888
    to_port     = 8888
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}

resource "aws_sagemaker_notebook_instance" "unknown_admin_notebook" {
  name            = "admin"
  role_arn        = "arn:aws:iam::123456789012:role/notebook"
  instance_type   = "ml.t3.medium"
  subnet_id       = "subnet-0123456789abcdef0"
  security_groups = [aws_security_group.unknown_admin_cidr.id]
}
