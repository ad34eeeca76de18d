variable "scan_on_push" {
  type = bool
}

resource "aws_ecr_repository" "fail_no_scan" {
  name = "fail-no-scan"
}

resource "aws_ecr_repository" "fail_scan_disabled" {
  name = "fail-scan-disabled"
  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_ecr_repository" "pass_scan_on_push" {
  name = "pass-scan-on-push"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_repository" "unknown_scan_from_variable" {
  name = "unknown-scan-from-variable"
  image_scanning_configuration {
    scan_on_push = var.scan_on_push
  }
}
