"""Google provider: the rest of Vertex AI (datasets, featurestores and online stores,
TensorBoards, Vector Search index endpoints, metadata stores, managed notebook runtimes) and
the plumbing ML workloads on GCP stand on: Cloud Storage buckets (with their IAM member and
binding resources folded in) and Cloud KMS crypto keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .fold import Index, iam_members_folder
from .gcp import _accelerators, _flag
from .gcp_colab import ACL_FOLDERS
from .values import str_list, to_bool, to_int

BUCKET = "gcp.storage.bucket"
CRYPTO_KEY = "gcp.kms.crypto_key"


def _cmek(b: Builder) -> None:
    """`encryption_spec { kms_key_name }`, the CMEK block every Vertex AI resource shares."""
    b.attr("encryption_key", "encryption_spec.kms_key_name")


def _named(tf: TfResource, rtype: str) -> Builder:
    b = Builder(tf, rtype, "gcp")
    b.key(b.get("name"))
    return b


# ------------------------------------------------------------------------- Vertex AI data
def vertex_dataset(tf: TfResource) -> Built:
    b = _named(tf, "gcp.vertex.dataset")
    b.attr("display_name")
    _cmek(b)
    return b.finish()


def vertex_featurestore(tf: TfResource) -> Built:
    b = _named(tf, "gcp.vertex.featurestore")
    _cmek(b)
    b.attr("online_serving_nodes", "online_serving_config.fixed_node_count", conv=to_int)
    return b.finish()


def vertex_feature_online_store(tf: TfResource) -> Built:
    b = _named(tf, "gcp.vertex.feature_online_store")
    kind = next((k for k in ("optimized", "bigtable") if b.get(k) is not None), None)
    b.put("storage_type", kind, tf_path=kind or "bigtable")
    dse = b.get("dedicated_serving_endpoint")
    if isinstance(dse, Unresolved | Ref):
        dse = Unresolved("dedicated_serving_endpoint is not known")
    b.put(
        "dedicated_serving_endpoint",
        dse if isinstance(dse, Unresolved) else (True if dse else None),
        tf_path="dedicated_serving_endpoint",
        default=False,
    )
    psc = "dedicated_serving_endpoint.private_service_connect_config"
    _flag(b, "private_service_connect", f"{psc}.enable_private_service_connect", False)
    b.attr("psc_project_allowlist", f"{psc}.project_allowlist", default=[], conv=str_list)
    return b.finish()


def vertex_tensorboard(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.vertex.tensorboard", "gcp")
    b.attr("display_name")
    b.key(b.get("display_name"))
    _cmek(b)
    return b.finish()


def vertex_index_endpoint(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.vertex.index_endpoint", "gcp")
    b.key(b.get("display_name"))
    b.attr("network")
    _flag(b, "public_endpoint_enabled", "public_endpoint_enabled", False)
    _flag(
        b, "private_service_connect", "private_service_connect_config.enable_private_service_connect", False
    )
    return b.finish()


def vertex_metadata_store(tf: TfResource) -> Built:
    b = _named(tf, "gcp.vertex.metadata_store")
    _cmek(b)
    return b.finish()


def notebooks_runtime(tf: TfResource) -> Built:
    """`google_notebooks_runtime`: a Workbench managed notebooks runtime (legacy)."""
    b = _named(tf, "gcp.vertex.notebook_runtime")
    b.attr("access_type", "access_config.access_type")
    b.attr("runtime_owner", "access_config.runtime_owner")
    vm = "virtual_machine.virtual_machine_config"
    b.attr("disk_encryption_key", f"{vm}.encryption_config.kms_key")
    _flag(b, "no_public_ip", f"{vm}.internal_ip_only", False)
    b.attr("network", f"{vm}.network")
    b.attr("subnet", f"{vm}.subnet")
    _flag(b, "shielded_secure_boot", f"{vm}.shielded_instance_config.enable_secure_boot", False)
    _flag(b, "shielded_vtpm", f"{vm}.shielded_instance_config.enable_vtpm", True)
    _flag(
        b, "shielded_integrity_monitoring", f"{vm}.shielded_instance_config.enable_integrity_monitoring", True
    )
    _accelerators(b, f"{vm}.accelerator_config", "core_count")
    md = b.scrub_map("metadata", b.get(f"{vm}.metadata"), f"{vm}.metadata")
    b.put("metadata", md, tf_path=f"{vm}.metadata")
    b.attr("idle_shutdown", "software_config.idle_shutdown", conv=to_bool)
    return b.finish(with_secrets=True)


# ------------------------------------------------------------------------- Cloud Storage
def storage_bucket(tf: TfResource) -> Built:
    b = Builder(tf, BUCKET, "gcp")
    name = b.get("name")
    b.put("name", name if name is not None else Unresolved(f"name of {tf.address}"), tf_path="name")
    b.key(name)
    if isinstance(name, str):
        b.key(f"gs://{name}")
    _flag(b, "uniform_bucket_level_access", "uniform_bucket_level_access", False)
    b.attr("public_access_prevention", default="inherited")
    b.attr("encryption_default_kms_key", "encryption.default_kms_key_name")
    _flag(b, "versioning", "versioning.enabled", False)
    log = b.get("logging")
    if isinstance(log, Unresolved | Ref):
        logging: Any = Unresolved("logging is not known")
    else:
        logging = True if b.get("logging.log_bucket") is not None else None
    b.put("logging", logging, tf_path="logging", default=False)
    b.put("iam_members", [])
    b.put("acl", [])  # legacy ACL resources fold in (gcp_colab)
    return b.finish()


bucket_iam = iam_members_folder(BUCKET, "bucket")  # google_storage_bucket_iam_member / _binding


# ------------------------------------------------------------------------- Cloud KMS
_DURATION = re.compile(r"^\s*(\d+)(?:\.\d+)?s\s*$")


def _seconds(v: Any) -> Any:
    if v is None or isinstance(v, Unresolved):
        return v
    if isinstance(v, Ref):
        return Unresolved(f"rotation_period from {v.uid}")
    m = _DURATION.match(str(v))
    return int(m.group(1)) if m else Unresolved(f"not a duration: {v!r}")


def kms_crypto_key(tf: TfResource) -> Built:
    b = Builder(tf, CRYPTO_KEY, "gcp")
    name = b.get("name")
    b.put("name", name if name is not None else Unresolved(f"name of {tf.address}"), tf_path="name")
    b.key(name)
    b.attr("key_ring")
    b.attr("purpose", default="ENCRYPT_DECRYPT")
    period = b.attr("rotation_period")
    b.put("rotation_period_seconds", _seconds(period), tf_path="rotation_period")
    b.put("iam_members", [])  # google_kms_crypto_key_iam_member / _binding fold in
    return b.finish()


MAPPERS: dict[str, Callable[[TfResource], Built]] = {
    "google_vertex_ai_dataset": vertex_dataset,
    "google_vertex_ai_featurestore": vertex_featurestore,
    "google_vertex_ai_feature_online_store": vertex_feature_online_store,
    "google_vertex_ai_tensorboard": vertex_tensorboard,
    "google_vertex_ai_index_endpoint": vertex_index_endpoint,
    "google_vertex_ai_metadata_store": vertex_metadata_store,
    "google_notebooks_runtime": notebooks_runtime,
    "google_storage_bucket": storage_bucket,
    "google_kms_crypto_key": kms_crypto_key,
}

FOLDERS: dict[str, Callable[[TfResource, Index], None]] = {
    "google_storage_bucket_iam_member": bucket_iam,
    "google_storage_bucket_iam_binding": bucket_iam,
    **ACL_FOLDERS,  # legacy bucket ACLs (gcp_colab)
    "google_kms_crypto_key_iam_member": iam_members_folder(CRYPTO_KEY, "crypto_key_id"),
    "google_kms_crypto_key_iam_binding": iam_members_folder(CRYPTO_KEY, "crypto_key_id"),
}
