variable "image" {
  type = string
}

resource "aws_sagemaker_model" "fail_tag" {
  name               = "fail-tag"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1.4"
  }
}

resource "aws_sagemaker_model" "fail_latest" {
  name               = "fail-latest"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve"
  }
}

resource "aws_sagemaker_model" "pass_digest" {
  name               = "pass-digest"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
  }
}

resource "aws_sagemaker_model" "unknown_image" {
  name               = "unknown-image"
  execution_role_arn = "arn:aws:iam::123456789012:role/sm"
  primary_container {
    image = var.image
  }
}
