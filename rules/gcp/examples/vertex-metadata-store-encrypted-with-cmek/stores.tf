variable "metadata_key" {
  type = string
}

resource "google_vertex_ai_metadata_store" "fail_google_managed_key" {
  name   = "fail-google-managed-key"
  region = "us-central1"
}

resource "google_vertex_ai_metadata_store" "pass_cmek" {
  name   = "pass-cmek"
  region = "us-central1"
  encryption_spec {
    kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/metadata"
  }
}

resource "google_vertex_ai_metadata_store" "unknown_key_from_variable" {
  name   = "unknown-key-from-variable"
  region = "us-central1"
  encryption_spec {
    kms_key_name = var.metadata_key
  }
}
