variable "subnet" {
  type = string
}

resource "aws_sagemaker_notebook_instance" "fail_no_subnet" {
  name          = "fail-no-subnet"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_notebook_instance" "pass_in_subnet" {
  name          = "pass-in-subnet"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  subnet_id       = "subnet-0123456789abcdef0"
  security_groups = ["sg-0123456789abcdef0"]
}

resource "aws_sagemaker_notebook_instance" "unknown_subnet_from_variable" {
  name          = "unknown-subnet-from-variable"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  subnet_id       = var.subnet
  security_groups = ["sg-0123456789abcdef0"]
}
