variable "project" {}

# ml-prod: Vertex AI directly, Cloud Storage through allServices
resource "google_project_iam_audit_config" "pass_vertex" {
  project = "ml-prod"
  service = "aiplatform.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_project_iam_audit_config" "pass_all_services" {
  project = "ml-prod"
  service = "allServices"
  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
    exempted_members = ["serviceAccount:backup@ml-prod.iam.gserviceaccount.com"]
  }
}

# ml-dev: audit configuration declared in code, none of it for Vertex AI or Cloud Storage
resource "google_project_iam_audit_config" "fail_other_service_only" {
  project = "ml-dev"
  service = "compute.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
}

# ml-staging: both services, but DATA_WRITE missing for Cloud Storage
resource "google_project_iam_audit_config" "fail_storage_read_only" {
  project = "ml-staging"
  service = "storage.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
}

resource "google_project_iam_audit_config" "fail_staging_vertex" {
  project = "ml-staging"
  service = "aiplatform.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# the project is a variable: this config alone does not show the policy
resource "google_project_iam_audit_config" "unknown_project_from_variable" {
  project = var.project
  service = "aiplatform.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
