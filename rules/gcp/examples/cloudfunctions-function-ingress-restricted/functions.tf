resource "google_cloudfunctions_function" "fail_ingress_default" {
  name                  = "fail-ingress-default"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
}

resource "google_cloudfunctions_function" "fail_allow_all" {
  name                  = "fail-allow-all"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  ingress_settings             = "ALLOW_ALL"
}

resource "google_cloudfunctions_function" "pass_internal_only" {
  name                  = "pass-internal-only"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  ingress_settings             = "ALLOW_INTERNAL_ONLY"
}

resource "google_cloudfunctions2_function" "pass_v2_internal_and_gclb" {
  name     = "pass-v2-internal-and-gclb"
  location = "us-central1"
  build_config {
    runtime     = "python312"
    entry_point = "handler"
    source {
      storage_source {
        bucket = "ml-prod-functions"
        object = "fn.zip"
      }
    }
  }
  service_config {
    ingress_settings = "ALLOW_INTERNAL_AND_GCLB"
  }
}
