resource "aws_sagemaker_model" "fail_no_vpc" {
  name               = "fail-no-vpc"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}

resource "aws_sagemaker_model" "pass_in_vpc" {
  name               = "pass-in-vpc"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  vpc_config {
    subnets            = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}
