"""The GCP platform around ML workloads: Cloud Run jobs (batch inference, training steps),
Artifact Registry (the images and packages models ship in), Secret Manager, the project
roles of the identities models run as, Data Access audit logs, and Vertex prediction logs."""

from __future__ import annotations

from rules.helpers.gcp import default_sa_verdict, public_iam_member_verdict
from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved

RUN_SERVICE = "gcp.run.service"
RUN_JOB = "gcp.run.job"
REPO = "gcp.artifactregistry.repository"
SECRET = "gcp.secretmanager.secret"
SA = "gcp.iam.service_account"
AUDIT = "gcp.logging.audit_config"
ENDPOINT = "gcp.vertex.endpoint"

# compute that runs as a service account and serves or trains models
ML_COMPUTE = ("gcp.vertex.workbench_instance", RUN_SERVICE, RUN_JOB, "gcp.functions.function")
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor"})
ML_AUDITED_SERVICES = ("aiplatform.googleapis.com", "storage.googleapis.com")
DATA_LOG_TYPES = ("DATA_READ", "DATA_WRITE")


# ------------------------------------------------------------------------- Cloud Run
@rule(
    id="cloudrun-service-encrypted-with-cmek",
    title="Cloud Run services encrypt their container images with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[RUN_SERVICE],
    description="A Cloud Run revision's container image (model server code, often baked-in weights) is "
    "encrypted with a Google-managed key unless the service names a Cloud KMS key "
    "(template.encryption_key in v2, the run.googleapis.com/encryption-key annotation in v1). A CMEK "
    "lets the organization audit and revoke access to the image.",
    risk="No customer control (audit, revocation, crypto-shredding) over images that embed models.",
    remediation={
        "terraform": "template {\n  encryption_key = google_kms_crypto_key.run.id\n}",
        "cli": "gcloud run services update SERVICE --key=projects/P/locations/L/keyRings/R/cryptoKeys/K",
    },
    references=["https://cloud.google.com/run/docs/securing/using-cmek"],
    tags=["cmek"],
)
def run_service_cmek(svc: Resource):
    if svc.a.get("encryption_key") is None:
        return fail("no customer-managed encryption key is set", at="encryption_key", value=None)
    return ok()


@rule(
    id="cloudrun-job-not-default-service-account",
    title="Cloud Run jobs do not run as the Compute Engine default service account",
    severity="medium",
    category="iam",
    applies_to=[RUN_JOB],
    description="Without a dedicated service account, a Cloud Run job (batch inference, a training or "
    "data-preparation step) runs as the Compute Engine default service account, which usually holds "
    "the project Editor role.",
    risk="Code in the job, or a poisoned model or dependency it loads, gains Editor on the project.",
    remediation={
        "terraform": "template {\n  template {\n    service_account = google_service_account.job.email\n  }\n}",
        "cli": "gcloud run jobs update JOB --service-account=SA_EMAIL",
    },
    references=["https://cloud.google.com/run/docs/securing/service-identity"],
)
def job_not_default_sa(job: Resource):
    return default_sa_verdict(job)


@rule(
    id="cloudrun-job-env-no-secrets",
    title="Cloud Run job environment variables contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[RUN_JOB],
    description="Literal environment values of a job are visible to anyone with run.jobs.get and kept in "
    "Terraform state; secrets belong in Secret Manager, referenced with value_source.secret_key_ref.",
    risk="Leaked model-hub tokens, API keys or database credentials.",
    remediation={
        "terraform": 'env {\n  name = "HF_TOKEN"\n  value_source {\n    secret_key_ref {\n'
        '      secret  = google_secret_manager_secret.hf.secret_id\n      version = "latest"\n    }\n  }\n}',
        "cli": "gcloud run jobs update JOB --update-secrets=HF_TOKEN=hf-token:latest",
    },
    references=["https://cloud.google.com/run/docs/configuring/jobs/secrets"],
)
def job_env_no_secrets(job: Resource):
    return secret_verdicts(job, "containers")


