variable "dataset_key" {
  type = string
}

resource "google_kms_crypto_key" "vertex" {
  name            = "vertex"
  key_ring        = "projects/ml-prod/locations/us-central1/keyRings/ml"
  rotation_period = "7776000s"
}

resource "google_vertex_ai_dataset" "fail_google_managed_key" {
  display_name        = "fail-google-managed-key"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
  region              = "us-central1"
}

resource "google_vertex_ai_dataset" "pass_cmek" {
  display_name        = "pass-cmek"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
  region              = "us-central1"
  encryption_spec {
    kms_key_name = google_kms_crypto_key.vertex.id
  }
}

resource "google_vertex_ai_dataset" "unknown_key_from_variable" {
  display_name        = "unknown-key-from-variable"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
  region              = "us-central1"
  encryption_spec {
    kms_key_name = var.dataset_key
  }
}
