variable "prevention" {
  type = string
}

resource "google_storage_bucket" "fail_inherited_by_default" {
  name     = "ml-prod-fail-inherited-by-default"
  location = "US"
}

resource "google_storage_bucket" "fail_inherited" {
  name                     = "ml-prod-fail-inherited"
  location                 = "US"
  public_access_prevention = "inherited"
}

resource "google_storage_bucket" "pass_enforced" {
  name                     = "ml-prod-pass-enforced"
  location                 = "US"
  public_access_prevention = "enforced"
}

resource "google_storage_bucket" "unknown_from_variable" {
  name                     = "ml-prod-unknown-from-variable"
  location                 = "US"
  public_access_prevention = var.prevention
}
