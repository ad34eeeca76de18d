resource "aws_kms_key" "images" {
  description         = "model images"
  enable_key_rotation = true
}

resource "aws_ecr_repository" "fail_default_aes256" {
  name = "fail-default-aes256"
}

resource "aws_ecr_repository" "fail_aws_managed_key" {
  name = "fail-aws-managed-key"
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_repository" "pass_cmk" {
  name = "pass-cmk"
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.images.arn
  }
}
