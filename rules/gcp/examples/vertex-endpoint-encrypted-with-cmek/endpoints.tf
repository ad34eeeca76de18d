variable "key" {
  type = string
}

resource "google_vertex_ai_endpoint" "fail_google_managed_key" {
  name         = "548611773"
  display_name = "fail-google-managed-key"
  location     = "us-central1"
}

resource "google_vertex_ai_endpoint" "pass_cmek" {
  name         = "231029551"
  display_name = "pass-cmek"
  location     = "us-central1"
  encryption_spec {
    kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
  }
}

resource "google_vertex_ai_endpoint" "unknown_key_from_variable" {
  name         = "306759758"
  display_name = "unknown-key-from-variable"
  location     = "us-central1"
  encryption_spec {
    kms_key_name = var.key
  }
}
