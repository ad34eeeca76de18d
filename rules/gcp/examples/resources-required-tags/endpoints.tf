variable "team" {
  type = string
}

resource "google_vertex_ai_endpoint" "pass_tagged" {
  name         = "pass-tagged"
  display_name = "pass-tagged"
  location     = "us-central1"
  labels       = { team = "recsys" }
}

resource "google_vertex_ai_endpoint" "fail_untagged" {
  name         = "fail-untagged"
  display_name = "fail-untagged"
  location     = "us-central1"
  labels       = { owner = "alice" }
}

resource "google_workbench_instance" "pass_gpu_untagged" {
  name     = "pass-gpu-untagged"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-8"
    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_cloud_run_v2_service" "pass_other_untagged" {
  name     = "pass-other-untagged"
  location = "us-central1"
  template {
    containers {
      image = "us-docker.pkg.dev/cloudrun/container/hello"
    }
  }
}

resource "google_vertex_ai_endpoint" "pass_tag_value_from_variable" {
  name         = "pass-tag-value-from-variable"
  display_name = "pass-tag-value-from-variable"
  location     = "us-central1"
  labels       = { team = var.team }
}

resource "google_vertex_ai_endpoint" "unknown_labels_from_variable" {
  name         = "unknown-labels-from-variable"
  display_name = "unknown-labels-from-variable"
  location     = "us-central1"
  labels       = var.labels
}

variable "labels" {
  type = map(string)
}
