variable "reader" {
  type = string
}

resource "google_storage_bucket" "fail_all_users_reader" {
  name                        = "ml-prod-fail-all-users-reader"
  location                    = "US"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_iam_member" "fail_all_users_reader" {
  bucket = google_storage_bucket.fail_all_users_reader.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket" "fail_all_authenticated_writer" {
  name                        = "ml-prod-fail-all-authenticated-writer"
  location                    = "US"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_iam_binding" "fail_all_authenticated_writer" {
  bucket  = "ml-prod-fail-all-authenticated-writer"
  role    = "roles/storage.objectCreator"
  members = ["serviceAccount:trainer@ml-prod.iam.gserviceaccount.com", "allAuthenticatedUsers"]
}

resource "google_storage_bucket" "pass_named_reader" {
  name                        = "ml-prod-pass-named-reader"
  location                    = "US"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

resource "google_storage_bucket_iam_member" "pass_named_reader" {
  bucket = google_storage_bucket.pass_named_reader.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:serving@ml-prod.iam.gserviceaccount.com"
}

resource "google_storage_bucket" "pass_no_bindings" {
  name     = "ml-prod-pass-no-bindings"
  location = "US"
}

resource "google_storage_bucket" "unknown_reader_from_variable" {
  name     = "ml-prod-unknown-reader-from-variable"
  location = "US"
}

resource "google_storage_bucket_iam_member" "unknown_reader_from_variable" {
  bucket = google_storage_bucket.unknown_reader_from_variable.name
  role   = "roles/storage.objectViewer"
  member = var.reader
}
