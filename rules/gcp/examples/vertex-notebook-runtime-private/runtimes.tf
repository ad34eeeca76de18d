variable "internal_only" {
  type = bool
}

resource "google_notebooks_runtime" "fail_public_ip_default" {
  name     = "fail-public-ip-default"
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

resource "google_notebooks_runtime" "fail_public_ip" {
  name     = "fail-public-ip"
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
      internal_ip_only = false
    }
  }
}

resource "google_notebooks_runtime" "pass_internal_ip_only" {
  name     = "pass-internal-ip-only"
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
      internal_ip_only = true
      network          = "projects/ml-prod/global/networks/ml-vpc"
      subnet           = "projects/ml-prod/regions/us-central1/subnetworks/notebooks"
    }
  }
}

resource "google_notebooks_runtime" "unknown_from_variable" {
  name     = "unknown-from-variable"
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
      internal_ip_only = var.internal_only
    }
  }
}
