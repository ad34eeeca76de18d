"""Kubernetes grants on declared assets (``k8s:<ns>/<resource>/<name>``): Roles and
ClusterRoles bound in the asset's namespace (or cluster-wide) that allow ``get`` on it.
ServiceAccount and User subjects are principals as the audit log names them; Group
subjects keep their name when the logs can tell membership (``system:serviceaccounts``,
``system:serviceaccounts:<ns>``, ``system:authenticated``) and become
``k8s-group:<name>`` otherwise."""

from __future__ import annotations

import fnmatch

from runtime_monitor.audit.declared import DeclaredAsset
from runtime_monitor.audit.granted import Grants
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

BUILTIN_GROUPS = ("system:authenticated", "system:serviceaccounts")


def subject_principal(s: dict, binding_ns) -> str | None:
    kind, name = s.get("kind"), s.get("name")
    if not isinstance(name, str) or not name:
        return None
    if kind == "ServiceAccount":
        return f"system:serviceaccount:{s.get('namespace') or binding_ns}:{name}"
    if kind == "User":
        return name
    if kind == "Group":
        if name in BUILTIN_GROUPS or name.startswith("system:serviceaccounts:"):
            return name
        return f"k8s-group:{name}"
    return None


def _allows(role: Resource, resource: str, name: str) -> bool:
    for rule in role.attrs.get("rules") or []:
        if not isinstance(rule, dict):
            continue
        verbs, resources = rule.get("verbs") or [], rule.get("resources") or []
        names = rule.get("resource_names") or []
        if (
            any(v in ("get", "*") for v in verbs)
            and any(r in (resource, "*") for r in resources)
            and (not names or name in names or name == "*")
        ):
            return True
    return False


def fill(inv: Inventory, d: DeclaredAsset, out: Grants) -> None:
    for loc, _ in d.patterns:
        if not loc.startswith("k8s:"):
            continue
        parts = loc[4:].split("/")
        if len(parts) < 2:
            continue
        ns, resource, name = parts[0], parts[1].lower(), parts[2] if len(parts) > 2 else "*"
        resource = resource if resource.endswith("s") else resource + "s"
        for b in inv.of_type("k8s.role_binding", "k8s.cluster_role_binding"):
            bns = b.attrs.get("namespace")
            if b.type == "k8s.role_binding" and not fnmatch.fnmatchcase(str(bns), ns):
                continue
            if not any(_allows(role, resource, name) for role in inv.related(b, "binds")):
                continue
            for s in b.attrs.get("subjects") or []:
                p = subject_principal(s, bns) if isinstance(s, dict) else None
                if p is not None:
                    out.add(p, "allow", f"{b.type.split('.')[-1]} {b.uid}")
