"""GCP identities beyond the workloads: custom roles that let their holders become other
identities, and the age of user-managed service account keys."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource

CUSTOM_ROLE = "gcp.iam.custom_role"
SA_KEY = "gcp.iam.service_account_key"
MAX_KEY_AGE_DAYS = 90

# Permissions that let a holder act as, or mint credentials for, a service account, or
# rewrite IAM itself: each one is a step to every permission of another identity.
ESCALATION_PERMISSIONS = {
    "iam.serviceAccounts.actAs": "attach and run as a service account",
    "iam.serviceAccounts.getAccessToken": "mint access tokens for a service account",
    "iam.serviceAccounts.signBlob": "sign blobs (and self-signed tokens) as a service account",
    "iam.serviceAccounts.signJwt": "sign JWTs as a service account",
    "iam.serviceAccounts.implicitDelegation": "act through a chain of service accounts",
    "iam.serviceAccountKeys.create": "create long-lived keys for a service account",
    "resourcemanager.projects.setIamPolicy": "grant itself any role on the project",
    "iam.roles.update": "add any permission to a custom role it holds",
}


@rule(
    id="gcp-custom-role-no-privilege-escalation",
    title="GCP custom roles grant no permission that escalates to other identities",
    severity="high",
    category="iam",
    applies_to=[CUSTOM_ROLE],
    description="A custom role with iam.serviceAccounts.actAs, getAccessToken, signBlob, signJwt or "
    "implicitDelegation, iam.serviceAccountKeys.create, resourcemanager.projects.setIamPolicy or "
    "iam.roles.update lets whoever holds it take on another service account's permissions or grant "
    "itself more. Custom roles are where such permissions hide behind an innocuous title; the "
    "predefined roles that carry them (Service Account User, Token Creator, Owner) are reviewed by "
    "name. The graph stage shows who holds the role and which identities it reaches.",
    risk="Privilege escalation: a data scientist's or a pipeline's role becomes an ML service "
    "account's, or the project owner's.",
    remediation={
        "terraform": "# remove the permission from the role, and grant roles/iam.serviceAccountUser on\n"
        "# the one service account that needs it (google_service_account_iam_member) instead",
        "cli": "gcloud iam roles update ROLE --project=P --remove-permissions=PERMISSION",
    },
    references=[
        "https://cloud.google.com/iam/docs/service-account-permissions",
        "https://cloud.google.com/iam/docs/understanding-custom-roles",
    ],
)
def custom_role_no_escalation(role: Resource):
    perms = role.a.get("permissions") or []
    for i, p in enumerate(perms):
        if isinstance(p, str) and p in ESCALATION_PERMISSIONS:
            yield fail(f"{p}: can {ESCALATION_PERMISSIONS[p]}", at=f"permissions[{i}]", value=p)


@rule(
    id="gcp-service-account-key-rotated-90-days",
    title="User-managed GCP service account keys are younger than 90 days",
    severity="medium",
    category="secrets",
    applies_to=[SA_KEY],
    description="A user-managed key never expires by default. A key older than 90 days has had time to "
    "be copied into CI variables, laptops and images. The age counts from the key's validAfterTime, "
    "which only a live scan reads: a key declared in Terraform gets UNKNOWN, never a pass.",
    risk="A leaked old key keeps working until someone deletes it.",
    remediation={
        "cli": "gcloud iam service-accounts keys create NEW --iam-account SA_EMAIL, switch the consumers, "
        "then gcloud iam service-accounts keys delete OLD_KEY_ID --iam-account SA_EMAIL",
        "console": "Better: replace the key with Workload Identity Federation, and set the organization "
        "policy constraints/iam.serviceAccountKeyExpiryHours.",
    },
    references=["https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys"],
    aliases=["iam_sa_user_managed_key_rotate_90_days"],
    tags=["live-only"],
)
def key_rotated(key: Resource):
    created = key.a.get("valid_after_time")
    if not created:
        return unknown(
            "the key's creation time is not known (declared, not read live)", at="valid_after_time"
        )
    try:
        when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return unknown(f"valid_after_time is not a timestamp: {created!r}", at="valid_after_time")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age = (datetime.now(UTC) - when).days
    if age > MAX_KEY_AGE_DAYS:
        return fail(f"the key is {age} days old", at="valid_after_time")
    return ok()
