resource "google_service_account" "run" {
  account_id = "model-server"
}

resource "google_cloud_run_v2_service" "fail_key_in_env" {
  name     = "fail-key-in-env"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
      env {
        name  = "AWS_ACCESS_KEY_ID"
        value = "AKIAIOSFODNN7EXAMPLE"
      }
    }
  }
}

resource "google_cloud_run_v2_service" "pass_plain_env" {
  name     = "pass-plain-env"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
      env {
        name  = "MODEL_NAME"
        value = "resnet50"
      }
    }
  }
}

resource "google_cloud_run_v2_service" "pass_secret_manager" {
  name     = "pass-secret-manager"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
      env {
        name = "HF_TOKEN"
        value_source {
          secret_key_ref {
            secret  = "hf-token"
            version = "latest"
          }
        }
      }
    }
  }
}
