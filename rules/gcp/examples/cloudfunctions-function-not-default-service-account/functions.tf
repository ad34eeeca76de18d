variable "sa" {
  type = string
}

resource "google_service_account" "fn" {
  account_id = "model-fn"
}

resource "google_cloudfunctions_function" "fail_no_service_account" {
  name                  = "fail-no-service-account"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
}

resource "google_cloudfunctions_function" "fail_appspot_default" {
  name                  = "fail-appspot-default"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  service_account_email = "ml-prod@appspot.gserviceaccount.com"
}

resource "google_cloudfunctions_function" "pass_dedicated" {
  name                  = "pass-dedicated"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  service_account_email = google_service_account.fn.email
}

resource "google_cloudfunctions2_function" "fail_v2_compute_default" {
  name     = "fail-v2-compute-default"
  location = "us-central1"
  build_config {
    runtime     = "python312"
    entry_point = "handler"
  }
  service_config {
    service_account_email = "123456789012-compute@developer.gserviceaccount.com"
  }
}

resource "google_cloudfunctions2_function" "pass_v2_dedicated" {
  name     = "pass-v2-dedicated"
  location = "us-central1"
  build_config {
    runtime     = "python312"
    entry_point = "handler"
  }
  service_config {
    service_account_email = google_service_account.fn.email
  }
}

resource "google_cloudfunctions_function" "unknown_from_variable" {
  name                  = "unknown-from-variable"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  service_account_email = var.sa
}
