"""Artifact Registry repositories (images and packages models ship in) and Secret Manager
secret metadata. Secret values are never read: `versions.access` is not a declared call."""

from __future__ import annotations

from .context import Raw, ScanContext


def collect_repositories(ctx: ScanContext, project: str, location: str) -> None:
    repos = ctx.rest.service("artifactregistry", "v1").projects().locations().repositories
    parent = f"projects/{project}/locations/{location}"
    what = f"Artifact Registry repositories in project {project}, location {location}"
    with ctx.unit(what, project, "artifactregistry.googleapis.com"):
        # consumed as it arrives: a later page that fails leaves the earlier ones scanned
        for item in ctx.rest.pages(lambda t: repos().list(parent=parent, pageToken=t), "repositories"):
            policy, why = ctx.policy_of(
                lambda item=item: ctx.rest.call(
                    repos().getIamPolicy(resource=item["name"], **{"options_requestedPolicyVersion": 3})
                ),
                f"IAM policy of {item['name']}",
            )
            ctx.add(
                Raw("artifactregistry.repository", project, item, location, policy=policy, policy_error=why)
            )


def collect_secrets(ctx: ScanContext, project: str) -> None:
    secrets = ctx.rest.service("secretmanager", "v1").projects().secrets
    with ctx.unit(f"Secret Manager secrets in project {project}", project, "secretmanager.googleapis.com"):
        parent = f"projects/{project}"
        for item in ctx.rest.pages(lambda t: secrets().list(parent=parent, pageToken=t), "secrets"):
            policy, why = ctx.policy_of(
                lambda item=item: ctx.rest.call(
                    secrets().getIamPolicy(resource=item["name"], **{"options_requestedPolicyVersion": 3})
                ),
                f"IAM policy of {item['name']}",
            )
            ctx.add(Raw("secretmanager.secret", project, item, policy=policy, policy_error=why))
