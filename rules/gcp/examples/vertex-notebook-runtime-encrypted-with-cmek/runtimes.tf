variable "runtime_key" {
  type = string
}

resource "google_notebooks_runtime" "fail_google_managed_key" {
  name     = "fail-google-managed-key"
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

resource "google_notebooks_runtime" "pass_cmek" {
  name     = "pass-cmek"
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
      encryption_config {
        kms_key = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/notebooks"
      }
    }
  }
}

resource "google_notebooks_runtime" "unknown_key_from_variable" {
  name     = "unknown-key-from-variable"
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
      encryption_config {
        kms_key = var.runtime_key
      }
    }
  }
}
