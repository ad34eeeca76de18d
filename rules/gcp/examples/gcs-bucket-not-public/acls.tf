# Legacy ACLs count while uniform bucket-level access is off.
resource "google_storage_bucket" "fail_public_read_acl" {
  name     = "ml-prod-fail-public-read-acl"
  location = "US"
}

resource "google_storage_bucket_acl" "fail_public_read_acl" {
  bucket      = google_storage_bucket.fail_public_read_acl.name
  role_entity = ["OWNER:project-owners-111111111111", "READER:allUsers"]
}

resource "google_storage_bucket" "fail_default_object_acl" {
  name     = "ml-prod-fail-default-object-acl"
  location = "US"
}

resource "google_storage_default_object_access_control" "fail_default_object_acl" {
  bucket = google_storage_bucket.fail_default_object_acl.name
  role   = "READER"
  entity = "allAuthenticatedUsers"
}

resource "google_storage_bucket" "pass_project_acl" {
  name     = "ml-prod-pass-project-acl"
  location = "US"
}

resource "google_storage_bucket_acl" "pass_project_acl" {
  bucket      = google_storage_bucket.pass_project_acl.name
  role_entity = ["OWNER:project-owners-111111111111", "READER:project-viewers-111111111111"]
}
