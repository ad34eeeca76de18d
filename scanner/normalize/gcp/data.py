"""Cloud Storage buckets, Artifact Registry repositories and Secret Manager secrets."""

from __future__ import annotations

import re
from typing import Any

from scanner.model.resource import Unresolved

from .builder import Live, dig, full_name, iam_members, last

_DURATION = re.compile(r"^\s*(\d+)(?:\.\d+)?s\s*$")


def _seconds(v: Any) -> Any:
    if v is None:
        return None
    m = _DURATION.match(str(v))
    return int(m.group(1)) if m else Unresolved(f"not a duration: {v!r}")


def bucket(raw, project_ids: dict[str, str]) -> Live:
    d = raw.data
    name = d["name"]
    project = project_ids.get(str(d.get("projectNumber")), str(d.get("projectNumber") or "")) or None
    b = Live(
        "storage:buckets.get",
        "gcp.storage.bucket",
        name,
        full_name("storage.googleapis.com", f"projects/_/buckets/{name}"),
        project,
        (d.get("location") or "").lower() or None,
    )
    b.put("name", name)
    b.alias(name, f"gs://{name}")
    iam = d.get("iamConfiguration") or {}
    b.flag("uniform_bucket_level_access", dig(iam, "uniformBucketLevelAccess.enabled"), False)
    pap = iam.get("publicAccessPrevention")
    b.put(
        "public_access_prevention", "inherited" if pap in (None, "unspecified") else pap, default="inherited"
    )
    if pap is None:
        b.res.provenance["public_access_prevention"] = "default"
    b.put("encryption_default_kms_key", dig(d, "encryption.defaultKmsKeyName"))
    b.flag("versioning", dig(d, "versioning.enabled"), False)
    b.flag("logging", True if dig(d, "logging.logBucket") else None, False)
    b.put("iam_members", iam_members(raw.policy, raw.policy_error))
    b.put("acl", _acl(d, raw.extra.get("acl_error")))
    return b.finish()


def _acl(d: dict, why: str | None) -> Any:
    """Legacy ACL entries of the bucket and of its default object ACL. Uniform access
    disables ACLs, so then there are none to judge; unread ACLs are Unresolved."""
    if dig(d, "iamConfiguration.uniformBucketLevelAccess.enabled"):
        return []
    if why:
        return Unresolved(why)
    out = [{"entity": a.get("entity"), "role": a.get("role"), "scope": "bucket"} for a in d.get("acl") or []]
    out += [
        {"entity": a.get("entity"), "role": a.get("role"), "scope": "default_object"}
        for a in d.get("defaultObjectAcl") or []
    ]
    return out


def repository(raw) -> Live:
    d = raw.data
    b = Live(
        "artifactregistry:repositories.list",
        "gcp.artifactregistry.repository",
        last(d["name"]),
        full_name("artifactregistry.googleapis.com", d["name"]),
        raw.project,
        raw.region,
    )
    b.put("repository_id", last(d["name"]))
    b.put("format", d.get("format"))
    b.put("mode", d.get("mode"), default="STANDARD_REPOSITORY")
    b.put("kms_key_name", d.get("kmsKeyName") or None)
    b.put("iam_members", iam_members(raw.policy, raw.policy_error))
    return b.finish()


def secret(raw) -> Live:
    """Metadata only: the list call returns no values, and none is ever requested."""
    d = raw.data
    b = Live(
        "secretmanager:secrets.list",
        "gcp.secretmanager.secret",
        last(d["name"]),
        full_name("secretmanager.googleapis.com", d["name"]),
        raw.project,
        None,
    )
    b.put("secret_id", last(d["name"]))
    period = dig(d, "rotation.rotationPeriod")
    b.put("rotation_period", period)
    b.put("rotation_period_seconds", _seconds(period))
    b.put("next_rotation_time", dig(d, "rotation.nextRotationTime"))
    rep = d.get("replication") or {}
    keys: list[str] = []
    cmek: Any = False
    if "userManaged" in rep:
        kind = "user_managed"
        replicas = dig(rep, "userManaged.replicas") if isinstance(rep.get("userManaged"), dict) else None
        replicas = (rep.get("userManaged") or {}).get("replicas") or []
        keys = [k for r in replicas if (k := dig(r, "customerManagedEncryption.kmsKeyName"))]
        cmek = bool(replicas) and len(keys) == len(replicas)
    elif "automatic" in rep:
        kind = "auto"
        k = dig(rep, "automatic.customerManagedEncryption.kmsKeyName")
        keys = [k] if k else []
        cmek = bool(keys)
    else:
        kind = None
    b.put("replication", kind)
    b.flag("customer_managed_encryption", cmek or None, False)
    b.put("kms_key_names", keys)
    b.put("topics", [t.get("name") for t in d.get("topics") or []] or None, default=[])
    b.put("iam_members", iam_members(raw.policy, raw.policy_error))
    return b.finish()
