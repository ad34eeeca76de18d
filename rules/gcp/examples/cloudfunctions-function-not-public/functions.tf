resource "google_cloudfunctions_function" "fail_all_users" {
  name                  = "fail-all-users"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
}

resource "google_cloudfunctions_function_iam_member" "fail_all_users" {
  cloud_function = google_cloudfunctions_function.fail_all_users.name
  role           = "roles/cloudfunctions.invoker"
  member         = "allUsers"
}

resource "google_cloudfunctions_function" "pass_one_caller" {
  name                  = "pass-one-caller"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
}

resource "google_cloudfunctions_function_iam_member" "pass_one_caller" {
  cloud_function = google_cloudfunctions_function.pass_one_caller.name
  role           = "roles/cloudfunctions.invoker"
  member         = "serviceAccount:caller@ml-prod.iam.gserviceaccount.com"
}

resource "google_cloudfunctions_function" "pass_no_bindings" {
  name                  = "pass-no-bindings"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
}
