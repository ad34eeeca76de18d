variable "reader" {}

resource "google_artifact_registry_repository" "fail_all_users" {
  location      = "us-central1"
  repository_id = "fail-all-users"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository_iam_member" "fail_all_users" {
  location   = google_artifact_registry_repository.fail_all_users.location
  repository = google_artifact_registry_repository.fail_all_users.name
  role       = "roles/artifactregistry.reader"
  member     = "allUsers"
}

resource "google_artifact_registry_repository" "fail_all_authenticated" {
  location      = "us-central1"
  repository_id = "fail-all-authenticated"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository_iam_binding" "fail_all_authenticated" {
  location   = google_artifact_registry_repository.fail_all_authenticated.location
  repository = google_artifact_registry_repository.fail_all_authenticated.name
  role       = "roles/artifactregistry.reader"
  members    = ["group:ml@example.com", "allAuthenticatedUsers"]
}

resource "google_artifact_registry_repository" "pass_named_reader" {
  location      = "us-central1"
  repository_id = "pass-named-reader"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository_iam_member" "pass_named_reader" {
  location   = google_artifact_registry_repository.pass_named_reader.location
  repository = google_artifact_registry_repository.pass_named_reader.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:serve@ml-prod.iam.gserviceaccount.com"
}

resource "google_artifact_registry_repository" "pass_no_bindings" {
  location      = "us-central1"
  repository_id = "pass-no-bindings"
  format        = "PYTHON"
}

resource "google_artifact_registry_repository" "unknown_reader_from_variable" {
  location      = "us-central1"
  repository_id = "unknown-reader-from-variable"
  format        = "DOCKER"
}

resource "google_artifact_registry_repository_iam_member" "unknown_reader_from_variable" {
  location   = google_artifact_registry_repository.unknown_reader_from_variable.location
  repository = google_artifact_registry_repository.unknown_reader_from_variable.name
  role       = "roles/artifactregistry.reader"
  member     = var.reader
}
