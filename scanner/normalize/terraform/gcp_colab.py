"""Terraform for GCP types first modelled by the live scan: Colab Enterprise (Vertex AI)
notebook runtime templates, and the legacy ACLs of Cloud Storage buckets folded into the
bucket (the live scan reads them with projection=full)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .fold import Index, _append
from .gcp import _flag
from .values import to_bool

TEMPLATE = "gcp.vertex.notebook_runtime_template"
BUCKET = "gcp.storage.bucket"
# predefined ACLs that reach beyond the project (entity, role)
_PREDEFINED = {
    "publicRead": [("allUsers", "READER")],
    "publicReadWrite": [("allUsers", "WRITER")],
    "authenticatedRead": [("allAuthenticatedUsers", "READER")],
}


def colab_runtime_template(tf: TfResource) -> Built:
    b = Builder(tf, TEMPLATE, "gcp")
    b.key(b.get("name"))
    _flag(b, "internet_access", "network_spec.enable_internet_access", False)
    b.attr("network", "network_spec.network")
    b.attr("subnetwork", "network_spec.subnetwork")
    b.attr("encryption_key", "encryption_spec.kms_key_name")
    b.put("service_account", None)  # not an argument: end-user credentials or the default SA
    euc_off = b.get("euc_config.euc_disabled")
    if isinstance(euc_off, bool | str) and not isinstance(euc_off, Unresolved):
        b.put("end_user_credentials", not to_bool(euc_off), tf_path="euc_config.euc_disabled")
    elif euc_off is None:
        b.put("end_user_credentials", None, default=True)
    else:
        b.put("end_user_credentials", Unresolved("euc_config.euc_disabled is not known"))
    idle = b.block("idle_shutdown_config")
    if isinstance(idle, dict):
        b.put("idle_shutdown", bool(idle.get("idle_timeout")), tf_path="idle_shutdown_config")
    elif idle is None:
        b.put("idle_shutdown", None, default=False)
    else:
        b.put("idle_shutdown", Unresolved("idle_shutdown_config is not known"))
    _flag(b, "shielded_secure_boot", "shielded_vm_config.enable_secure_boot", False)
    return b.finish()


def _entry(entity: Any, role: Any, scope: str, tf: TfResource) -> dict:
    return {
        "entity": entity if isinstance(entity, str) else Unresolved(f"entity of {tf.address}"),
        "role": role if isinstance(role, str) else Unresolved(f"role of {tf.address}"),
        "scope": scope,
    }


def _acl_folder(scope: str, single: bool) -> Callable[[TfResource, Index], None]:
    """`*_acl` (role_entity list or predefined_acl) and `*_access_control` (one entity)."""

    def fold(tf: TfResource, idx: Index) -> None:
        target = idx.find(BUCKET, tf.config.get("bucket"))
        if target is None:
            return
        if single:
            _append(target, "acl", _entry(tf.config.get("entity"), tf.config.get("role"), scope, tf), tf)
            return
        pairs = tf.config.get("role_entity")
        if isinstance(pairs, list):
            for p in pairs:
                role, _, entity = p.partition(":") if isinstance(p, str) else (None, "", None)
                _append(target, "acl", _entry(entity or None, role or None, scope, tf), tf)
        elif pairs is not None:
            _append(target, "acl", Unresolved(f"role_entity of {tf.address}"), tf)
        predefined = tf.config.get("predefined_acl") or tf.config.get("default_acl")
        if isinstance(predefined, str):
            for entity, role in _PREDEFINED.get(predefined, []):
                _append(target, "acl", _entry(entity, role, scope, tf), tf)
        elif predefined is not None:
            _append(target, "acl", Unresolved(f"predefined ACL of {tf.address}"), tf)

    return fold


MAPPERS = {"google_colab_runtime_template": colab_runtime_template}
# registered in gcp_ml.FOLDERS beside the bucket's IAM folders
ACL_FOLDERS: dict[str, Callable[[TfResource, Index], None]] = {
    "google_storage_bucket_acl": _acl_folder("bucket", single=False),
    "google_storage_bucket_access_control": _acl_folder("bucket", single=True),
    "google_storage_default_object_acl": _acl_folder("default_object", single=False),
    "google_storage_default_object_access_control": _acl_folder("default_object", single=True),
}
