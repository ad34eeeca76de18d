variable "euc_off" {
  type = bool
}

# End-user credentials on (the default): notebooks act as the user who runs them.
resource "google_colab_runtime_template" "pass_end_user_credentials" {
  name         = "pass-end-user-credentials"
  display_name = "pass-end-user-credentials"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
}

# No end-user credentials and no service account: the Compute Engine default SA.
resource "google_colab_runtime_template" "fail_euc_disabled" {
  name         = "fail-euc-disabled"
  display_name = "fail-euc-disabled"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
  euc_config {
    euc_disabled = true
  }
}

resource "google_colab_runtime_template" "unknown_euc_from_variable" {
  name         = "unknown-euc-from-variable"
  display_name = "unknown-euc-from-variable"
  location     = "us-central1"
  machine_spec {
    machine_type = "e2-standard-4"
  }
  euc_config {
    euc_disabled = var.euc_off
  }
}
