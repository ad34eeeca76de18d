resource "aws_ecr_repository" "fail_default_mutable" {
  name = "fail-default-mutable"
}

resource "aws_ecr_repository" "fail_mutable" {
  name                 = "fail-mutable"
  image_tag_mutability = "MUTABLE"
}

resource "aws_ecr_repository" "pass_immutable" {
  name                 = "pass-immutable"
  image_tag_mutability = "IMMUTABLE"
}
