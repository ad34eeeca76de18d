"""Vertex AI: endpoints and Workbench instances."""

from __future__ import annotations

from rules.helpers.gcp import default_sa_verdict
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

ENDPOINT = "gcp.vertex.endpoint"
WORKBENCH = "gcp.vertex.workbench_instance"


@rule(
    id="vertex-endpoint-private",
    title="Vertex AI endpoints are private (VPC peering or Private Service Connect)",
    severity="medium",
    category="network",
    applies_to=[ENDPOINT],
    description="A public Vertex AI endpoint is reachable from the internet by anyone holding a token with "
    "aiplatform.endpoints.predict; a private one only from your VPC.",
    risk="Model inference reachable from outside the network perimeter.",
    remediation={
        "terraform": 'network = "projects/${data.google_project.p.number}/global/networks/${google_compute_network.vpc.name}"'
        "\n# or private_service_connect_config { enable_private_service_connect = true ... }",
        "cli": "Deploy the model to a new endpoint created with --network or Private Service Connect.",
    },
    references=[
        "https://cloud.google.com/vertex-ai/docs/predictions/using-private-endpoints",
        "https://cloud.google.com/vertex-ai/docs/predictions/private-service-connect",
    ],
    aliases=["CKV2_GCP_33"],
)
def endpoint_private(ep: Resource):
    if ep.a.get("private_service_connect", False) or ep.a.get("network"):
        return ok()
    return fail("endpoint is public", at="network")


@rule(
    id="vertex-endpoint-encrypted-with-cmek",
    title="Vertex AI endpoints are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[ENDPOINT],
    description="Without an encryption spec, the endpoint and its deployed models are encrypted with a "
    "Google-managed key you cannot restrict, rotate or revoke.",
    risk="No key-level control over deployed models and their data.",
    remediation={
        "terraform": "encryption_spec {\n  kms_key_name = google_kms_crypto_key.vertex.id\n}",
        "cli": "Create the endpoint with --encryption-kms-key-name (it cannot be changed in place).",
    },
    references=["https://cloud.google.com/vertex-ai/docs/general/cmek"],
    aliases=["CKV2_GCP_24"],
)
def endpoint_cmek(ep: Resource):
    if not ep.a.get("encryption_key"):
        return fail("no customer-managed key is set", at="encryption_key")
    return ok()


@rule(
    id="vertex-workbench-no-public-ip",
    title="Vertex AI Workbench instances have no public IP address",
    severity="high",
    category="network",
    applies_to=[WORKBENCH],
    description="A Workbench VM with an external IP is directly reachable from, and can reach, the "
    "internet, bypassing Cloud NAT and firewall egress controls.",
    risk="Direct exposure of the notebook VM and unfiltered data exfiltration.",
    remediation={
        "terraform": "gce_setup {\n  disable_public_ip = true\n}",
        "cli": "Recreate the instance with --disable-public-ip.",
    },
    references=["https://cloud.google.com/vertex-ai/docs/workbench/instances/create"],
    aliases=["CKV2_GCP_28", "CKV_GCP_89"],
)
def workbench_no_public_ip(wb: Resource):
    if not wb.a.get("no_public_ip", False):
        return fail("instance has a public IP address", at="no_public_ip")
    return ok()


@rule(
    id="vertex-workbench-disk-encrypted-with-cmek",
    title="Vertex AI Workbench instance disks are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[WORKBENCH],
    description="Without CMEK the boot and data disks (notebooks, datasets, cached credentials) use a "
    "Google-managed key you cannot restrict or revoke.",
    risk="No key-level control over notebook data at rest.",
    remediation={
        "terraform": 'gce_setup {\n  boot_disk {\n    disk_encryption = "CMEK"\n'
        "    kms_key = google_kms_crypto_key.wb.id\n  }\n}",
        "cli": "Recreate the instance with --boot-disk-encryption=CMEK --boot-disk-kms-key=KEY.",
    },
    references=["https://cloud.google.com/vertex-ai/docs/workbench/instances/cmek"],
    aliases=["CKV2_GCP_27", "CKV2_GCP_21"],
)
def workbench_disk_cmek(wb: Resource):
    if not wb.a.get("disk_encryption_key"):
        return fail("no customer-managed key is set", at="disk_encryption_key")
    return ok()


@rule(
    id="vertex-workbench-not-default-service-account",
    title="Vertex AI Workbench instances do not run as the Compute Engine default service account",
    severity="medium",
    category="iam",
    applies_to=[WORKBENCH],
    description="The Compute Engine default service account holds the project Editor role unless it was "
    "removed, so every notebook user gets near-owner access to the project.",
    risk="Notebook users (or code they run) modify any resource in the project.",
    remediation={
        "terraform": "gce_setup {\n  service_accounts {\n    email = google_service_account.notebook.email\n  }\n}",
        "cli": "Recreate the instance with --service-account-email=SA_EMAIL.",
    },
    references=["https://cloud.google.com/compute/docs/access/service-accounts#default_service_account"],
)
def workbench_not_default_sa(wb: Resource):
    return default_sa_verdict(wb)
