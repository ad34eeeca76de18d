"""S3 buckets that hold training data, model artefacts and data capture."""

from __future__ import annotations

from rules.helpers.iam import resource_policy_public
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved

BUCKET = "aws.s3.bucket"
PAB_FLAGS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")


@rule(
    id="s3-bucket-public-access-blocked",
    title="S3 buckets block all public access",
    severity="medium",
    category="network",
    applies_to=[BUCKET],
    description="Block Public Access is the guard rail that keeps a later ACL or policy change from "
    "publishing datasets and model artefacts; all four settings should be on.",
    risk="One mistaken ACL or policy exposes the bucket's data to the internet.",
    remediation={
        "terraform": 'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = aws_s3_bucket.b.id\n'
        "  block_public_acls       = true\n  ignore_public_acls      = true\n"
        "  block_public_policy     = true\n  restrict_public_buckets = true\n}",
        "cloudformation": "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  IgnorePublicAcls: true\n"
        "  BlockPublicPolicy: true\n  RestrictPublicBuckets: true",
        "cli": "aws s3api put-public-access-block --bucket NAME --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    },
    references=[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
    ],
    aliases=["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "s3_bucket_level_public_access_block"],
)
def public_access_blocked(b: Resource):
    pab = b.a.get("public_access_block")
    if not pab:
        return fail("no public access block is configured", at="public_access_block")
    off = [f for f in PAB_FLAGS if not pab.get(f, False)]
    if off:
        return fail(f"{off[0].replace('_', ' ')} is off", at=pab.path_of(off[0]))
    return ok()


@rule(
    id="s3-bucket-not-public",
    title="S3 buckets grant no public access through their ACL or bucket policy",
    severity="high",
    category="iam",
    applies_to=[BUCKET],
    description='A public canned ACL or a bucket policy statement for Principal "*" without a restricting '
    "condition makes the bucket's objects readable (or writable) by anyone.",
    risk="Public exposure or tampering of training data and model artefacts (model poisoning).",
    remediation={
        "terraform": 'acl = "private"  # and remove Principal "*" statements from the bucket policy',
        "cloudformation": "AccessControl: Private",
        "cli": "aws s3api put-bucket-acl --bucket NAME --acl private; aws s3api delete-bucket-policy --bucket NAME",
    },
    references=[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
    ],
    aliases=["CKV_AWS_20", "CKV_AWS_57", "s3_bucket_public_access"],
)
def bucket_not_public(b: Resource):
    # an ACL that is not known (grants IaC cannot fold, a live read that failed) leaves the
    # answer open, but a public policy still fails the bucket
    acl = b.attrs.get("acl")
    if not isinstance(acl, Unresolved) and acl in PUBLIC_ACLS:
        return fail(f"ACL is {acl}", at="acl")
    policy = b.attrs.get("policy")
    if policy is not None:
        a = resource_policy_public(policy)
        if a.hits:
            return fail(a.hits[0].reason, at=f"policy.{a.hits[0].path}")
        if a.unresolved:
            return unknown("bucket policy is unresolved", at="policy")
    if isinstance(acl, Unresolved):
        return unknown(f"acl is unresolved ({acl.expr})", at="acl")
    return ok()
