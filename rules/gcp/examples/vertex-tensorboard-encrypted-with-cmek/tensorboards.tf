variable "tensorboard_key" {
  type = string
}

resource "google_vertex_ai_tensorboard" "fail_google_managed_key" {
  display_name = "fail-google-managed-key"
  region       = "us-central1"
}

resource "google_vertex_ai_tensorboard" "pass_cmek" {
  display_name = "pass-cmek"
  region       = "us-central1"
  encryption_spec {
    kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/tensorboard"
  }
}

resource "google_vertex_ai_tensorboard" "unknown_key_from_variable" {
  display_name = "unknown-key-from-variable"
  region       = "us-central1"
  encryption_spec {
    kms_key_name = var.tensorboard_key
  }
}
