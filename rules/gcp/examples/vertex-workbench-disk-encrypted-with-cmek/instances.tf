resource "google_workbench_instance" "fail_google_managed_key" {
  name     = "fail-google-managed-key"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
  }
}

resource "google_workbench_instance" "pass_cmek" {
  name     = "pass-cmek"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    boot_disk {
      disk_encryption = "CMEK"
      kms_key         = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
    }
    data_disks {
      disk_encryption = "CMEK"
      kms_key         = "projects/ml-prod/locations/us-central1/keyRings/ml/cryptoKeys/vertex"
    }
  }
}
