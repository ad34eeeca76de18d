"""S3 buckets; `AWS::S3::BucketPolicy` is folded into the bucket it names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.iam_policy import normalize_policy

from .builder import MISSING, Builder, dig, to_bool, to_str

BUCKET = "aws.s3.bucket"

# CloudFormation's AccessControl spelling -> the canned ACL name every other source uses.
CANNED_ACL = {
    "Private": "private",
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
    "LogDeliveryWrite": "log-delivery-write",
    "BucketOwnerRead": "bucket-owner-read",
    "BucketOwnerFullControl": "bucket-owner-full-control",
    "AwsExecRead": "aws-exec-read",
}


def _acl(v: Any) -> Any:
    v = to_str(v)
    return CANNED_ACL.get(v, v) if isinstance(v, str) else v


def _pab(v: Any) -> Any:
    if isinstance(v, Unresolved) or not isinstance(v, Mapping):
        return v if isinstance(v, Unresolved) else None
    keys = {
        "block_public_acls": "BlockPublicAcls",
        "ignore_public_acls": "IgnorePublicAcls",
        "block_public_policy": "BlockPublicPolicy",
        "restrict_public_buckets": "RestrictPublicBuckets",
    }
    return {attr: to_bool(v[k]) if v.get(k) is not None else False for attr, k in keys.items()}


def _encryption(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    rules = v.get("ServerSideEncryptionConfiguration") if isinstance(v, Mapping) else None
    if isinstance(rules, Unresolved):
        return rules
    for rule in rules if isinstance(rules, list) else []:
        d = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, Mapping) else None
        if isinstance(d, Unresolved):
            return d
        if isinstance(d, Mapping):
            key = d.get("KMSMasterKeyID")
            return {
                "sse_algorithm": to_str(d.get("SSEAlgorithm"))
                if d.get("SSEAlgorithm") is not None
                else Unresolved("no SSEAlgorithm"),
                "kms_key_id": to_str(key) if key is not None else None,
            }
    return None


def _versioning(v: Any) -> Any:
    v = to_str(v)
    return (
        v == "Enabled"
        if isinstance(v, str)
        else Unresolved(f"versioning status from {v.uid}")
        if isinstance(v, Ref)
        else v
    )


def bucket(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("bucket", "BucketName", to_str, default=b.name)  # CFN generates a name from the id
    b.prop("acl", "AccessControl", _acl)
    b.set("policy", None)
    b.prop("public_access_block", "PublicAccessBlockConfiguration", _pab)
    b.prop("encryption", "BucketEncryption", _encryption)
    b.prop("versioning", ("VersioningConfiguration", "Status"), _versioning, default=False)
    logging = dig(b.props, ("LoggingConfiguration",))
    b.set(
        "logging",
        None
        if logging is MISSING or logging is None
        else (logging if isinstance(logging, Unresolved) else True),
        line=b.line("LoggingConfiguration"),
        default=False,
    )


def fold_bucket_policy(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str], line: int | None
) -> bool:
    """Put the policy on the bucket it names. False when that bucket is not in the template."""
    target = props.get("Bucket")
    uid = (
        target.uid
        if isinstance(target, Ref)
        else names.get(f"{BUCKET}|{target}")
        if isinstance(target, str)
        else None
    )
    b = builders.get(uid) if uid else None
    if b is None or b.rtype != BUCKET:
        return False
    doc = props.get("PolicyDocument")
    b.provenance.pop("policy", None)
    b.set("policy", normalize_policy(doc) if doc is not None else Unresolved("no PolicyDocument"), line=line)
    return True
