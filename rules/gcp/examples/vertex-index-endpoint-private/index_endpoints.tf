variable "public" {
  type = bool
}

resource "google_vertex_ai_index_endpoint" "fail_public_endpoint" {
  display_name            = "fail-public-endpoint"
  region                  = "us-central1"
  public_endpoint_enabled = true
}

resource "google_vertex_ai_index_endpoint" "fail_no_network" {
  display_name = "fail-no-network"
  region       = "us-central1"
}

resource "google_vertex_ai_index_endpoint" "pass_vpc_peering" {
  display_name = "pass-vpc-peering"
  region       = "us-central1"
  network      = "projects/123456789/global/networks/ml-vpc"
}

resource "google_vertex_ai_index_endpoint" "pass_private_service_connect" {
  display_name = "pass-private-service-connect"
  region       = "us-central1"
  private_service_connect_config {
    enable_private_service_connect = true
    project_allowlist              = ["ml-prod"]
  }
}

resource "google_vertex_ai_index_endpoint" "unknown_public_from_variable" {
  display_name            = "unknown-public-from-variable"
  region                  = "us-central1"
  public_endpoint_enabled = var.public
}
