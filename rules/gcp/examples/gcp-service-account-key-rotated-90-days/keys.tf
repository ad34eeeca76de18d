# A key's creation time is set by GCP: a declared key can only be judged on a live scan.
resource "google_service_account_key" "unknown_declared_key" {
  service_account_id = "projects/ml-prod/serviceAccounts/ci@ml-prod.iam.gserviceaccount.com"
}
