variable "vtpm" {
  type = bool
}

resource "google_workbench_instance" "pass_default" {
  name     = "pass-default"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
  }
}

resource "google_workbench_instance" "fail_vtpm_disabled" {
  name     = "fail-vtpm-disabled"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    shielded_instance_config {
      enable_vtpm = false
    }
  }
}

resource "google_workbench_instance" "pass_vtpm_enabled" {
  name     = "pass-vtpm-enabled"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    shielded_instance_config {
      enable_secure_boot = true
      enable_vtpm = true
    }
  }
}

resource "google_workbench_instance" "unknown_vtpm_from_variable" {
  name     = "unknown-vtpm-from-variable"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    shielded_instance_config {
      enable_vtpm = var.vtpm
    }
  }
}

resource "google_notebooks_runtime" "pass_runtime_default" {
  name     = "pass-runtime-default"
  location = "us-central1"
  access_config {
    access_type   = "SINGLE_USER"
    runtime_owner = "scientist@example.com"
  }
  virtual_machine {
    virtual_machine_config {
      machine_type = "n1-standard-4"
      data_disk {
        initialize_params {
          disk_size_gb = "100"
          disk_type    = "PD_STANDARD"
        }
      }
    }
  }
}

resource "google_notebooks_runtime" "fail_runtime_vtpm_disabled" {
  name     = "fail-runtime-vtpm-disabled"
  location = "us-central1"
  access_config {
    access_type   = "SINGLE_USER"
    runtime_owner = "scientist@example.com"
  }
  virtual_machine {
    virtual_machine_config {
      machine_type = "n1-standard-4"
      data_disk {
        initialize_params {
          disk_size_gb = "100"
          disk_type    = "PD_STANDARD"
        }
      }
      shielded_instance_config {
        enable_vtpm = false
      }
    }
  }
}
