variable "no_public_ip" {
  type = bool
}

resource "google_workbench_instance" "fail_public_ip_default" {
  name     = "fail-public-ip-default"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
  }
}

resource "google_workbench_instance" "fail_public_ip" {
  name     = "fail-public-ip"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    disable_public_ip = false
  }
}

resource "google_workbench_instance" "pass_no_public_ip" {
  name     = "pass-no-public-ip"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    disable_public_ip = true
  }
}

resource "google_workbench_instance" "unknown_from_variable" {
  name     = "unknown-from-variable"
  location = "us-central1-a"
  gce_setup {
    machine_type = "n1-standard-4"
    disable_public_ip = var.no_public_ip
  }
}
