"""Vertex AI (Colab Enterprise) notebook runtime templates: every runtime created from one
inherits its network, idle shutdown and identity."""

from __future__ import annotations

from rules.helpers.gcp import is_default_service_account
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

TEMPLATE = "gcp.vertex.notebook_runtime_template"
_DOC = "https://cloud.google.com/colab/docs/create-runtime-template"


@rule(
    id="vertex-runtime-template-no-internet-access",
    title="Vertex AI notebook runtime templates give runtimes no public internet access",
    severity="high",
    category="network",
    applies_to=[TEMPLATE],
    description="With network_spec.enable_internet_access, runtimes created from the template get an "
    "external IP: notebooks reach, and are reachable from, the internet outside VPC egress controls. "
    "Runtimes on a VPC subnetwork reach the internet, if at all, through Cloud NAT.",
    risk="Unfiltered exfiltration of data and credentials from notebooks.",
    remediation={
        "terraform": "network_spec {\n  enable_internet_access = false\n"
        "  network    = google_compute_network.vpc.id\n  subnetwork = google_compute_subnetwork.ml.id\n}",
        "cli": "Create the template with --network and --subnetwork and without public internet access.",
    },
    references=[_DOC],
)
def template_no_internet(t: Resource):
    if t.a.get("internet_access", False):
        return fail("runtimes get public internet access", at="internet_access")
    return ok()


@rule(
    id="vertex-runtime-template-idle-shutdown",
    title="Vertex AI notebook runtime templates shut runtimes down when idle",
    severity="low",
    category="governance",
    applies_to=[TEMPLATE],
    description="A runtime keeps its VM and accelerators, and bills for them, until it is stopped. The "
    "rule asks the template to declare an idle shutdown (idle_shutdown_config.idle_timeout) rather than "
    "leave it to a service default that can change or be turned off.",
    risk="Idle GPU runtimes accrue cost and stay reachable with the user's credentials.",
    remediation={
        "terraform": 'idle_shutdown_config {\n  idle_timeout = "10800s"\n}',
        "cli": "Create the template with --idle-shutdown-timeout=3h.",
    },
    references=[_DOC],
)
def template_idle_shutdown(t: Resource):
    if not t.a.get("idle_shutdown", False):
        return fail("no idle shutdown is declared", at="idle_shutdown")
    return ok()


@rule(
    id="vertex-runtime-template-not-default-service-account",
    title="Vertex AI notebook runtime templates do not run as the Compute Engine default service account",
    severity="medium",
    category="iam",
    applies_to=[TEMPLATE],
    description="A runtime acts with the notebook user's own credentials (end-user credentials, the "
    "default) or with the template's service account. With end-user credentials disabled and no "
    "service account, or with a default one named, every notebook runs as the Compute Engine default "
    "service account, which holds project Editor unless it was removed.",
    risk="Every notebook user gets near-owner access to the project through the runtime.",
    remediation={
        "terraform": "# keep end-user credentials on (the default): remove\neuc_config {\n"
        "  euc_disabled = true\n}",
        "cli": "Create the template with end-user credentials enabled, or a dedicated service account.",
    },
    references=[
        _DOC,
        "https://cloud.google.com/compute/docs/access/service-accounts#default_service_account",
    ],
)
def template_not_default_sa(t: Resource):
    sa = t.a.get("service_account")
    if isinstance(sa, str) and is_default_service_account(sa):
        return fail("runs as the default compute service account", at="service_account")
    if sa is None and not t.a.get("end_user_credentials", True):
        return fail(
            "end-user credentials are disabled and no service account is set: runs as the Compute Engine "
            "default service account",
            at="end_user_credentials",
        )
    return ok()
