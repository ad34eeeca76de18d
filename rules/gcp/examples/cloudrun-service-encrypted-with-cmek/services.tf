variable "run_key" {}

resource "google_cloud_run_v2_service" "pass_cmek" {
  name     = "pass-cmek"
  location = "us-central1"
  template {
    encryption_key = "projects/ml-prod/locations/us-central1/keyRings/run/cryptoKeys/images"
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_service" "pass_v1_annotation" {
  name     = "pass-v1-annotation"
  location = "us-central1"
  template {
    metadata {
      annotations = {
        "run.googleapis.com/encryption-key" = "projects/ml-prod/locations/us-central1/keyRings/run/cryptoKeys/images"
      }
    }
    spec {
      containers {
        image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
      }
    }
  }
}

resource "google_cloud_run_v2_service" "fail_google_managed" {
  name     = "fail-google-managed"
  location = "us-central1"
  template {
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "unknown_key_from_variable" {
  name     = "unknown-key-from-variable"
  location = "us-central1"
  template {
    encryption_key = var.run_key
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}
