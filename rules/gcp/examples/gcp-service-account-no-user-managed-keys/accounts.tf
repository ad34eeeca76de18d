resource "google_service_account" "fail_ci_deployer" {
  project    = "ml-prod"
  account_id = "ci-deployer"
}

# A JSON key file for CI: a long-lived credential in state and in CI variables.
resource "google_service_account_key" "ci_deployer" {
  service_account_id = google_service_account.fail_ci_deployer.name
}

resource "google_service_account" "fail_uploaded_key" {
  project    = "ml-prod"
  account_id = "batch-scorer"
}

# An uploaded public key is still a user-managed key that never expires on its own.
resource "google_service_account_key" "batch_scorer" {
  service_account_id = "projects/ml-prod/serviceAccounts/batch-scorer@ml-prod.iam.gserviceaccount.com"
  public_key_data    = filebase64("batch-scorer.pem")
}

resource "google_service_account" "pass_workload_identity" {
  project    = "ml-prod"
  account_id = "vertex-pipelines"
}
