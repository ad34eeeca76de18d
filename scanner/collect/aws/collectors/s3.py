"""S3: the account's buckets (ListBuckets), then each bucket's policy, ACL, public access
block, encryption, versioning, logging and tags. By default only buckets that the scanned
ML resources reference (model artifacts, job outputs, data capture, log destinations);
`--all-buckets` reads every one. A setting whose call failed is `Unread` (Unresolved once
normalized), never the "none" of a NoSuch... answer."""

from __future__ import annotations

import re
from typing import Any

from scanner.normalize.aws import Unread, pick

from ..context import Ctx

_S3_URI = re.compile(r"s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])")
_S3_ARN = re.compile(r"arn:aws[\w-]*:s3:::([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])")
_BUCKET_ATTRS = ("s3_bucket", "bucket_name", "s3_bucket_name")


def referenced_buckets(resources) -> set[str]:
    """Bucket names in the attrs of scanned resources (s3:// URIs, bucket ARNs outside IAM
    policies, attributes that name a bucket)."""
    out: set[str] = set()

    def walk(v: Any, key: str = "") -> None:
        if isinstance(v, str):
            out.update(_S3_URI.findall(v))
            if key not in ("document", "policy", "assume_role_policy", "inline_policies"):
                out.update(_S3_ARN.findall(v))
            if key in _BUCKET_ATTRS:
                out.add(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k in ("document", "policy", "assume_role_policy", "inline_policies"):
                    continue
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)

    for r in resources:
        if r.type.startswith("aws.iam."):
            continue
        walk(r.attrs)
    return out


NF_POLICY = ("NoSuchBucketPolicy",)
NF_PAB = ("NoSuchPublicAccessBlockConfiguration",)
NF_SSE = ("ServerSideEncryptionConfigurationNotFoundError",)
NF_TAGS = ("NoSuchTagSet",)


def collect(ctx: Ctx, wanted: set[str] | None) -> None:
    """`wanted`: bucket names to read (None = all the account owns)."""
    for bkt in ctx.pages("s3", "ListBuckets", "Buckets"):
        name = bkt["Name"]
        if wanted is not None and name not in wanted:
            continue
        ctx.attempt(f"S3 bucket {name}", _bucket, ctx, name)


def _bucket(ctx: Ctx, name: str) -> None:
    loc = (ctx.call("s3", "GetBucketLocation", Bucket=name) or {}).get("LocationConstraint")
    region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(loc, loc)
    region = region if ctx.account.endpoint_url is None else None  # a stand-in has one region

    def get(op: str, what: str, missing: tuple[str, ...] = ()):
        # None: the documented "there is none" answer; Unread: the call failed
        return ctx.read(
            f"{what} of S3 bucket {name}", ctx.call, "s3", op, missing=missing, region=region, Bucket=name
        )

    d: dict = {"Name": name}
    d["Policy"] = pick(get("GetBucketPolicy", "policy", NF_POLICY), "Policy")
    acl = get("GetBucketAcl", "ACL")
    d["Acl"] = acl if isinstance(acl, Unread) else {"Grants": acl.get("Grants") or []} if acl else None
    pab = get("GetPublicAccessBlock", "public access block", NF_PAB)
    d["PublicAccessBlock"] = pick(pab, "PublicAccessBlockConfiguration")
    sse = get("GetBucketEncryption", "encryption", NF_SSE)
    d["Encryption"] = pick(sse, "ServerSideEncryptionConfiguration")
    d["Versioning"] = pick(get("GetBucketVersioning", "versioning"), "Status")
    d["LoggingEnabled"] = pick(get("GetBucketLogging", "logging"), "LoggingEnabled")
    d["Tags"] = pick(get("GetBucketTagging", "tags", NF_TAGS), "TagSet")
    ctx.records.append(_raw(ctx, d, region))


def _raw(ctx: Ctx, d: dict, region: str | None):
    from scanner.normalize.aws import Raw

    return Raw("s3.bucket", ctx.account_id, region or ctx.account.home_region, d)
