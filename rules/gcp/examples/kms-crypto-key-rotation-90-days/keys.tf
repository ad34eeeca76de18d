variable "rotation" {
  type = string
}

resource "google_kms_key_ring" "ml" {
  name     = "ml"
  location = "us-central1"
}

resource "google_kms_crypto_key" "fail_never_rotated" {
  name     = "fail-never-rotated"
  key_ring = google_kms_key_ring.ml.id
}

resource "google_kms_crypto_key" "fail_yearly" {
  name            = "fail-yearly"
  key_ring        = google_kms_key_ring.ml.id
  rotation_period = "31536000s"
}

resource "google_kms_crypto_key" "pass_90_days" {
  name            = "pass-90-days"
  key_ring        = google_kms_key_ring.ml.id
  rotation_period = "7776000s"
}

resource "google_kms_crypto_key" "pass_asymmetric_signing" {
  name     = "pass-asymmetric-signing"
  key_ring = google_kms_key_ring.ml.id
  purpose  = "ASYMMETRIC_SIGN"
  version_template {
    algorithm = "EC_SIGN_P256_SHA256"
  }
}

resource "google_kms_crypto_key" "unknown_from_variable" {
  name            = "unknown-from-variable"
  key_ring        = google_kms_key_ring.ml.id
  rotation_period = var.rotation
}
