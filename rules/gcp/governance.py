"""Governance on GCP: no long-lived service account keys, and GPU workbenches that stop
when idle."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

SA = "gcp.iam.service_account"
WORKBENCH = "gcp.vertex.workbench_instance"


@rule(
    id="gcp-service-account-no-user-managed-keys",
    title="GCP service accounts have no user-managed keys",
    severity="medium",
    category="governance",
    applies_to=[SA],
    description="A user-managed key (google_service_account_key) is a long-lived credential that lives "
    "outside Google's control: in Terraform state, CI variables and laptops. Workloads on GCP use the "
    "attached service account, and pipelines elsewhere use Workload Identity Federation. The rule "
    "fails a service account that a key in the scan belongs to, uploaded public keys included. A key's "
    "age cannot be known from IaC; its rotation age is checked on live data.",
    risk="A leaked key file impersonates the service account (often a Vertex or Cloud Run identity) "
    "until someone deletes the key.",
    remediation={
        "terraform": "Remove google_service_account_key; grant external pipelines access through "
        "google_iam_workload_identity_pool_provider and roles/iam.workloadIdentityUser.",
        "cli": "gcloud iam service-accounts keys delete KEY_ID --iam-account SA_EMAIL",
        "console": "Set the organization policy constraints/iam.disableServiceAccountKeyCreation.",
    },
    references=[
        "https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys",
        "https://cloud.google.com/iam/docs/workload-identity-federation",
    ],
    aliases=["iam_sa_no_user_managed_keys"],
)
def sa_no_user_managed_keys(sa: Resource, inv):
    keys = inv.referrers(sa, "key_of")
    if keys:
        names = ", ".join(sorted(k.name for k in keys))
        return fail(f"user-managed key(s) declared: {names}", at="email", value=len(keys))
    # live scans list the keys; when that failed the attribute is Unresolved and reading it
    # makes the verdict UNKNOWN (no key seen is not the same as no key)
    sa.a.get("user_managed_keys")
    return ok()


@rule(
    id="gcp-workbench-gpu-idle-shutdown",
    title="Vertex AI Workbench instances with GPUs shut down when idle",
    severity="low",
    category="governance",
    applies_to=[WORKBENCH],
    description="A Workbench instance keeps its accelerators, and bills for them, until it is stopped. "
    "For an instance with accelerators the rule asks for an idle shutdown in its metadata "
    "(idle-timeout-seconds), so it is declared and reviewed in code rather than left to a "
    "console default. Instances without accelerators pass.",
    risk="Forgotten GPU notebooks burn budget and hold scarce accelerator quota.",
    remediation={
        "terraform": 'gce_setup {\n  metadata = { "idle-timeout-seconds" = "10800" }\n}',
        "cli": "gcloud workbench instances update NAME --location ZONE --metadata idle-timeout-seconds=10800",
    },
    references=["https://cloud.google.com/vertex-ai/docs/workbench/instances/idle-shutdown"],
    maturity="incubating",
)
def workbench_gpu_idle_shutdown(wb: Resource):
    if not wb.a.get("accelerators"):
        return ok()
    if wb.a.get("idle_timeout_seconds") is None:
        return fail("GPU instance declares no idle-timeout-seconds", at="idle_timeout_seconds", value=None)
    return ok()
