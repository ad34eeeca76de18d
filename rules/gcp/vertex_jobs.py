"""Vertex AI models and the custom (training) and pipeline jobs that produce them: live
scans only, since Terraform cannot declare them (their examples are recorded API records)."""

from __future__ import annotations

from rules.helpers.gcp import is_default_service_account
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

MODEL = "gcp.vertex.model"
CUSTOM_JOB = "gcp.vertex.custom_job"
PIPELINE_JOB = "gcp.vertex.pipeline_job"
JOBS = [CUSTOM_JOB, PIPELINE_JOB]
_CMEK_DOC = "https://cloud.google.com/vertex-ai/docs/general/cmek"


@rule(
    id="vertex-model-encrypted-with-cmek",
    title="Vertex AI models are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[MODEL],
    description="A model uploaded without an encryption spec is stored under a Google-managed key you "
    "cannot restrict, rotate or revoke. The key is set when the model is uploaded.",
    risk="No key-level control over model weights held by Vertex AI (no crypto-shredding, no key audit).",
    remediation={
        "cli": "gcloud ai models upload ... --encryption-kms-key-name=projects/P/locations/R/keyRings/K/"
        "cryptoKeys/C (re-upload: the key cannot be changed in place)",
        "console": "Vertex AI > Model Registry > Import: Advanced options > Customer-managed key.",
    },
    references=[_CMEK_DOC],
    tags=["live-only"],
)
def model_cmek(m: Resource):
    if not m.a.get("encryption_key"):
        return fail("no customer-managed key is set", at="encryption_key")
    return ok()


@rule(
    id="vertex-job-encrypted-with-cmek",
    title="Vertex AI custom and pipeline jobs are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=JOBS,
    description="A job's encryption spec protects its scratch disks, intermediate artifacts and output "
    "models; without one they are under a Google-managed key you cannot restrict or revoke.",
    risk="No key-level control over training data and the models a job writes.",
    remediation={
        "cli": "Create the job with encryptionSpec.kmsKeyName (gcloud ai custom-jobs create "
        "--kms-key-name=KEY; PipelineJob(encryption_spec_key_name=KEY) in the SDK).",
    },
    references=[_CMEK_DOC],
    tags=["live-only"],
)
def job_cmek(j: Resource):
    if not j.a.get("encryption_key"):
        return fail("no customer-managed key is set", at="encryption_key")
    return ok()


@rule(
    id="vertex-job-dedicated-service-account",
    title="Vertex AI custom and pipeline jobs run as a dedicated service account",
    severity="medium",
    category="iam",
    applies_to=JOBS,
    description="A pipeline job without a service account runs as the Compute Engine default service "
    "account (project Editor unless removed); a custom job without one runs as the Vertex AI Custom Code "
    "Service Agent, shared by every job of the project and able to read its Cloud Storage and BigQuery "
    "data. Either way the job's code, which often comes from third-party packages, gets far more than "
    "its own training data.",
    risk="Training code (or a poisoned dependency) reads or changes data and resources of the whole project.",
    remediation={
        "cli": "gcloud ai custom-jobs create ... --service-account=trainer@P.iam.gserviceaccount.com; "
        "PipelineJob.submit(service_account=...) in the SDK.",
    },
    references=[
        "https://cloud.google.com/vertex-ai/docs/general/custom-service-account",
        "https://cloud.google.com/vertex-ai/docs/general/access-control#service-agents",
    ],
    tags=["live-only"],
)
def job_dedicated_sa(j: Resource):
    sa = j.a.get("service_account")
    if sa is None:
        who = (
            "the Compute Engine default service account"
            if j.type == PIPELINE_JOB
            else "the project's shared Vertex AI Custom Code Service Agent"
        )
        return fail(f"no service account is set: runs as {who}", at="service_account")
    if isinstance(sa, str) and is_default_service_account(sa):
        return fail("runs as the default compute service account", at="service_account")
    return ok()


@rule(
    id="vertex-job-vpc-network",
    title="Vertex AI custom and pipeline jobs run peered to a VPC network",
    severity="low",
    category="network",
    applies_to=JOBS,
    description="A job with no network runs in a Google-managed network with unrestricted internet "
    "egress, outside VPC firewall rules, Cloud NAT logging and the private routes to your data. Where "
    "training must stay inside a VPC (VPC Service Controls, private data sources), peer the job to the "
    "VPC. Incubating: a project that does not expect VPC-bound training can exclude the rule.",
    risk="Training code can send data or model weights anywhere on the internet, unlogged.",
    remediation={
        "cli": "gcloud ai custom-jobs create ... --network=projects/NUMBER/global/networks/VPC; "
        "PipelineJob.submit(network=...) in the SDK (the VPC needs private services access).",
    },
    references=["https://cloud.google.com/vertex-ai/docs/general/vpc-peering"],
    maturity="incubating",
    tags=["live-only"],
)
def job_vpc(j: Resource):
    if not j.a.get("network"):
        return fail("no VPC network: the job has unrestricted internet egress", at="network")
    return ok()


@rule(
    id="vertex-custom-job-web-access-disabled",
    title="Vertex AI custom jobs do not allow interactive shell access",
    severity="medium",
    category="network",
    applies_to=[CUSTOM_JOB],
    description="enableWebAccess opens an interactive shell into the training containers to anyone "
    "with aiplatform.customJobs.get on the job, running as the job's service account. It is for "
    "debugging and should not stay on production jobs.",
    risk="A shell with the training identity and data, outside the job's code review.",
    remediation={"cli": "Create the job without --enable-web-access (enableWebAccess: false)."},
    references=["https://cloud.google.com/vertex-ai/docs/training/monitor-debug-interactive-shell"],
    tags=["live-only"],
)
def custom_job_no_web_access(j: Resource):
    if j.a.get("web_access", False):
        return fail("interactive web access is enabled", at="web_access")
    return ok()
