"""Vertex AI data and serving types, managed notebook runtimes, Cloud Storage buckets (with
their IAM members folded in) and Cloud KMS keys, from Terraform: canonical shapes, defaults
and provenance, folding, and what the rules say end to end."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rules.loader import load_catalogue
from scanner.collect.iac.terraform import load_tf_resources
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import Ref, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.terraform.gcp_ml import FOLDERS, MAPPERS
from scanner.normalize.terraform.mapping import normalize, supported_types
from scanner.normalize.terraform.model import TfResource

NEW_TYPES = (
    "gcp.vertex.dataset",
    "gcp.vertex.featurestore",
    "gcp.vertex.feature_online_store",
    "gcp.vertex.tensorboard",
    "gcp.vertex.index_endpoint",
    "gcp.vertex.metadata_store",
    "gcp.vertex.notebook_runtime",
    "gcp.storage.bucket",
    "gcp.kms.crypto_key",
)


def hcl(tmp_path: Path, text: str) -> dict:
    f = tmp_path / "main.tf"
    f.write_text(textwrap.dedent(text))
    records, errors, _ = load_tf_resources([f], tmp_path)
    assert not errors, errors
    batch = normalize(records)
    assert not batch.errors, batch.errors
    return {r.name: r for r in batch.resources}


def tf(rtype: str, name: str, config: dict) -> TfResource:
    return TfResource("managed", rtype, name, "", config, file="main.tf", start_line=1)


def test_every_new_terraform_type_is_mapped_and_declared():
    declared = {t for name in NEW_TYPES for t in RESOURCE_TYPES[name].terraform}
    assert declared == set(MAPPERS) | set(FOLDERS)
    assert declared <= supported_types()


def test_minimal_blocks_give_exactly_the_canonical_attrs_with_defaults(tmp_path):
    rs = hcl(
        tmp_path,
        """
        resource "google_vertex_ai_dataset" "ds" {
          display_name = "ds"
          metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/image_1.0.0.yaml"
        }
        resource "google_vertex_ai_featurestore" "fs" { name = "fs" }
        resource "google_vertex_ai_feature_online_store" "os" {
          name = "os"
          bigtable {
            auto_scaling {
              min_node_count = 1
              max_node_count = 2
            }
          }
        }
        resource "google_vertex_ai_tensorboard" "tb" { display_name = "tb" }
        resource "google_vertex_ai_index_endpoint" "ie" { display_name = "ie" }
        resource "google_vertex_ai_metadata_store" "ms" { name = "ms" }
        resource "google_notebooks_runtime" "rt" {
          name = "rt"
          location = "us-central1"
        }
        resource "google_storage_bucket" "b" {
          name = "ml-data"
          location = "US"
        }
        resource "google_kms_crypto_key" "k" {
          name = "k"
          key_ring = "projects/p/locations/l/keyRings/r"
        }
        """,
    )
    assert {r.type for r in rs.values()} == set(NEW_TYPES)
    for r in rs.values():
        assert set(r.attrs) == set(RESOURCE_TYPES[r.type].attrs), (
            r.type,
            set(r.attrs) ^ set(RESOURCE_TYPES[r.type].attrs),
        )
    b = rs["b"]
    assert (
        b.attrs["uniform_bucket_level_access"] is False
        and b.provenance["uniform_bucket_level_access"] == "default"
    )
    assert b.attrs["public_access_prevention"] == "inherited"
    assert b.provenance["public_access_prevention"] == "default"
    assert b.attrs["versioning"] is False and b.attrs["logging"] is False and b.attrs["iam_members"] == []
    rt = rs["rt"]
    assert rt.attrs["no_public_ip"] is False and rt.provenance["no_public_ip"] == "default"
    assert rt.attrs["shielded_vtpm"] is True and rt.attrs["shielded_integrity_monitoring"] is True
    assert rt.attrs["disk_encryption_key"] is None and rt.attrs["idle_shutdown"] is None
    assert rt.attrs["secrets"] == [] and rt.attrs["accelerators"] == []
    ie = rs["ie"]
    assert ie.attrs["public_endpoint_enabled"] is False and ie.attrs["private_service_connect"] is False
    os_ = rs["os"]
    assert os_.attrs["storage_type"] == "bigtable" and os_.attrs["dedicated_serving_endpoint"] is False
    k = rs["k"]
    assert k.attrs["purpose"] == "ENCRYPT_DECRYPT" and k.provenance["purpose"] == "default"
    assert k.attrs["rotation_period"] is None and k.attrs["rotation_period_seconds"] is None
    for name in ("ds", "fs", "tb", "ms"):
        assert rs[name].attrs["encryption_key"] is None


def test_explicit_values_refs_and_lines(tmp_path):
    rs = hcl(
        tmp_path,
        """
        variable "key" { type = string }
        resource "google_kms_crypto_key" "vertex" {
          name            = "vertex"
          key_ring        = "projects/p/locations/l/keyRings/r"
          rotation_period = "7776000s"
        }
        resource "google_vertex_ai_tensorboard" "tb" {
          display_name = "tb"
          encryption_spec {
            kms_key_name = google_kms_crypto_key.vertex.id
          }
        }
        resource "google_vertex_ai_dataset" "ds" {
          display_name = "ds"
          metadata_schema_uri = "gs://x"
          encryption_spec {
            kms_key_name = var.key
          }
        }
        resource "google_vertex_ai_feature_online_store" "os" {
          name = "os"
          optimized {}
          dedicated_serving_endpoint {
            private_service_connect_config {
              enable_private_service_connect = true
              project_allowlist = ["ml-prod"]
            }
          }
        }
        resource "google_vertex_ai_index_endpoint" "ie" {
          display_name = "ie"
          public_endpoint_enabled = true
        }
        resource "google_notebooks_runtime" "rt" {
          name = "rt"
          location = "us-central1"
          access_config {
            access_type   = "SINGLE_USER"
            runtime_owner = "a@example.com"
          }
          software_config {
            idle_shutdown = true
          }
          virtual_machine {
            virtual_machine_config {
              machine_type = "n1-standard-4"
              internal_ip_only = true
              network = "projects/p/global/networks/v"
              encryption_config {
                kms_key = google_kms_crypto_key.vertex.id
              }
              shielded_instance_config {
                enable_vtpm = false
              }
              accelerator_config {
                type = "NVIDIA_TESLA_T4"
                core_count = 1
              }
              metadata = {
                token = "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB"
              }
            }
          }
        }
        """,
    )
    assert rs["vertex"].attrs["rotation_period_seconds"] == 7776000
    assert rs["tb"].attrs["encryption_key"].uid == "tf:google_kms_crypto_key.vertex"
    assert isinstance(rs["ds"].attrs["encryption_key"], Unresolved)
    assert rs["ds"].provenance["encryption_key"] == "unresolved"
    os_ = rs["os"]
    assert os_.attrs["storage_type"] == "optimized" and os_.attrs["dedicated_serving_endpoint"] is True
    assert os_.attrs["private_service_connect"] is True and os_.attrs["psc_project_allowlist"] == ["ml-prod"]
    assert rs["ie"].attrs["public_endpoint_enabled"] is True and rs["ie"].lines["public_endpoint_enabled"] > 1
    rt = rs["rt"]
    assert rt.attrs["no_public_ip"] is True and "no_public_ip" not in rt.provenance
    assert isinstance(rt.attrs["disk_encryption_key"], Ref)
    assert rt.attrs["shielded_vtpm"] is False and rt.attrs["idle_shutdown"] is True
    assert rt.attrs["accelerators"] == [{"type": "NVIDIA_TESLA_T4", "count": 1}]
    assert rt.attrs["access_type"] == "SINGLE_USER"
    assert "ghp_" not in str(rt.to_json()) and rt.attrs["secrets"], "metadata is scrubbed"


def test_bucket_iam_members_and_bindings_fold_by_ref_and_by_name(tmp_path):
    rs = hcl(
        tmp_path,
        """
        variable "members" { type = list(string) }
        variable "role" { type = string }
        resource "google_storage_bucket" "models" {
          name = "ml-models"
          location = "US"
          uniform_bucket_level_access = true
          public_access_prevention = "enforced"
          versioning { enabled = true }
          logging { log_bucket = "ml-logs" }
          encryption { default_kms_key_name = "projects/p/locations/us/keyRings/r/cryptoKeys/k" }
        }
        resource "google_storage_bucket_iam_member" "by_ref" {
          bucket = google_storage_bucket.models.name
          role   = "roles/storage.objectViewer"
          member = "allUsers"
        }
        resource "google_storage_bucket_iam_binding" "by_name" {
          bucket  = "ml-models"
          role    = "roles/storage.objectAdmin"
          members = ["serviceAccount:t@p.iam.gserviceaccount.com", "group:ml@example.com"]
        }
        resource "google_storage_bucket_iam_binding" "unknown_members" {
          bucket  = "ml-models"
          role    = "roles/storage.objectViewer"
          members = var.members
        }
        resource "google_storage_bucket_iam_member" "unknown_role" {
          bucket = "ml-models"
          role   = var.role
          member = "user:a@example.com"
        }
        resource "google_storage_bucket_iam_member" "elsewhere" {
          bucket = "not-in-this-scan"
          role   = "roles/storage.objectViewer"
          member = "allUsers"
        }
        """,
    )
    b = rs["models"]
    assert (
        b.attrs["uniform_bucket_level_access"] is True and b.attrs["public_access_prevention"] == "enforced"
    )
    assert b.attrs["versioning"] is True and b.attrs["logging"] is True
    assert b.attrs["encryption_default_kms_key"].endswith("cryptoKeys/k")
    members = b.attrs["iam_members"]
    assert members[0] == {"role": "roles/storage.objectViewer", "member": "allUsers"}
    assert members[1:3] == [
        {"role": "roles/storage.objectAdmin", "member": "serviceAccount:t@p.iam.gserviceaccount.com"},
        {"role": "roles/storage.objectAdmin", "member": "group:ml@example.com"},
    ]
    assert len(members) == 5
    assert isinstance(members[3], Unresolved) and b.provenance["iam_members[3]"] == "unresolved"
    assert isinstance(members[4]["role"], Unresolved) and members[4]["member"] == "user:a@example.com"
    assert b.provenance["iam_members[4].role"] == "unresolved"


@pytest.mark.parametrize(
    "period, seconds",
    [("7776000s", 7776000), ("86400.5s", 86400), ("90d", None), (None, None)],
)
def test_rotation_period_parsing(period, seconds):
    cfg = {"name": "k", "key_ring": "r"} | ({"rotation_period": period} if period else {})
    batch = normalize([tf("google_kms_crypto_key", "k", cfg)])
    (k,) = batch.resources
    got = k.attrs["rotation_period_seconds"]
    if period == "90d":
        assert isinstance(got, Unresolved) and k.provenance["rotation_period_seconds"] == "unresolved"
    else:
        assert got == seconds


def test_plan_shaped_blocks_map_the_same():
    """A plan writes nested blocks as lists of dicts and null for unset attributes."""
    batch = normalize(
        [
            tf(
                "google_vertex_ai_index_endpoint",
                "ie",
                {
                    "display_name": "ie",
                    "network": None,
                    "public_endpoint_enabled": False,
                    "private_service_connect_config": [
                        {"enable_private_service_connect": True, "project_allowlist": ["p"]}
                    ],
                },
            ),
            tf(
                "google_storage_bucket",
                "b",
                {
                    "name": "b",
                    "uniform_bucket_level_access": True,
                    "versioning": [{"enabled": False}],
                    "logging": [],
                },
            ),
        ]
    )
    rs = {r.name: r for r in batch.resources}
    assert rs["ie"].attrs["private_service_connect"] is True and rs["ie"].attrs["network"] is None
    assert rs["b"].attrs["versioning"] is False and rs["b"].attrs["logging"] is False


def test_rules_end_to_end_on_an_ml_project(tmp_path):
    f = tmp_path / "main.tf"
    f.write_text(
        textwrap.dedent(
            """
            resource "google_storage_bucket" "training_data" {
              name = "ml-training-data"
              location = "US"
            }
            resource "google_storage_bucket_iam_member" "public" {
              bucket = google_storage_bucket.training_data.name
              role   = "roles/storage.objectViewer"
              member = "allUsers"
            }
            resource "google_kms_crypto_key" "k" {
              name = "k"
              key_ring = "projects/p/locations/l/keyRings/r"
            }
            resource "google_vertex_ai_index_endpoint" "rag" {
              display_name = "rag"
              public_endpoint_enabled = true
            }
            """
        )
    )
    result, _ = scan_iac([f], ScanOptions())
    got = {(x.rule_id, x.resource.name) for x in result.findings if x.status == "fail"}
    assert {
        ("gcs-bucket-not-public", "training_data"),
        ("gcs-bucket-uniform-access", "training_data"),
        ("gcs-bucket-public-access-prevention-enforced", "training_data"),
        ("kms-crypto-key-rotation-90-days", "k"),
        ("vertex-index-endpoint-private", "rag"),
    } <= got
    public = next(x for x in result.findings if x.rule_id == "gcs-bucket-not-public")
    assert public.evidence.path == "iam_members[0].member"


def test_checkov_aliases_resolve_to_the_new_rules():
    cat = load_catalogue()
    for alias, rid in {
        "CKV_GCP_92": "vertex-dataset-encrypted-with-cmek",
        "CKV_GCP_96": "vertex-metadata-store-encrypted-with-cmek",
        "CKV2_GCP_25": "vertex-featurestore-encrypted-with-cmek",
        "CKV2_GCP_26": "vertex-tensorboard-encrypted-with-cmek",
        "CKV2_GCP_34": "vertex-index-endpoint-private",
        "CKV2_GCP_35": "vertex-notebook-runtime-encrypted-with-cmek",
        "CKV2_GCP_36": "vertex-notebook-runtime-private",
        "CKV_GCP_126": "vertex-workbench-shielded-vtpm-enabled",
        "CKV_GCP_127": "vertex-workbench-shielded-integrity-monitoring-enabled",
        "CKV_GCP_28": "gcs-bucket-not-public",
        "CKV_GCP_29": "gcs-bucket-uniform-access",
        "CKV_GCP_114": "gcs-bucket-public-access-prevention-enforced",
        "CKV_GCP_43": "kms-crypto-key-rotation-90-days",
    }.items():
        assert cat.resolve_id(alias) == rid
