resource "google_vertex_ai_endpoint" "fail_public" {
  name         = "557925790"
  display_name = "fail-public"
  location     = "us-central1"
}

resource "google_vertex_ai_endpoint" "pass_vpc_peering" {
  name         = "499002982"
  display_name = "pass-vpc-peering"
  location     = "us-central1"
  network      = "projects/123456789012/global/networks/ml-vpc"
}

resource "google_vertex_ai_endpoint" "pass_private_service_connect" {
  name         = "655342476"
  display_name = "pass-private-service-connect"
  location     = "us-central1"
  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = ["ml-prod"]
  }
}
