resource "google_workbench_instance" "fail_gpu_no_idle_shutdown" {
  name     = "fail-gpu-no-idle-shutdown"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-8"
    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_workbench_instance" "pass_gpu_idle_shutdown" {
  name     = "pass-gpu-idle-shutdown"
  location = "us-central1-a"
  gce_setup {
    machine_type = "g2-standard-8"
    accelerator_configs {
      type       = "NVIDIA_L4"
      core_count = 1
    }
    metadata = {
      "idle-timeout-seconds" = "10800"
    }
  }
}

resource "google_workbench_instance" "pass_cpu_only" {
  name     = "pass-cpu-only"
  location = "us-central1-a"
  gce_setup {
    machine_type = "e2-standard-4"
  }
}

resource "google_notebooks_instance" "fail_legacy_gpu_notebook" {
  name         = "fail-legacy-gpu-notebook"
  location     = "us-central1-a"
  machine_type = "n1-standard-8"
  accelerator_config {
    type       = "NVIDIA_TESLA_V100"
    core_count = 1
  }
}
