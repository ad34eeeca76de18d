variable "role" {}

resource "google_service_account" "fail_editor_serving" {
  account_id = "fail-editor-serving"
}

resource "google_project_iam_member" "serving_editor" {
  project = "ml-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.fail_editor_serving.email}"
}

resource "google_cloud_run_v2_service" "predict" {
  name     = "predict"
  location = "us-central1"
  template {
    service_account = google_service_account.fail_editor_serving.email
    containers {
      image = "us-docker.pkg.dev/ml-prod/serve/model:1.0"
    }
  }
}

resource "google_service_account" "fail_owner_notebook" {
  account_id = "fail-owner-notebook"
  project    = "ml-prod"
}

resource "google_project_iam_binding" "owners" {
  project = "ml-prod"
  role    = "roles/owner"
  members = ["serviceAccount:fail-owner-notebook@ml-prod.iam.gserviceaccount.com"]
}

resource "google_workbench_instance" "research" {
  name     = "research"
  location = "us-central1-a"
  gce_setup {
    service_accounts {
      email = google_service_account.fail_owner_notebook.email
    }
  }
}

resource "google_service_account" "pass_least_privilege" {
  account_id = "pass-least-privilege"
}

resource "google_project_iam_member" "predict_user" {
  project = "ml-prod"
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.pass_least_privilege.email}"
}

resource "google_cloudfunctions2_function" "embed" {
  name     = "embed"
  location = "us-central1"
  service_config {
    service_account_email = google_service_account.pass_least_privilege.email
  }
}

resource "google_service_account" "pass_not_ml" {
  account_id = "pass-not-ml"
}

resource "google_project_iam_member" "ci_editor" {
  project = "ml-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.pass_not_ml.email}"
}

resource "google_service_account" "unknown_role_from_variable" {
  account_id = "unknown-role-from-variable"
}

resource "google_project_iam_member" "job_role" {
  project = "ml-prod"
  role    = var.role
  member  = "serviceAccount:${google_service_account.unknown_role_from_variable.email}"
}

resource "google_cloud_run_v2_job" "batch" {
  name     = "batch"
  location = "us-central1"
  template {
    template {
      service_account = google_service_account.unknown_role_from_variable.email
      containers {
        image = "us-docker.pkg.dev/ml-prod/batch/predict:1.0"
      }
    }
  }
}
