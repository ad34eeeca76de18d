variable "sa" {
  type = string
}
resource "google_service_account" "run" {
  account_id = "model-server"
}

resource "google_cloud_run_v2_service" "fail_no_service_account" {
  name     = "fail-no-service-account"
  location = "us-central1"
  template {
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "fail_compute_default" {
  name     = "fail-compute-default"
  location = "us-central1"
  template {
    service_account = "123456789012-compute@developer.gserviceaccount.com"
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "pass_dedicated" {
  name     = "pass-dedicated"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "unknown_from_variable" {
  name     = "unknown-from-variable"
  location = "us-central1"
  template {
    service_account = var.sa
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}
