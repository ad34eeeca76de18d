resource "aws_sagemaker_model" "fail_key_in_env" {
  name               = "fail-key-in-env"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
    environment = {
      AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
    }
  }
}

resource "aws_sagemaker_model" "pass_plain_env" {
  name               = "pass-plain-env"
  execution_role_arn = "arn:aws:iam::123456789012:role/nb"
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
    environment = {
      SAGEMAKER_PROGRAM = "inference.py"
      HF_TOKEN_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf"
    }
  }
}
