variable "team" {
  type = string
}

resource "google_vertex_ai_endpoint" "pass_team_label_safe" {
  name         = "pass-team-label-safe"
  display_name = "pass-team-label-safe"
  location     = "us-central1"
  labels       = { team = "ml-platform" }
}

resource "google_vertex_ai_endpoint" "fail_team_not_label_safe" {
  name         = "fail-team-not-label-safe"
  display_name = "fail-team-not-label-safe"
  location     = "us-central1"
  labels       = { team = "ML_Platform_" }
}

resource "google_cloud_run_v2_service" "pass_no_team" {
  name     = "pass-no-team"
  location = "us-central1"
  labels   = { project = "ranking" }
  template {
    containers {
      image = "us-docker.pkg.dev/cloudrun/container/hello"
    }
  }
}

resource "google_vertex_ai_endpoint" "unknown_team_from_variable" {
  name         = "unknown-team-from-variable"
  display_name = "unknown-team-from-variable"
  location     = "us-central1"
  labels       = { team = var.team }
}
