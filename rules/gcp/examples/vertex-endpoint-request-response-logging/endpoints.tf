variable "logging_enabled" {}

resource "google_vertex_ai_endpoint" "pass_logged" {
  name         = "pass-logged"
  display_name = "pass-logged"
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled       = true
    sampling_rate = 0.1
    bigquery_destination {
      output_uri = "bq://ml-prod.predictions.llm"
    }
  }
}

resource "google_vertex_ai_endpoint" "fail_not_logged" {
  name         = "fail-not-logged"
  display_name = "fail-not-logged"
  location     = "us-central1"
}

resource "google_vertex_ai_endpoint" "fail_logging_disabled" {
  name         = "fail-logging-disabled"
  display_name = "fail-logging-disabled"
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled = false
  }
}

resource "google_vertex_ai_endpoint" "unknown_flag_from_variable" {
  name         = "unknown-flag-from-variable"
  display_name = "unknown-flag-from-variable"
  location     = "us-central1"
  predict_request_response_logging_config {
    enabled = var.logging_enabled
  }
}
