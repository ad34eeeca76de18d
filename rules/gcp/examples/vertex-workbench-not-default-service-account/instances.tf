resource "google_service_account" "notebook" {
  account_id = "notebook"
}

resource "google_workbench_instance" "fail_no_service_account" {
  name     = "fail-no-service-account"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
  }
}

resource "google_workbench_instance" "fail_compute_default" {
  name     = "fail-compute-default"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    service_accounts {
      email = "123456789012-compute@developer.gserviceaccount.com"
    }
  }
}

resource "google_workbench_instance" "pass_dedicated" {
  name     = "pass-dedicated"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    service_accounts {
      email = google_service_account.notebook.email
    }
  }
}
