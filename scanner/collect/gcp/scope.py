"""Which projects a scan reads: named ones, and every project under a folder or an
organization (Resource Manager v3, folders walked recursively). Also each project's
ancestors, whose IAM policies every resource in the project inherits."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Raw, ScanContext

_MAX_DEPTH = 10  # GCP nests folders at most 10 deep


def _crm(ctx: ScanContext):
    return ctx.rest.service("cloudresourcemanager", "v3")


def _children(ctx: ScanContext, parent: str, depth: int = 0) -> Iterator[dict]:
    """Active projects under `parent` (folders/ID or organizations/ID), recursively, as they
    are listed: a later page that fails leaves the projects already listed in scope."""
    crm = _crm(ctx)
    for p in ctx.rest.pages(lambda t: crm.projects().list(parent=parent, pageToken=t), "projects"):
        if p.get("state", "ACTIVE") == "ACTIVE":
            yield p
    if depth < _MAX_DEPTH:
        folders: list[dict] = []
        with ctx.unit(f"folders under {parent} and the projects in them"):
            for f in ctx.rest.pages(lambda t: crm.folders().list(parent=parent, pageToken=t), "folders"):
                folders.append(f)
        for f in [f for f in folders if f.get("state", "ACTIVE") == "ACTIVE"]:
            with ctx.unit(f"projects under {f.get('name')}"):
                yield from _children(ctx, f["name"], depth + 1)


def resolve_projects(ctx: ScanContext) -> list[dict]:
    """Project records ({projectId, name: projects/NUMBER, parent, state}) in scope."""
    s = ctx.settings
    found: dict[str, dict] = {}
    crm = _crm(ctx)
    for pid in s.projects:
        if not s.mine(pid):
            continue  # another shard's: not even read
        with ctx.unit(
            f"project {pid} (everything in it)", project=pid, api="cloudresourcemanager.googleapis.com"
        ):
            p = ctx.rest.call(crm.projects().get(name=f"projects/{pid}"))
            if p.get("state", "ACTIVE") != "ACTIVE":
                ctx.error(f"project {pid} is {p.get('state')}", f"project {pid}")
                continue
            found[p.get("projectId", pid)] = p
    for parent in [f"folders/{f}" for f in s.folders] + [f"organizations/{o}" for o in s.organizations]:
        with ctx.unit(f"projects under {parent}"):
            for p in _children(ctx, parent):
                if s.mine(p["projectId"]):
                    found.setdefault(p["projectId"], p)
    return list(found.values())


def ancestors(ctx: ScanContext, projects: list[dict]) -> list[str]:
    """Folders and organizations above the projects, each once."""
    crm = _crm(ctx)
    seen: list[str] = []
    for p in projects:
        parent = p.get("parent") or ""
        for _ in range(_MAX_DEPTH + 1):
            if not parent or parent in seen:
                break
            seen.append(parent)
            if not parent.startswith("folders/"):
                break  # an organization is the root
            with ctx.unit(f"ancestors of {parent} and their IAM policies"):
                parent = ctx.rest.call(crm.folders().get(name=parent)).get("parent") or ""
                continue
            break
    return seen


def read_policy(ctx: ScanContext, resource: str, project: str = "") -> None:
    """IAM policy (with conditions: version 3) and audit configs of a project, folder or
    organization, as a `crm.policy` record."""
    crm = _crm(ctx)
    kind = resource.split("/", 1)[0]
    coll = {"projects": crm.projects, "folders": crm.folders, "organizations": crm.organizations}[kind]
    body = {"options": {"requestedPolicyVersion": 3}}
    with ctx.unit(f"IAM policy and audit configuration of {resource}", project=project):
        policy = ctx.rest.call(coll().getIamPolicy(resource=resource, body=body))
        ctx.add(Raw("crm.policy", project, policy, extra={"resource": resource}))
        return
    ctx.add(Raw("crm.policy_error", project, {}, extra={"resource": resource}))
