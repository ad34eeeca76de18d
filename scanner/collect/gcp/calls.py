"""Every Google API call a GCP scan makes, with the permission it needs: the declared call
list. `docs/gcp-permissions.md` is derived from it, the collectors refuse to make a call that
is not listed here, and a test checks that a full scan makes only these calls and that each
one is read-only on the wire."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    method: str  # discovery method id (REST) or /package.Service/Method (gRPC)
    verb: str  # HTTP verb on the wire; "grpc" for the IAM admin API
    permission: str
    reads: str  # what it reads, for the docs and for "left unscanned" messages
    why_post: str = ""  # for a POST: why it is still read-only


_GET_IAM_POST = (
    "getIamPolicy is a POST in Resource Manager v3 because the request carries options "
    "(requestedPolicyVersion=3 for conditions) in a body; it returns the policy and changes nothing"
)

REST: dict[str, Call] = {
    c.method: c
    for c in (
        # Resource Manager v3: scope and IAM policies
        Call("cloudresourcemanager.projects.get", "GET", "resourcemanager.projects.get", "projects"),
        Call("cloudresourcemanager.projects.list", "GET", "resourcemanager.projects.list", "projects"),
        Call("cloudresourcemanager.folders.get", "GET", "resourcemanager.folders.get", "folders"),
        Call("cloudresourcemanager.folders.list", "GET", "resourcemanager.folders.list", "folders"),
        Call(
            "cloudresourcemanager.projects.getIamPolicy",
            "POST",
            "resourcemanager.projects.getIamPolicy",
            "project IAM policy and audit configuration",
            _GET_IAM_POST,
        ),
        Call(
            "cloudresourcemanager.folders.getIamPolicy",
            "POST",
            "resourcemanager.folders.getIamPolicy",
            "folder IAM policy",
            _GET_IAM_POST,
        ),
        Call(
            "cloudresourcemanager.organizations.getIamPolicy",
            "POST",
            "resourcemanager.organizations.getIamPolicy",
            "organization IAM policy",
            _GET_IAM_POST,
        ),
        # Vertex AI: the regions it is offered in (global endpoint), then each region's endpoint
        Call(
            "aiplatform.projects.locations.list",
            "GET",
            "aiplatform.locations.list",
            "Vertex AI regions (when --regions is not given)",
        ),
        Call(
            "aiplatform.projects.locations.endpoints.list",
            "GET",
            "aiplatform.endpoints.list",
            "Vertex AI endpoints",
        ),
        Call(
            "aiplatform.projects.locations.models.list", "GET", "aiplatform.models.list", "Vertex AI models"
        ),
        Call(
            "aiplatform.projects.locations.customJobs.list",
            "GET",
            "aiplatform.customJobs.list",
            "Vertex AI custom jobs",
        ),
        Call(
            "aiplatform.projects.locations.pipelineJobs.list",
            "GET",
            "aiplatform.pipelineJobs.list",
            "Vertex AI pipeline jobs",
        ),
        Call(
            "aiplatform.projects.locations.featurestores.list",
            "GET",
            "aiplatform.featurestores.list",
            "Vertex AI featurestores",
        ),
        Call(
            "aiplatform.projects.locations.tensorboards.list",
            "GET",
            "aiplatform.tensorboards.list",
            "Vertex AI TensorBoards",
        ),
        Call(
            "aiplatform.projects.locations.indexEndpoints.list",
            "GET",
            "aiplatform.indexEndpoints.list",
            "Vertex AI index endpoints",
        ),
        Call(
            "aiplatform.projects.locations.notebookRuntimeTemplates.list",
            "GET",
            "aiplatform.notebookRuntimeTemplates.list",
            "Vertex AI notebook runtime templates",
        ),
        # Workbench instances (Notebooks API v2) and legacy user-managed notebooks (v1)
        Call(
            "notebooks.projects.locations.instances.list",
            "GET",
            "notebooks.instances.list",
            "Workbench instances",
        ),
        # Cloud Run v2
        Call("run.projects.locations.services.list", "GET", "run.services.list", "Cloud Run services"),
        Call(
            "run.projects.locations.services.getIamPolicy",
            "GET",
            "run.services.getIamPolicy",
            "Cloud Run service IAM",
        ),
        Call("run.projects.locations.jobs.list", "GET", "run.jobs.list", "Cloud Run jobs"),
        Call("run.projects.locations.jobs.getIamPolicy", "GET", "run.jobs.getIamPolicy", "Cloud Run job IAM"),
        # Cloud Functions v1 and v2 (same discovery ids, different versions: see `versioned`)
        Call(
            "cloudfunctions.projects.locations.functions.list",
            "GET",
            "cloudfunctions.functions.list",
            "Cloud Functions",
        ),
        Call(
            "cloudfunctions.projects.locations.functions.getIamPolicy",
            "GET",
            "cloudfunctions.functions.getIamPolicy",
            "Cloud Functions IAM",
        ),
        # Cloud Storage: only the buckets ML resources reference
        Call("storage.buckets.get", "GET", "storage.buckets.get", "Cloud Storage bucket settings"),
        Call(
            "storage.buckets.getIamPolicy", "GET", "storage.buckets.getIamPolicy", "Cloud Storage bucket IAM"
        ),
        # Artifact Registry
        Call(
            "artifactregistry.projects.locations.repositories.list",
            "GET",
            "artifactregistry.repositories.list",
            "Artifact Registry repositories",
        ),
        Call(
            "artifactregistry.projects.locations.repositories.getIamPolicy",
            "GET",
            "artifactregistry.repositories.getIamPolicy",
            "Artifact Registry repository IAM",
        ),
        # Secret Manager: metadata only; versions.access is never called
        Call(
            "secretmanager.projects.secrets.list",
            "GET",
            "secretmanager.secrets.list",
            "Secret Manager secrets",
        ),
        Call(
            "secretmanager.projects.secrets.getIamPolicy",
            "GET",
            "secretmanager.secrets.getIamPolicy",
            "Secret Manager secret IAM",
        ),
    )
}

GRPC: dict[str, Call] = {
    c.method: c
    for c in (
        Call(
            "/google.iam.admin.v1.IAM/ListServiceAccounts",
            "grpc",
            "iam.serviceAccounts.list",
            "service accounts",
        ),
        Call(
            "/google.iam.admin.v1.IAM/ListServiceAccountKeys",
            "grpc",
            "iam.serviceAccountKeys.list",
            "service account keys",
        ),
        Call(
            "/google.iam.admin.v1.IAM/GetIamPolicy",
            "grpc",
            "iam.serviceAccounts.getIamPolicy",
            "service account IAM (who may act as it)",
        ),
        Call("/google.iam.admin.v1.IAM/ListRoles", "grpc", "iam.roles.list", "custom roles"),
    )
}

# Method ids that read and never change anything, by their last segment.
READ_ONLY_VERBS = ("get", "list", "getIamPolicy", "search")


def permissions() -> list[str]:
    return sorted({c.permission for c in (*REST.values(), *GRPC.values())})
