variable "uniform" {
  type = bool
}

resource "google_storage_bucket" "fail_acls_by_default" {
  name     = "ml-prod-fail-acls-by-default"
  location = "US"
}

resource "google_storage_bucket" "fail_acls" {
  name                        = "ml-prod-fail-acls"
  location                    = "US"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket" "pass_uniform" {
  name                        = "ml-prod-pass-uniform"
  location                    = "US"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket" "unknown_from_variable" {
  name                        = "ml-prod-unknown-from-variable"
  location                    = "US"
  uniform_bucket_level_access = var.uniform
}
