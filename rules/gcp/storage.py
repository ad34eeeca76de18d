"""Cloud Storage: the buckets that hold training data, model artifacts and pipeline output."""

from __future__ import annotations

from rules.helpers.gcp import PUBLIC_MEMBERS, public_iam_member_verdict
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved, cannot_be

BUCKET = "gcp.storage.bucket"


@rule(
    id="gcs-bucket-not-public",
    title="Cloud Storage buckets grant no role to allUsers or allAuthenticatedUsers",
    severity="high",
    category="iam",
    applies_to=[BUCKET],
    description="A bucket IAM member or binding for allUsers (anyone on the internet) or "
    "allAuthenticatedUsers (any Google account) makes the bucket's objects readable, or writable, by "
    "anyone; so does a legacy ACL entry (bucket or default object ACL) for them while uniform "
    "bucket-level access is off. Buckets of ML workloads hold training data and model artifacts.",
    risk="Theft of training data and model weights; poisoning of data or artifacts with write roles.",
    remediation={
        "terraform": "# grant the role to named principals instead\n"
        'resource "google_storage_bucket_iam_member" "reader" {\n'
        "  bucket = google_storage_bucket.models.name\n"
        '  role   = "roles/storage.objectViewer"\n'
        '  member = "serviceAccount:${google_service_account.trainer.email}"\n}',
        "cli": "gcloud storage buckets remove-iam-policy-binding gs://BUCKET --member=allUsers --role=ROLE\n"
        "gcloud storage buckets update gs://BUCKET --public-access-prevention",
    },
    references=[
        "https://cloud.google.com/storage/docs/access-control/making-data-public",
        "https://cloud.google.com/storage/docs/public-access-prevention",
    ],
    aliases=["CKV_GCP_28"],
)
def bucket_not_public(b: Resource):
    iam = public_iam_member_verdict(b, "bucket")
    if iam.status == "fail" or b.a.get("uniform_bucket_level_access", False):
        return iam  # uniform access switches the legacy ACLs off
    acl = _public_acl_verdict(b)
    return acl if acl.status == "fail" or iam.status == "pass" else iam


def _public_acl_verdict(b: Resource):
    """The legacy ACLs (bucket and default object ACL) when uniform access is off."""
    entries = b.attrs.get("acl") or []
    if isinstance(entries, Unresolved):
        return unknown("the bucket's ACLs could not be read", at="acl")
    unresolved = False
    for i, e in enumerate(entries):
        entity = e.get("entity") if isinstance(e, dict) else e
        if isinstance(entity, str) and entity.strip() in PUBLIC_MEMBERS:
            where = "default object ACL" if e.get("scope") == "default_object" else "ACL"
            return fail(f"the {where} grants {e.get('role')} to {entity.strip()}", at=f"acl[{i}].entity")
        unresolved = unresolved or (isinstance(entity, Unresolved) and not cannot_be(entity, PUBLIC_MEMBERS))
    return unknown("an ACL entity is unresolved", at="acl") if unresolved else ok()


@rule(
    id="gcs-bucket-uniform-access",
    title="Cloud Storage buckets use uniform bucket-level access",
    severity="medium",
    category="iam",
    applies_to=[BUCKET],
    description="Without uniform bucket-level access, per-object ACLs can grant access that the bucket's "
    "IAM policy does not show, so reviewing IAM alone does not tell who can read training data or models.",
    risk="Access granted through object ACLs, invisible to IAM review and IAM Conditions.",
    remediation={
        "terraform": "uniform_bucket_level_access = true",
        "cli": "gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access",
    },
    references=["https://cloud.google.com/storage/docs/uniform-bucket-level-access"],
    aliases=["CKV_GCP_29"],
)
def bucket_uniform_access(b: Resource):
    if not b.a.get("uniform_bucket_level_access", False):
        return fail("uniform bucket-level access is off: object ACLs apply", at="uniform_bucket_level_access")
    return ok()


@rule(
    id="gcs-bucket-public-access-prevention-enforced",
    title="Cloud Storage buckets enforce public access prevention",
    severity="medium",
    category="network",
    applies_to=[BUCKET],
    description='With public access prevention "inherited", the bucket can be made public by one IAM '
    "binding or ACL unless an organization policy (storage.publicAccessPrevention) forbids it. "
    '"enforced" blocks allUsers and allAuthenticatedUsers on the bucket and its objects.',
    risk="One mistaken grant exposes training data or model artifacts to the internet.",
    remediation={
        "terraform": 'public_access_prevention = "enforced"',
        "cli": "gcloud storage buckets update gs://BUCKET --public-access-prevention",
    },
    references=["https://cloud.google.com/storage/docs/public-access-prevention"],
    aliases=["CKV_GCP_114"],
)
def bucket_public_access_prevention(b: Resource):
    pap = b.a.get("public_access_prevention", "inherited")
    if str(pap).lower() != "enforced":
        return fail(f"public access prevention is {pap!r}", at="public_access_prevention")
    return ok()
