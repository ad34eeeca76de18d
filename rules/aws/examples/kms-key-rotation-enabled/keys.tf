resource "aws_kms_key" "fail_default_no_rotation" {
  description = "model artefacts"
}

resource "aws_kms_key" "fail_rotation_disabled" {
  description         = "training data"
  enable_key_rotation = false
}

resource "aws_kms_key" "pass_rotation" {
  description         = "endpoint volumes"
  enable_key_rotation = true
}

resource "aws_kms_key" "pass_asymmetric_signing" {
  description              = "model signing"
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
}
