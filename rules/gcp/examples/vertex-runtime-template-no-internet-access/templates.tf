variable "internet" {
  type = bool
}

resource "google_colab_runtime_template" "fail_public_internet" {
  name         = "fail-public-internet"
  display_name = "fail-public-internet"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
  network_spec {
    enable_internet_access = true
  }
}

resource "google_colab_runtime_template" "pass_vpc_only" {
  name         = "pass-vpc-only"
  display_name = "pass-vpc-only"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
  network_spec {
    enable_internet_access = false
    network                = "projects/ml-prod/global/networks/ml-vpc"
    subnetwork             = "projects/ml-prod/regions/us-central1/subnetworks/notebooks"
  }
}

resource "google_colab_runtime_template" "unknown_internet_from_variable" {
  name         = "unknown-internet-from-variable"
  display_name = "unknown-internet-from-variable"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
  network_spec {
    enable_internet_access = var.internet
  }
}
