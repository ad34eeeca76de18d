variable "registry_key" {}

resource "google_artifact_registry_repository" "pass_cmek" {
  location      = "us-central1"
  repository_id = "pass-cmek"
  format        = "DOCKER"
  kms_key_name  = "projects/ml-prod/locations/us-central1/keyRings/registry/cryptoKeys/images"
}

resource "google_artifact_registry_repository" "fail_google_managed" {
  location      = "us-central1"
  repository_id = "fail-google-managed"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository" "unknown_key_from_variable" {
  location      = "us-central1"
  repository_id = "unknown-key-from-variable"
  format        = "DOCKER"
  kms_key_name  = var.registry_key
}
