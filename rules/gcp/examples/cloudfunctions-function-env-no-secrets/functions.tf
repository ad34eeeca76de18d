variable "env" {
  type = map(string)
}

resource "google_cloudfunctions_function" "fail_key_in_env" {
  name                  = "fail-key-in-env"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  environment_variables = {
    AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
  }
}

resource "google_cloudfunctions_function" "pass_plain_env" {
  name                  = "pass-plain-env"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  environment_variables = {
    MODEL_NAME = "resnet50"
  }
}

resource "google_cloudfunctions_function" "pass_secret_manager" {
  name                  = "pass-secret-manager"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  secret_environment_variables {
    key     = "HF_TOKEN"
    secret  = "hf-token"
    version = "latest"
  }
}

resource "google_cloudfunctions_function" "unknown_env_from_variable" {
  name                  = "unknown-env-from-variable"
  runtime               = "python312"
  entry_point           = "handler"
  source_archive_bucket = "ml-prod-functions"
  source_archive_object = "fn.zip"
  trigger_http          = true
  https_trigger_security_level = "SECURE_ALWAYS"
  environment_variables = var.env
}
