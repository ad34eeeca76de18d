resource "google_cloud_run_v2_job" "pass_secret_ref" {
  name     = "pass-secret-ref"
  location = "us-central1"
  template {
    template {
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/train:1.0"
        env {
          name  = "MODEL_NAME"
          value = "llama-3-8b"
        }
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
}

resource "google_cloud_run_v2_job" "fail_literal_key" {
  name     = "fail-literal-key"
  location = "us-central1"
  template {
    template {
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/train:1.0"
        env {
          name  = "AWS_ACCESS_KEY_ID"
          value = "AKIAIOSFODNN7EXAMPLE"
        }
      }
    }
  }
}
