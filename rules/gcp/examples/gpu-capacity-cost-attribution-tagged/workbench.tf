provider "google" {
  alias          = "recsys"
  default_labels = { team = "recsys" }
}

resource "google_workbench_instance" "pass_gpu_tagged" {
  name     = "pass-gpu-tagged"
  location = "us-central1-a"
  labels   = { team = "recsys" }
  gce_setup {
    machine_type = "n1-standard-8"
    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_workbench_instance" "pass_gpu_tagged_by_provider" {
  provider = google.recsys
  name     = "pass-gpu-tagged-by-provider"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-8"
    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_workbench_instance" "fail_gpu_untagged" {
  name     = "fail-gpu-untagged"
  location = "us-central1-a"
  labels   = { project = "ranking" }
  gce_setup {
    machine_type = "n1-standard-8"
    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_workbench_instance" "pass_cpu_untagged" {
  name     = "pass-cpu-untagged"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
  }
}
