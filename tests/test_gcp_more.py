"""The rest of GCP from Terraform: Cloud Run jobs, Artifact Registry, Secret Manager, project
IAM grants (and service-account project roles), project audit configs; and the rules that
follow relations over them (rules/gcp/platform.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rules.loader import load_catalogue
from scanner.collect.iac.terraform import load_tf_resources
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import Ref, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.terraform.gcp_more import FOLDERS, MAPPERS
from scanner.normalize.terraform.mapping import normalize, supported_types
from scanner.normalize.terraform.model import TfResource

NEW_TYPES = (
    "gcp.run.job",
    "gcp.artifactregistry.repository",
    "gcp.secretmanager.secret",
    "gcp.iam.project_binding",
    "gcp.logging.audit_config",
)
CATALOGUE = load_catalogue()


def hcl(tmp_path: Path, text: str) -> dict:
    f = tmp_path / "main.tf"
    f.write_text(textwrap.dedent(text))
    records, errors, _ = load_tf_resources([f], tmp_path)
    assert not errors, errors
    batch = normalize(records)
    assert not batch.errors, batch.errors
    return {(r.type, r.name): r for r in batch.resources}


def tf(rtype: str, name: str, config: dict) -> TfResource:
    return TfResource("managed", rtype, name, "", config, file="main.tf", start_line=1)


def scan(tmp_path: Path, text: str, rule_id: str) -> dict[str, str]:
    f = tmp_path / "main.tf"
    f.write_text(textwrap.dedent(text))
    result, _ = scan_iac([f], ScanOptions(include_rules=[rule_id]))
    assert not result.errors, result.errors
    return {f.resource.name: f.status for f in result.findings}


def test_every_new_terraform_type_is_mapped_and_declared():
    declared = {t for name in NEW_TYPES for t in RESOURCE_TYPES[name].terraform}
    assert declared == set(MAPPERS) | set(FOLDERS)
    assert declared <= supported_types()


def test_run_job_shape_secrets_and_iam_members(tmp_path):
    rs = hcl(
        tmp_path,
        """
        resource "google_service_account" "job" { account_id = "job" }
        resource "google_cloud_run_v2_job" "j" {
          name     = "train"
          location = "us-central1"
          template {
            template {
              service_account = google_service_account.job.email
              encryption_key  = "projects/p/locations/l/keyRings/r/cryptoKeys/k"
              vpc_access {
                connector = "projects/p/locations/l/connectors/c"
                egress    = "ALL_TRAFFIC"
              }
              containers {
                image = "us-docker.pkg.dev/p/r/train:1"
                env {
                  name  = "GITHUB_TOKEN"
                  value = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
                }
                env {
                  name = "HF_TOKEN"
                  value_source {
                    secret_key_ref {
                      secret  = "hf"
                      version = "latest"
                    }
                  }
                }
              }
            }
          }
        }
        resource "google_cloud_run_v2_job_iam_member" "m" {
          name   = google_cloud_run_v2_job.j.name
          role   = "roles/run.invoker"
          member = "allUsers"
        }
        """,
    )
    job = rs[("gcp.run.job", "j")]
    a = job.attrs
    assert isinstance(a["service_account"], Ref)
    assert a["encryption_key"].endswith("cryptoKeys/k")
    assert a["vpc_egress"] == "ALL_TRAFFIC" and a["vpc_connector"].endswith("connectors/c")
    c = a["containers"][0]
    assert c["env"]["GITHUB_TOKEN"].startswith("[REDACTED:") and c["secret_env"] == ["HF_TOKEN"]
    assert "ghp_" not in repr(job.attrs)
    assert [s["path"] for s in a["secrets"]] == ["containers[0].env.GITHUB_TOKEN"]
    assert a["iam_members"] == [{"role": "roles/run.invoker", "member": "allUsers"}]


def test_artifact_repository_and_its_iam(tmp_path):
    rs = hcl(
        tmp_path,
        """
        variable "who" {}
        resource "google_artifact_registry_repository" "r" {
          location      = "us-central1"
          repository_id = "models"
          format        = "DOCKER"
        }
        resource "google_artifact_registry_repository_iam_binding" "b" {
          repository = google_artifact_registry_repository.r.name
          location   = "us-central1"
          role       = "roles/artifactregistry.reader"
          members    = ["allAuthenticatedUsers", var.who]
        }
        resource "google_artifact_registry_repository_iam_member" "by_name" {
          repository = "models"
          location   = "us-central1"
          role       = "roles/artifactregistry.writer"
          member     = "group:ml@example.com"
        }
        """,
    )
    r = rs[("gcp.artifactregistry.repository", "r")]
    assert r.attrs["format"] == "DOCKER" and r.attrs["kms_key_name"] is None
    assert r.attrs["mode"] == "STANDARD_REPOSITORY" and r.provenance["mode"] == "default"
    members = r.attrs["iam_members"]
    assert members[0] == {"role": "roles/artifactregistry.reader", "member": "allAuthenticatedUsers"}
    assert isinstance(members[1]["member"], Unresolved)
    assert r.provenance["iam_members[1].member"] == "unresolved"
    assert members[2]["role"] == "roles/artifactregistry.writer"


def test_secret_manager_secret_rotation_and_cmek(tmp_path):
    rs = hcl(
        tmp_path,
        """
        resource "google_secret_manager_secret" "auto" {
          secret_id = "a"
          replication {
            auto {
              customer_managed_encryption { kms_key_name = "projects/p/k" }
            }
          }
          topics { name = "projects/p/topics/t" }
          rotation {
            rotation_period    = "2592000s"
            next_rotation_time = "2030-01-01T00:00:00Z"
          }
        }
        resource "google_secret_manager_secret" "user" {
          secret_id = "u"
          replication {
            user_managed {
              replicas {
                location = "us-central1"
                customer_managed_encryption { kms_key_name = "projects/p/k1" }
              }
              replicas { location = "us-east1" }
            }
          }
        }
        """,
    )
    auto, user = rs[("gcp.secretmanager.secret", "auto")], rs[("gcp.secretmanager.secret", "user")]
    assert auto.attrs["rotation_period"] == "2592000s" and auto.attrs["rotation_period_seconds"] == 2592000
    assert auto.attrs["next_rotation_time"] == "2030-01-01T00:00:00Z"
    assert auto.attrs["replication"] == "auto" and auto.attrs["customer_managed_encryption"] is True
    assert auto.attrs["kms_key_names"] == ["projects/p/k"] and auto.attrs["topics"] == ["projects/p/topics/t"]
    assert user.attrs["replication"] == "user_managed"
    assert user.attrs["customer_managed_encryption"] is False  # one replica has no CMEK
    assert user.attrs["rotation_period"] is None and user.attrs["topics"] == []


def test_project_grants_are_resources_and_fill_project_roles(tmp_path):
    rs = hcl(
        tmp_path,
        """
        variable "p" {}
        resource "google_service_account" "sa" { account_id = "runner" }
        resource "google_service_account" "lit" {
          account_id = "lit"
          project    = "ml-prod"
        }
        resource "google_project_iam_member" "interp" {
          project = "ml-prod"
          role    = "roles/editor"
          member  = "serviceAccount:${google_service_account.sa.email}"
        }
        resource "google_project_iam_member" "ref" {
          project = "ml-prod"
          role    = "roles/aiplatform.user"
          member  = google_service_account.sa.member
        }
        resource "google_project_iam_binding" "bind" {
          project = var.p
          role    = "roles/owner"
          members = ["serviceAccount:lit@ml-prod.iam.gserviceaccount.com", "user:a@example.com"]
          condition {
            title      = "temporary"
            expression = "request.time < timestamp(\\"2030-01-01T00:00:00Z\\")"
          }
        }
        resource "google_folder_iam_member" "folder" {
          folder = "folders/123"
          role   = "roles/viewer"
          member = "serviceAccount:${google_service_account.sa.email}"
        }
        """,
    )
    sa, lit = rs[("gcp.iam.service_account", "sa")], rs[("gcp.iam.service_account", "lit")]
    assert sa.attrs["project_roles"] == ["roles/editor", "roles/aiplatform.user"]  # not the folder role
    assert lit.attrs["project_roles"] == ["roles/owner"]
    bind = rs[("gcp.iam.project_binding", "bind")]
    assert bind.attrs["scope"] == "project" and isinstance(bind.attrs["scope_id"], Unresolved)
    assert bind.attrs["authoritative"] is True and bind.attrs["role"] == "roles/owner"
    assert bind.attrs["members"][1] == "user:a@example.com"
    assert bind.attrs["condition"]["title"] == "temporary"
    folder = rs[("gcp.iam.project_binding", "folder")]
    assert folder.attrs["scope"] == "folder" and folder.attrs["scope_id"] == "folders/123"
    assert folder.attrs["authoritative"] is False and folder.attrs["condition"] is None


def test_grants_to_relation_and_unresolved_role():
    batch = normalize(
        [
            tf("google_service_account", "sa", {"account_id": "a", "project": "p"}),
            tf(
                "google_project_iam_member",
                "m",
                {"role": Unresolved("var.role"), "member": "serviceAccount:a@p.iam.gserviceaccount.com"},
            ),
        ]
    )
    sa = next(r for r in batch.resources if r.type == "gcp.iam.service_account")
    assert isinstance(sa.attrs["project_roles"][0], Unresolved)
    assert sa.provenance["project_roles[0]"] == "unresolved"
    assert any(r.kind == "grants_to" and r.dst == sa.uid for r in batch.relations)
    assert batch.unmodelled == {}


def test_audit_config_shape(tmp_path):
    rs = hcl(
        tmp_path,
        """
        resource "google_project_iam_audit_config" "a" {
          project = "ml-prod"
          service = "allServices"
          audit_log_config { log_type = "DATA_READ" }
          audit_log_config {
            log_type         = "DATA_WRITE"
            exempted_members = ["user:ops@example.com"]
          }
        }
        """,
    )
    a = rs[("gcp.logging.audit_config", "a")].attrs
    assert a["project"] == "ml-prod" and a["service"] == "allServices"
    assert a["log_types"] == ["DATA_READ", "DATA_WRITE"]
    assert a["exempted_members"] == {"DATA_WRITE": ["user:ops@example.com"]}


def test_vertex_endpoint_request_response_logging_reads_the_config_block(tmp_path):
    rs = hcl(
        tmp_path,
        """
        resource "google_vertex_ai_endpoint" "on" {
          name = "on"
          display_name = "on"
          location = "us-central1"
          predict_request_response_logging_config {
            enabled = true
            sampling_rate = 0.5
          }
        }
        resource "google_vertex_ai_endpoint" "off" {
          name = "off"
          display_name = "off"
          location = "us-central1"
        }
        """,
    )
    assert rs[("gcp.vertex.endpoint", "on")].attrs["request_response_logging"] is True
    off = rs[("gcp.vertex.endpoint", "off")]
    assert off.attrs["request_response_logging"] is False
    assert off.provenance["request_response_logging"] == "default"


# ------------------------------------------------------------------------- relation-following rules
def test_primitive_roles_only_for_identities_ml_compute_runs_as(tmp_path):
    got = scan(
        tmp_path,
        """
        resource "google_service_account" "serving" { account_id = "serving" }
        resource "google_service_account" "ci" { account_id = "ci" }
        resource "google_service_account" "fn" { account_id = "fn" }
        resource "google_project_iam_member" "serving_owner" {
          project = "p"
          role    = "roles/owner"
          member  = "serviceAccount:${google_service_account.serving.email}"
        }
        resource "google_project_iam_member" "ci_editor" {
          project = "p"
          role    = "roles/editor"
          member  = "serviceAccount:${google_service_account.ci.email}"
        }
        resource "google_project_iam_member" "fn_viewer" {
          project = "p"
          role    = "roles/viewer"
          member  = "serviceAccount:${google_service_account.fn.email}"
        }
        resource "google_cloud_run_v2_service" "s" {
          name = "s"
          location = "us-central1"
          template {
            service_account = google_service_account.serving.email
            containers { image = "i" }
          }
        }
        resource "google_cloudfunctions2_function" "f" {
          name = "f"
          location = "us-central1"
          service_config { service_account_email = google_service_account.fn.email }
        }
        """,
        "gcp-ml-service-account-no-primitive-roles",
    )
    assert got == {"serving": "fail"}  # ci runs nothing; fn holds no basic role


def test_audit_rule_judges_a_config_by_its_whole_project():
    rule = CATALOGUE.by_id["gcp-audit-logs-data-access-for-ml"]
    from scanner.model.inventory import Inventory
    from scanner.model.resource import Resource

    def cfg(uid, project, service, types):
        return Resource(
            uid,
            "gcp.logging.audit_config",
            "gcp",
            uid,
            attrs={"project": project, "service": service, "log_types": types, "exempted_members": {}},
        )

    both = ["DATA_READ", "DATA_WRITE"]
    inv = Inventory()
    a = cfg("a", "p", "aiplatform.googleapis.com", both)
    b = cfg("b", "p", "storage.googleapis.com", both)
    c = cfg("c", "q", "aiplatform.googleapis.com", both)
    d = cfg("d", None, "allServices", both)
    for r in (a, b, c, d):
        inv.add(r)
    status = {r.uid: {v.status for v in rule.evaluate(r, inv)} for r in (a, b, c, d)}
    assert status == {"a": {"pass"}, "b": {"pass"}, "c": {"fail"}, "d": {"pass"}}
