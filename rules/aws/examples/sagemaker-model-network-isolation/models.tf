resource "aws_sagemaker_model" "fail_isolation_default" {
  name               = "fail-isolation-default"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}

resource "aws_sagemaker_model" "fail_isolation_off" {
  name               = "fail-isolation-off"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  enable_network_isolation = false
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}

resource "aws_sagemaker_model" "pass_isolated" {
  name               = "pass-isolated"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  enable_network_isolation = true
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
  }
}
