"""Cloud Functions (v1 and v2)."""

from __future__ import annotations

from rules.helpers.gcp import default_sa_verdict, public_member_verdict
from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

FUNCTION = "gcp.functions.function"


@rule(
    id="cloudfunctions-function-not-public",
    title="Cloud Functions cannot be invoked by allUsers or allAuthenticatedUsers",
    severity="high",
    category="iam",
    applies_to=[FUNCTION],
    description="Granting the invoker role to allUsers or allAuthenticatedUsers lets anyone on the "
    "internet (or any Google account) call the function.",
    risk="Unauthenticated invocation: cost, abuse and data exposure.",
    remediation={
        "terraform": 'member = "serviceAccount:${google_service_account.caller.email}"',
        "cli": "gcloud functions remove-invoker-policy-binding FUNCTION --member=allUsers",
    },
    references=["https://cloud.google.com/functions/docs/securing/managing-access-iam"],
    aliases=["CKV_GCP_107", "cloudfunction_function_not_publicly_accessible"],
)
def function_not_public(fn: Resource):
    return public_member_verdict(fn)


@rule(
    id="cloudfunctions-function-ingress-restricted",
    title="Cloud Functions do not accept ingress from all sources",
    severity="medium",
    category="network",
    applies_to=[FUNCTION],
    description="ALLOW_ALL exposes the function's URL to the internet; internal-only ingress keeps it "
    "reachable from the VPC (and a load balancer, if chosen) only.",
    risk="Direct internet access to the function.",
    remediation={
        "terraform": 'ingress_settings = "ALLOW_INTERNAL_ONLY"  # v2: service_config { ingress_settings = ... }',
        "cli": "gcloud functions deploy FUNCTION --ingress-settings=internal-only",
    },
    references=["https://cloud.google.com/functions/docs/networking/network-settings"],
    aliases=["CKV_GCP_124"],
)
def function_ingress_restricted(fn: Resource):
    if fn.a.get("ingress_settings", "ALLOW_ALL") == "ALLOW_ALL":
        return fail("ingress allows all traffic", at="ingress_settings")
    return ok()


@rule(
    id="cloudfunctions-function-https-only",
    title="Cloud Functions HTTP triggers accept HTTPS only",
    severity="medium",
    category="network",
    applies_to=[FUNCTION],
    description="A first-generation HTTP function with SECURE_OPTIONAL answers plain HTTP, so requests "
    "and bearer tokens can travel unencrypted. Second-generation functions are HTTPS only.",
    risk="Interception of requests and credentials in transit.",
    remediation={
        "terraform": 'https_trigger_security_level = "SECURE_ALWAYS"',
        "cli": "gcloud functions deploy FUNCTION --no-gen2 --trigger-http --security-level=secure-always",
    },
    references=[
        "https://cloud.google.com/functions/docs/reference/rest/v1/projects.locations.functions#SecurityLevel"
    ],
    aliases=["CKV2_GCP_10"],
)
def function_https_only(fn: Resource):
    if fn.a.get("generation", "v1") != "v1" or not fn.a.get("https_trigger", False):
        return ok()
    if fn.a.get("https_security_level") != "SECURE_ALWAYS":
        return fail("plain HTTP is accepted", at="https_security_level")
    return ok()


@rule(
    id="cloudfunctions-function-env-no-secrets",
    title="Cloud Functions environment variables contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[FUNCTION],
    description="Literal environment values are visible to anyone with cloudfunctions.functions.get and "
    "kept in state; secrets belong in Secret Manager (secret_environment_variables).",
    risk="Leaked API keys, model-hub tokens or credentials.",
    remediation={
        "terraform": 'secret_environment_variables {\n  key     = "HF_TOKEN"\n'
        '  secret  = google_secret_manager_secret.hf.secret_id\n  version = "latest"\n}',
        "cli": "gcloud functions deploy FUNCTION --set-secrets=HF_TOKEN=hf-token:latest",
    },
    references=["https://cloud.google.com/functions/docs/configuring/secrets"],
)
def function_env_no_secrets(fn: Resource):
    return secret_verdicts(fn, "environment")


@rule(
    id="cloudfunctions-function-not-default-service-account",
    title="Cloud Functions do not run as a default service account",
    severity="medium",
    category="iam",
    applies_to=[FUNCTION],
    description="Without a dedicated service account, a first-generation function runs as the App Engine "
    "default service account and a second-generation one as the Compute Engine default service account; "
    "both usually hold the project Editor role.",
    risk="A compromised function (or a poisoned model or dependency it loads) gains Editor on the project.",
    remediation={
        "terraform": "service_account_email = google_service_account.fn.email"
        "  # v2: service_config { service_account_email = ... }",
        "cli": "gcloud functions deploy FUNCTION --service-account=SA_EMAIL",
    },
    references=["https://cloud.google.com/functions/docs/securing/function-identity"],
)
def function_not_default_sa(fn: Resource):
    return default_sa_verdict(fn)
