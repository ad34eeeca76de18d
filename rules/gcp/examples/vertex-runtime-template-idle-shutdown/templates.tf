resource "google_colab_runtime_template" "fail_no_idle_shutdown" {
  name         = "fail-no-idle-shutdown"
  display_name = "fail-no-idle-shutdown"
  location     = "us-central1"
  machine_spec {
    machine_type      = "n1-standard-8"
    accelerator_type  = "NVIDIA_TESLA_T4"
    accelerator_count = 1
  }
}

resource "google_colab_runtime_template" "pass_three_hours" {
  name         = "pass-three-hours"
  display_name = "pass-three-hours"
  location     = "us-central1"
  machine_spec {
    machine_type      = "n1-standard-8"
    accelerator_type  = "NVIDIA_TESLA_T4"
    accelerator_count = 1
  }
  idle_shutdown_config {
    idle_timeout = "10800s"
  }
}
