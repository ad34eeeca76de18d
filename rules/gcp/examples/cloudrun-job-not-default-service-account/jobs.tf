variable "job_sa" {}

resource "google_service_account" "batch" {
  account_id = "batch-predict"
}

resource "google_cloud_run_v2_job" "pass_dedicated_account" {
  name     = "pass-dedicated-account"
  location = "us-central1"
  template {
    template {
      service_account = google_service_account.batch.email
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/predict:1.0"
      }
    }
  }
}

resource "google_cloud_run_v2_job" "fail_no_account" {
  name     = "fail-no-account"
  location = "us-central1"
  template {
    template {
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/predict:1.0"
      }
    }
  }
}

resource "google_cloud_run_v2_job" "fail_compute_default" {
  name     = "fail-compute-default"
  location = "us-central1"
  template {
    template {
      service_account = "123456789012-compute@developer.gserviceaccount.com"
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/predict:1.0"
      }
    }
  }
}

resource "google_cloud_run_v2_job" "unknown_account_from_variable" {
  name     = "unknown-account-from-variable"
  location = "us-central1"
  template {
    template {
      service_account = var.job_sa
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/predict:1.0"
      }
    }
  }
}
