"""IAM: service accounts, their user-managed keys, custom roles, and the IAM policies of
projects, folders and organizations (one `gcp.iam.project_binding` per binding, with its
condition) and their audit configs."""

from __future__ import annotations

import hashlib
from typing import Any

from scanner.model.resource import Unresolved

from .builder import Live, full_name, iam_members, last

IAM = "iam.googleapis.com"
CRM = "cloudresourcemanager.googleapis.com"
SA_MEMBER = "serviceAccount:"


def service_account(raw, project_roles: Any, keys: Any = None) -> Live:
    """`keys`: the ids of its user-managed keys, or Unresolved when they could not be listed."""
    d = raw.data
    email = d.get("email", "")
    b = Live(
        "iam:ListServiceAccounts",
        "gcp.iam.service_account",
        email,
        full_name(IAM, d["name"]),
        raw.project,
        None,
    )
    b.put("email", email)
    b.put("account_id", email.split("@", 1)[0])
    b.put("project_roles", project_roles)
    b.put("user_managed_keys", keys if keys is not None else [])
    b.alias(email, f"{SA_MEMBER}{email}", d.get("uniqueId", ""), d["name"])
    # who may act as the account (its own policy), as Terraform folds
    # google_service_account_iam_*: the privilege graph reads actAs, token creation and
    # Workload Identity grants from here
    b.put("iam_members", iam_members(raw.policy, raw.policy_error))
    # who may act as the account (its own policy): edges for the privilege graph
    for i, bnd in enumerate((raw.policy or {}).get("bindings") or []):
        for m in bnd.get("members") or []:
            b.relations.append(
                _rel(b.res.uid, "iam_member", m, f"iam_policy.bindings[{i}]:{bnd.get('role')}")
            )
    return b.finish()


def _rel(src, kind, dst, attr):
    from scanner.model.resource import Relation

    return Relation(src, kind, dst, attr)


def service_account_key(raw) -> Live:
    d = raw.data
    email = raw.extra.get("email") or ""
    b = Live(
        "iam:ListServiceAccountKeys",
        "gcp.iam.service_account_key",
        last(d["name"]),
        full_name(IAM, d["name"]),
        raw.project,
        None,
    )
    b.put("service_account", email)
    b.relate("key_of", email, "service_account")
    b.put("key_algorithm", d.get("keyAlgorithm"), default="KEY_ALG_RSA_2048")
    b.put("public_key_type", None, default="TYPE_X509_PEM_FILE")  # not returned by the list call
    b.flag("uploaded", True if d.get("keyOrigin") == "USER_PROVIDED" else None, False)
    b.put("valid_after_time", d.get("validAfterTime") or None)  # creation: the key's age counts from it
    return b.finish()


def custom_role(raw) -> Live:
    d = raw.data
    b = Live(
        "iam:ListRoles", "gcp.iam.custom_role", last(d["name"]), full_name(IAM, d["name"]), raw.project, None
    )
    b.put("role_id", d["name"])
    b.put("title", d.get("title"))
    b.put("stage", d.get("stage"), default="GA")
    b.put("permissions", sorted(d.get("includedPermissions") or []))
    return b.finish()


def _scope(resource: str) -> tuple[str, str]:
    kind, _, ident = resource.partition("/")
    return {"projects": "project", "folders": "folder", "organizations": "organization"}[kind], ident


def bindings(raw) -> list[Live]:
    resource = raw.extra["resource"]
    scope, ident = _scope(resource)
    out = []
    for bnd in raw.data.get("bindings") or []:
        role = bnd.get("role", "")
        cond = bnd.get("condition")
        key = role + (
            "#" + hashlib.sha256(str(sorted(cond.items())).encode()).hexdigest()[:8] if cond else ""
        )
        b = Live(
            "cloudresourcemanager:getIamPolicy",
            "gcp.iam.project_binding",
            f"{ident} {role}",
            full_name(CRM, f"{resource}#{key}"),
            raw.project or None,
            None,
        )
        b.put("scope", scope)
        b.put("scope_id", ident)
        b.put("role", role)
        members = list(bnd.get("members") or [])
        b.put("members", members)
        b.put("authoritative", True)  # a live binding is the whole member list of its role
        b.put(
            "condition", {"title": cond.get("title"), "expression": cond.get("expression")} if cond else None
        )
        for m in members:
            if m.startswith(SA_MEMBER):
                b.relate("grants_to", m[len(SA_MEMBER) :], "members")
        out.append(b.finish())
    return out


def audit_configs(raw) -> list[Live]:
    resource = raw.extra["resource"]
    if not resource.startswith("projects/"):
        return []  # the canonical type is a project's audit config
    project = resource.split("/", 1)[1]
    out = []
    for cfg in raw.data.get("auditConfigs") or []:
        svc = cfg.get("service", "")
        b = Live(
            "cloudresourcemanager:getIamPolicy",
            "gcp.logging.audit_config",
            f"{project} {svc}",
            full_name(CRM, f"{resource}#auditConfigs/{svc}"),
            project,
            None,
        )
        b.put("project", project)
        b.put("service", svc)
        logs = cfg.get("auditLogConfigs") or []
        b.put("log_types", [c.get("logType") for c in logs])
        b.put(
            "exempted_members",
            {c["logType"]: list(c["exemptedMembers"]) for c in logs if c.get("exemptedMembers")},
        )
        out.append(b.finish())
    return out


def project_roles_of(policies: dict[str, dict | None], email: str, home: str) -> Any:
    """Roles granted to serviceAccount:<email> by the project policies read in this scan;
    Unresolved when the account's own project policy could not be read."""
    if policies.get(f"projects/{home}", {}) is None:
        return Unresolved(f"IAM policy of project {home} not read")
    member = f"{SA_MEMBER}{email}"
    roles: list[str] = []
    for res, pol in sorted(policies.items()):
        if not res.startswith("projects/") or pol is None:
            continue
        for bnd in pol.get("bindings") or []:
            if member in (bnd.get("members") or []) and bnd.get("role") not in roles:
                roles.append(bnd["role"])
    return roles
