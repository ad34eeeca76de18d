resource "google_project_iam_custom_role" "pass_model_deployer" {
  project     = "ml-prod"
  role_id     = "mlDeployer"
  title       = "ML deployer"
  permissions = ["aiplatform.endpoints.deploy", "aiplatform.models.get"]
}

# "Pipeline runner" that may attach any service account of the project to its jobs.
resource "google_project_iam_custom_role" "fail_pipeline_runner" {
  project     = "ml-prod"
  role_id     = "pipelineRunner"
  title       = "Pipeline runner"
  permissions = ["aiplatform.pipelineJobs.create", "iam.serviceAccounts.actAs"]
}

resource "google_project_iam_custom_role" "fail_token_minter" {
  project     = "ml-prod"
  role_id     = "tokenMinter"
  title       = "Debug helper"
  permissions = ["iam.serviceAccounts.getAccessToken", "iam.serviceAccountKeys.create"]
}

resource "google_organization_iam_custom_role" "fail_policy_editor" {
  org_id      = "900"
  role_id     = "mlPlatformAdmin"
  title       = "ML platform admin"
  permissions = ["resourcemanager.projects.setIamPolicy", "aiplatform.endpoints.list"]
}
