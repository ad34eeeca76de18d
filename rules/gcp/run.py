"""Cloud Run services."""

from __future__ import annotations

from rules.helpers.gcp import default_sa_verdict, public_member_verdict
from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

SERVICE = "gcp.run.service"


@rule(
    id="cloudrun-service-not-public",
    title="Cloud Run services cannot be invoked by allUsers or allAuthenticatedUsers",
    severity="high",
    category="iam",
    applies_to=[SERVICE],
    description="Granting roles/run.invoker to allUsers or allAuthenticatedUsers lets anyone on the "
    "internet (or any Google account) call the service, such as an inference API.",
    risk="Unauthenticated use of the model: cost, abuse and data exposure.",
    remediation={
        "terraform": 'member = "serviceAccount:${google_service_account.caller.email}"',
        "cli": "gcloud run services remove-iam-policy-binding SERVICE --member=allUsers --role=roles/run.invoker",
    },
    references=[
        "https://cloud.google.com/run/docs/authenticating/public",
        "https://cloud.google.com/run/docs/securing/managing-access",
    ],
    aliases=["CKV_GCP_102"],
)
def service_not_public(svc: Resource):
    return public_member_verdict(svc)


@rule(
    id="cloudrun-service-ingress-restricted",
    title="Cloud Run services do not accept ingress from all sources",
    severity="medium",
    category="network",
    applies_to=[SERVICE],
    description='With ingress "all" the service\'s run.app URL is reachable from the internet, bypassing '
    "any load balancer, Cloud Armor policy or VPC Service Controls perimeter in front of it.",
    risk="Direct internet access to the service around perimeter controls.",
    remediation={
        "terraform": 'ingress = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"  # v2; v1: run.googleapis.com/ingress annotation',
        "cli": "gcloud run services update SERVICE --ingress=internal-and-cloud-load-balancing",
    },
    references=["https://cloud.google.com/run/docs/securing/ingress"],
)
def service_ingress_restricted(svc: Resource):
    if svc.a.get("ingress", "all") == "all":
        return fail("ingress allows all traffic", at="ingress")
    return ok()


@rule(
    id="cloudrun-service-not-default-service-account",
    title="Cloud Run services do not run as the Compute Engine default service account",
    severity="medium",
    category="iam",
    applies_to=[SERVICE],
    description="Without a dedicated service account, a Cloud Run revision runs as the Compute Engine "
    "default service account, which usually holds the project Editor role.",
    risk="A compromised container (or model) gains Editor on the project.",
    remediation={
        "terraform": "service_account = google_service_account.run.email",
        "cli": "gcloud run services update SERVICE --service-account=SA_EMAIL",
    },
    references=["https://cloud.google.com/run/docs/securing/service-identity"],
)
def service_not_default_sa(svc: Resource):
    return default_sa_verdict(svc)


@rule(
    id="cloudrun-service-env-no-secrets",
    title="Cloud Run service environment variables contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[SERVICE],
    description="Literal environment values are visible to anyone with run.services.get and kept in "
    "state; secrets belong in Secret Manager, mounted with secret_key_ref.",
    risk="Leaked API keys, model-hub tokens or credentials.",
    remediation={
        "terraform": 'env {\n  name = "HF_TOKEN"\n  value_source {\n    secret_key_ref {\n'
        '      secret  = google_secret_manager_secret.hf.secret_id\n      version = "latest"\n    }\n  }\n}',
        "cli": "gcloud run services update SERVICE --update-secrets=HF_TOKEN=hf-token:latest",
    },
    references=["https://cloud.google.com/run/docs/configuring/services/secrets"],
)
def service_env_no_secrets(svc: Resource):
    return secret_verdicts(svc, "containers")
