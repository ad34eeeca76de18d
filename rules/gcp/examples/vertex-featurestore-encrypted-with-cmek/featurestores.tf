variable "featurestore_key" {
  type = string
}

resource "google_vertex_ai_featurestore" "fail_google_managed_key" {
  name   = "fail_google_managed_key"
  region = "us-central1"
  online_serving_config {
    fixed_node_count = 1
  }
}

resource "google_vertex_ai_featurestore" "pass_cmek" {
  name   = "pass_cmek"
  region = "us-central1"
  online_serving_config {
    fixed_node_count = 1
  }
  encryption_spec {
    kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/features"
  }
}

resource "google_vertex_ai_featurestore" "unknown_key_from_variable" {
  name   = "unknown_key_from_variable"
  region = "us-central1"
  encryption_spec {
    kms_key_name = var.featurestore_key
  }
}