# ------------------------------------------------------------------------- Artifact Registry
@rule(
    id="artifactregistry-repository-not-public",
    title="Artifact Registry repositories grant no role to allUsers or allAuthenticatedUsers",
    severity="high",
    category="iam",
    applies_to=[REPO],
    description="A repository IAM member or binding for allUsers or allAuthenticatedUsers lets anyone "
    "pull its images and packages (a reader role), or push to it (a writer role). ML repositories "
    "hold model-server images, often with weights and proprietary code baked in.",
    risk="Theft of models and code; with write roles, a supply-chain compromise of every deployment.",
    remediation={
        "terraform": "# grant the reader role to named principals instead\n"
        'resource "google_artifact_registry_repository_iam_member" "reader" {\n'
        "  repository = google_artifact_registry_repository.models.name\n"
        "  location   = google_artifact_registry_repository.models.location\n"
        '  role       = "roles/artifactregistry.reader"\n'
        '  member     = "serviceAccount:${google_service_account.run.email}"\n}',
        "cli": "gcloud artifacts repositories remove-iam-policy-binding REPO --location=LOCATION "
        "--member=allUsers --role=roles/artifactregistry.reader",
    },
    references=[
        "https://cloud.google.com/artifact-registry/docs/access-control",
        "https://cloud.google.com/artifact-registry/docs/repositories/configure-public-access",
    ],
    aliases=["CKV_GCP_101"],
)
def repository_not_public(repo: Resource):
    return public_iam_member_verdict(repo, "repository")


@rule(
    id="artifactregistry-repository-encrypted-with-cmek",
    title="Artifact Registry repositories are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[REPO],
    description="Without kms_key_name a repository's images and packages are encrypted with a "
    "Google-managed key. A CMEK (set when the repository is created) gives the organization audit and "
    "revocation over the artifacts that models ship in.",
    risk="No customer control over the encryption of model images and packages.",
    remediation={
        "terraform": "kms_key_name = google_kms_crypto_key.registry.id  # forces a new repository",
        "cli": "gcloud artifacts repositories create REPO --location=LOCATION --repository-format=docker "
        "--kms-key=projects/P/locations/L/keyRings/R/cryptoKeys/K",
    },
    references=["https://cloud.google.com/artifact-registry/docs/cmek"],
    aliases=["CKV_GCP_84"],
    tags=["cmek"],
)
def repository_cmek(repo: Resource):
    if repo.a.get("kms_key_name") is None:
        return fail("no customer-managed encryption key is set", at="kms_key_name", value=None)
    return ok()


# ------------------------------------------------------------------------- Secret Manager
@rule(
    id="secretmanager-secret-rotation-configured",
    title="Secret Manager secrets have a rotation schedule",
    severity="medium",
    category="governance",
    applies_to=[SECRET],
    description="A secret with a rotation block (rotation_period and a Pub/Sub topic) notifies its owner "
    "when it is due, so model-hub tokens and API keys used by ML pipelines are replaced on a schedule. "
    "A secret without one is rotated only when someone remembers. Secret Manager does not rotate the "
    "value itself: the notified function or pipeline does.",
    risk="Long-lived credentials: a leaked token stays valid indefinitely.",
    remediation={
        "terraform": 'topics {\n  name = google_pubsub_topic.rotation.id\n}\nrotation {\n  rotation_period    = "7776000s"\n'
        '  next_rotation_time = "2030-01-01T00:00:00Z"\n}',
        "cli": "gcloud secrets update SECRET --rotation-period=90d --next-rotation-time=2030-01-01T00:00:00Z "
        "--add-topics=projects/P/topics/T",
    },
    references=[
        "https://cloud.google.com/secret-manager/docs/secret-rotation",
        "https://cloud.google.com/secret-manager/docs/create-rotation-schedules",
    ],
)
def secret_rotation(s: Resource):
    if s.a.get("rotation_period") is None:
        return fail("no rotation schedule is set", at="rotation_period", value=None)
    return ok()


