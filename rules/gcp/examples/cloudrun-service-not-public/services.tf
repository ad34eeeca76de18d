resource "google_service_account" "run" {
  account_id = "model-server"
}

resource "google_cloud_run_v2_service" "fail_all_users" {
  name     = "fail-all-users"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "fail_all_users" {
  name     = google_cloud_run_v2_service.fail_all_users.name
  location = google_cloud_run_v2_service.fail_all_users.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service" "fail_all_authenticated" {
  name     = "fail-all-authenticated"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "fail_all_authenticated" {
  name     = google_cloud_run_v2_service.fail_all_authenticated.name
  location = google_cloud_run_v2_service.fail_all_authenticated.location
  role     = "roles/run.invoker"
  member   = "allAuthenticatedUsers"
}

resource "google_cloud_run_v2_service" "pass_one_caller" {
  name     = "pass-one-caller"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "pass_one_caller" {
  name     = google_cloud_run_v2_service.pass_one_caller.name
  location = google_cloud_run_v2_service.pass_one_caller.location
  role     = "roles/run.invoker"
  member   = "serviceAccount:caller@ml-prod.iam.gserviceaccount.com"
}

resource "google_cloud_run_v2_service" "pass_no_bindings" {
  name     = "pass-no-bindings"
  location = "us-central1"
  template {
    service_account = google_service_account.run.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}
