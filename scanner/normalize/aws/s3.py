"""S3 buckets from the bucket-level Get* calls, folded into one resource as the Terraform
normalizer folds `aws_s3_bucket_*`. Grants become the canned ACL they amount to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LiveBuilder, Normalized, Unread, policy_doc, tags_of

if TYPE_CHECKING:
    from . import Raw

_ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
_AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
_LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def canned_acl(acl: dict | None) -> str | None:
    """The canned ACL a bucket's grants amount to; None when not read."""
    if acl is None:
        return None
    perms: dict[str, set[str]] = {}
    for g in acl.get("Grants") or []:
        uri = (g.get("Grantee") or {}).get("URI")
        if uri:
            perms.setdefault(uri, set()).add(g.get("Permission"))
    everyone = perms.get(_ALL_USERS, set())
    if "WRITE" in everyone or "FULL_CONTROL" in everyone:
        return "public-read-write"
    if everyone:
        return "public-read"
    if perms.get(_AUTH_USERS):
        return "authenticated-read"
    if perms.get(_LOG_DELIVERY):
        return "log-delivery-write"
    return "private"


def bucket(raw: Raw) -> Normalized:
    d = raw.data
    name = d["Name"]
    arn = f"arn:aws:s3:::{name}"
    tags = d.get("Tags")
    b = LiveBuilder(
        "aws.s3.bucket",
        arn,
        name,
        raw.account,
        raw.region,
        "s3:ListBuckets",
        tags if isinstance(tags, Unread) else tags_of(tags),
    )
    b.put("arn", arn)
    b.put("bucket", name)
    # a setting the collector could not read is Unread: b.put makes it Unresolved
    acl = d.get("Acl")
    b.put("acl", acl if isinstance(acl, Unread) else canned_acl(acl))
    b.put("policy", policy_doc(d.get("Policy")))
    pab = d.get("PublicAccessBlock")
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    b.put(
        "public_access_block",
        pab
        if isinstance(pab, Unread)
        else {
            "block_public_acls": bool(pab.get(keys[0], False)),
            "ignore_public_acls": bool(pab.get(keys[1], False)),
            "block_public_policy": bool(pab.get(keys[2], False)),
            "restrict_public_buckets": bool(pab.get(keys[3], False)),
        }
        if pab
        else None,
    )
    enc = d.get("Encryption")
    rules = [] if isinstance(enc, Unread) else (enc or {}).get("Rules") or []
    sse = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
    b.put(
        "encryption",
        enc
        if isinstance(enc, Unread)
        else {"sse_algorithm": sse.get("SSEAlgorithm"), "kms_key_id": sse.get("KMSMasterKeyID")}
        if sse
        else None,
    )
    ver, log = d.get("Versioning"), d.get("LoggingEnabled")
    if isinstance(ver, Unread):
        b.put("versioning", ver)
    else:
        b.put("versioning", ver == "Enabled" if ver else None, default=False)
    if isinstance(log, Unread):
        b.put("logging", log)
    else:
        b.put("logging", True if log else None, default=False)
    return b.finish()


NORMALIZERS = {"s3.bucket": bucket}
