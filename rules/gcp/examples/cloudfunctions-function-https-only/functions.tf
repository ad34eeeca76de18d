resource "google_cloudfunctions_function" "fail_security_default" {
  name                  = "fail-security-default"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
}

resource "google_cloudfunctions_function" "fail_secure_optional" {
  name                  = "fail-secure-optional"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_OPTIONAL"
}

resource "google_cloudfunctions_function" "pass_secure_always" {
  name                  = "pass-secure-always"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
}

resource "google_cloudfunctions_function" "pass_event_trigger" {
  name                  = "pass-event-trigger"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  event_trigger {
    event_type = "google.storage.object.finalize"
    resource   = "ml-prod-uploads"
  }
}