# ------------------------------------------------------------------------- identities
@rule(
    id="gcp-ml-service-account-no-primitive-roles",
    title="Service accounts that ML workloads run as hold no Owner or Editor role on the project",
    severity="high",
    category="iam",
    applies_to=[SA],
    description="A service account that a Vertex AI Workbench instance, a Cloud Run service or job, or a "
    "Cloud Function runs as (in this scan) must not hold the basic roles/owner or roles/editor at "
    "project level: those roles reach every dataset, model, secret and service in the project. The "
    "roles are read from the scan's google_project_iam_member and _binding resources; service "
    "accounts no ML workload of the scan runs as are not judged here.",
    risk="Code execution in a notebook, model server or function (a malicious model, a vulnerable "
    "dependency) becomes control of the whole project.",
    remediation={
        "terraform": "# replace the basic role with the predefined roles the workload needs\n"
        'resource "google_project_iam_member" "predict" {\n'
        "  project = var.project\n"
        '  role    = "roles/aiplatform.user"\n'
        '  member  = "serviceAccount:${google_service_account.run.email}"\n}',
        "cli": "gcloud projects remove-iam-policy-binding PROJECT "
        "--member=serviceAccount:SA_EMAIL --role=roles/editor",
    },
    references=[
        "https://cloud.google.com/iam/docs/understanding-roles#basic",
        "https://cloud.google.com/iam/docs/best-practices-service-accounts",
    ],
    aliases=["CKV_GCP_117"],
)
def ml_sa_no_primitive_roles(sa: Resource, inv):
    users = [r for r in inv.referrers(sa, "runs_as") if r.type in ML_COMPUTE]
    if not users:
        return ok()
    roles = sa.attrs.get("project_roles") or []
    if isinstance(roles, Unresolved):
        return unknown("project_roles is unresolved", at="project_roles")
    names = ", ".join(sorted({u.name for u in users}))
    for i, role in enumerate(roles):
        if isinstance(role, str) and role in PRIMITIVE_ROLES:
            return fail(f"holds {role} and runs {names}", at=f"project_roles[{i}]")
    if any(isinstance(r, Unresolved) for r in roles):
        return unknown("a project role granted to it is unresolved", at="project_roles")
    return ok()


# ------------------------------------------------------------------------- audit logs
def _covers(configs: list[Resource]) -> tuple[dict[str, set[str]], bool]:
    """Log types on for each ML service across `configs` (allServices counts for every
    service), and whether some config's service or log types were unresolved."""
    on: dict[str, set[str]] = {s: set() for s in ML_AUDITED_SERVICES}
    unresolved = False
    for c in configs:
        svc = c.attrs.get("service")
        types = c.attrs.get("log_types")
        if isinstance(svc, Unresolved) or isinstance(types, Unresolved):
            unresolved = True
            continue
        known = {t for t in types or [] if isinstance(t, str)}
        unresolved = unresolved or any(isinstance(t, Unresolved) for t in types or [])
        for s in ML_AUDITED_SERVICES:
            if svc in (s, "allServices"):
                on[s] |= known
    return on, unresolved


