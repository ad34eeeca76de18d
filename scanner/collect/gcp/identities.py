"""Service accounts, their user-managed keys and IAM policies, and custom roles (IAM admin
API over gRPC)."""

from __future__ import annotations

from .context import Raw, ScanContext


def collect_identities(ctx: ScanContext, project: str) -> None:
    with ctx.unit(f"service accounts of project {project}", project, "iam.googleapis.com"):
        for sa in ctx.iam.service_accounts(project):
            name = sa.get("name", "")
            keys: list[dict] | None = None
            with ctx.unit(f"keys of service account {sa.get('email')}", project, "iam.googleapis.com"):
                keys = ctx.iam.keys(name)
            policy, why = ctx.policy_of(
                lambda name=name: ctx.iam.policy(name), f"IAM policy of service account {sa.get('email')}"
            )
            ctx.add(Raw("iam.service_account", project, sa, policy=policy, policy_error=why))
            for k in keys or []:
                ctx.add(Raw("iam.service_account_key", project, k, extra={"email": sa.get("email")}))
            if keys is None:
                ctx.add(Raw("iam.keys_error", project, {}, extra={"email": sa.get("email")}))
    with ctx.unit(f"custom roles of project {project}", project, "iam.googleapis.com"):
        for role in ctx.iam.custom_roles(project):
            ctx.add(Raw("iam.custom_role", project, role))
