resource "google_service_account" "run" {
  account_id = "model-server"
}

resource "google_cloud_run_v2_service" "fail_ingress_default" {
  name     = "fail-ingress-default"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "fail_ingress_all" {
  name     = "fail-ingress-all"
  location = "us-central1"
  ingress  = "INGRESS_TRAFFIC_ALL"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "pass_internal" {
  name     = "pass-internal"
  location = "us-central1"
  ingress  = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service" "pass_internal_load_balancer" {
  name     = "pass-internal-load-balancer"
  location = "us-central1"
  ingress  = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}