@rule(
    id="gcp-audit-logs-data-access-for-ml",
    title="Projects log Data Access (DATA_READ and DATA_WRITE) for Vertex AI and Cloud Storage",
    severity="medium",
    category="logging",
    applies_to=[AUDIT],
    description="Data Access audit logs are off by default for Vertex AI (aiplatform.googleapis.com) and "
    "Cloud Storage, so reads of training data and model artifacts and calls that predict or export "
    "models leave no trace. A project's audit configs (google_project_iam_audit_config) together must "
    "turn on DATA_READ and DATA_WRITE for both services, each directly or through allServices. The "
    "rule judges every audit config of a project by all the configs of that project in the scan: a "
    "project that declares its audit configuration in code but none of it covers Vertex AI and "
    "Cloud Storage fails on each of its configs, because the code is then the declared audit policy "
    "and it leaves ML data access unlogged. Projects with no audit config in the scan are not judged "
    "here (folder and organization configs are not read yet).",
    risk="Theft of training data or models through legitimate credentials cannot be detected or "
    "investigated.",
    remediation={
        "terraform": 'resource "google_project_iam_audit_config" "vertex" {\n  project = var.project\n'
        '  service = "aiplatform.googleapis.com"\n  audit_log_config { log_type = "DATA_READ" }\n'
        '  audit_log_config { log_type = "DATA_WRITE" }\n}\n'
        "# and the same for storage.googleapis.com (or one config for allServices)",
        "cli": "gcloud projects get-iam-policy PROJECT > policy.yaml  # add auditConfigs for "
        "aiplatform.googleapis.com and storage.googleapis.com with DATA_READ and DATA_WRITE\n"
        "gcloud projects set-iam-policy PROJECT policy.yaml",
    },
    references=[
        "https://cloud.google.com/logging/docs/audit/configure-data-access",
        "https://cloud.google.com/vertex-ai/docs/general/audit-logging",
    ],
)
def audit_logs_data_access(cfg: Resource, inv):
    project = cfg.attrs.get("project")
    if isinstance(project, Unresolved):
        siblings = [cfg]  # which project it belongs to is not known: judge it alone
    else:
        siblings = [
            c
            for c in inv.of_type(AUDIT)
            if c.attrs.get("project") == project and not isinstance(c.attrs.get("project"), Unresolved)
        ] or [cfg]
    on, unresolved = _covers(siblings)
    missing = [
        f"{s} {'/'.join(t for t in DATA_LOG_TYPES if t not in on[s])}"
        for s in ML_AUDITED_SERVICES
        if not set(DATA_LOG_TYPES) <= on[s]
    ]
    if not missing:
        return ok()
    if unresolved or isinstance(project, Unresolved):
        return unknown(f"data access logging not shown for {', '.join(missing)}", at="service")
    where = f"project {project}" if isinstance(project, str) else "the provider's project"
    return fail(f"{where} does not log {', '.join(missing)}", at="log_types")


# ------------------------------------------------------------------------- Vertex AI
@rule(
    id="vertex-endpoint-request-response-logging",
    title="Vertex AI endpoints log prediction requests and responses",
    severity="low",
    category="logging",
    applies_to=[ENDPOINT],
    description="With predict_request_response_logging_config enabled, a sample of an endpoint's "
    "prediction requests and responses is written to BigQuery, the record needed to investigate "
    "model abuse, prompt injection or data extraction through the endpoint.",
    risk="Abuse of the model through its prediction API leaves no record of what was asked or answered.",
    remediation={
        "terraform": "predict_request_response_logging_config {\n  enabled       = true\n"
        "  sampling_rate = 0.1\n  bigquery_destination {\n"
        '    output_uri = "bq://PROJECT.DATASET.TABLE"\n  }\n}',
        "cli": "gcloud beta ai endpoints update ENDPOINT_ID --region=REGION "
        "--request-response-logging-rate=0.1 --request-response-logging-table=bq://PROJECT.DATASET.TABLE",
    },
    references=["https://cloud.google.com/vertex-ai/docs/predictions/online-prediction-logging"],
)
def endpoint_request_response_logging(ep: Resource):
    if not ep.a.get("request_response_logging", False):
        return fail("request-response logging is disabled", at="request_response_logging")
    return ok()


@rule(
    id="secretmanager-secret-encrypted-with-cmek",
    title="Secret Manager secrets are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[SECRET],
    description="Secret payloads (model-hub tokens, database passwords, API keys of ML services) are "
    "encrypted with a Google-managed key unless every replica (or the automatic replication) names a "
    "Cloud KMS key. A CMEK lets you restrict who may decrypt, audit each use and revoke access by "
    "disabling the key.",
    risk="No key-level control or audit over the decryption of ML credentials.",
    remediation={
        "terraform": "replication {\n  auto {\n    customer_managed_encryption {\n"
        "      kms_key_name = google_kms_crypto_key.secrets.id\n    }\n  }\n}",
        "cli": "gcloud secrets create NAME --replication-policy=automatic --kms-key-name=KEY",
    },
    references=["https://cloud.google.com/secret-manager/docs/cmek"],
)
def secret_cmek(s: Resource):
    if not s.a.get("customer_managed_encryption", False):
        return fail("a replica is encrypted with a Google-managed key", at="customer_managed_encryption")
    return ok()
