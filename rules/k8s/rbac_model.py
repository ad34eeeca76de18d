"""What a RoleBinding or ClusterRoleBinding grants, worked out over the inventory: the
role it binds (from the scan, or one of the built-in user-facing ClusterRoles), with
ClusterRole aggregation followed, and which of its subjects are not the cluster's own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

ROLE = "k8s.role"
CLUSTER_ROLE = "k8s.cluster_role"
ROLE_BINDING = "k8s.role_binding"
CLUSTER_ROLE_BINDING = "k8s.cluster_role_binding"

USER_FACING_ROLES = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles"
RBAC_GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
RBAC_DOCS = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"


def _r(groups, resources, verbs) -> dict:
    return {
        "api_groups": groups,
        "resources": resources,
        "verbs": verbs,
        "resource_names": [],
        "non_resource_urls": [],
    }


_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
# The rules that matter here of the built-in user-facing ClusterRoles (kubectl get
# clusterrole edit -o yaml): edit and admin read Secrets and run and exec into pods.
_VIEW = [_r([""], ["pods", "services", "configmaps", "endpoints", "persistentvolumeclaims"], _READ)]
_EDIT = [
    _r([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _WRITE + _READ),
    _r([""], ["secrets", "configmaps", "services", "serviceaccounts"], _WRITE + _READ),
    _r([""], ["serviceaccounts"], ["impersonate"]),
    _r(["apps", "batch"], ["deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"], _WRITE + _READ),
]
_ADMIN = [_r(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], _WRITE + _READ)]
BUILTIN_RULES = {
    "cluster-admin": [_r(["*"], ["*"], ["*"])],
    "admin": _ADMIN,
    "edit": _EDIT,
    "view": _VIEW,
}
# Built-in aggregation: admin takes in edit (labelled aggregate-to-admin), edit takes in view.
BUILTIN_INCLUDES = {"admin": "edit", "edit": "view"}

# Groups every user or service account is in: "system:" names, but anyone's.
BROAD_GROUPS = {"system:authenticated", "system:unauthenticated", "system:serviceaccounts"}
SYSTEM_NAMESPACES = {"kube-system"}


@dataclass
class Role:
    kind: str
    name: str
    rules: list[dict]
    builtin: bool = False

    def label(self) -> str:
        return f'{self.kind} "{self.name}"' + (" (built-in)" if self.builtin else "")


def is_system_subject(s) -> bool:
    """The control plane's own identities; broad groups such as system:authenticated are not."""
    kind, name = s.get("kind"), str(s.get("name"))
    if kind == "ServiceAccount":
        return s.get("namespace") in SYSTEM_NAMESPACES
    if name in BROAD_GROUPS or name.startswith("system:serviceaccounts:"):
        return False
    if name.startswith("system:serviceaccount:"):
        return name.split(":")[2] in SYSTEM_NAMESPACES
    return name.startswith("system:")


def tenant_subjects(binding: Resource) -> list[dict]:
    return [s for s in binding.attrs.get("subjects", []) if not is_system_subject(s)]


def subject_label(s) -> str:
    if s.get("kind") == "ServiceAccount":
        return f"ServiceAccount {s.get('namespace')}/{s.get('name')}"
    return f"{s.get('kind')} {s.get('name')}"


def _aggregated(role: Resource, inventory: Inventory, seen: set[str]) -> list[dict]:
    """Rules of the scan's ClusterRoles that this aggregated ClusterRole selects."""
    out: list[dict] = []
    for sel in role.attrs.get("aggregation_selectors", []):
        if not sel:
            continue
        for other in inventory.of_type(CLUSTER_ROLE):
            if other.account == role.account and other.uid not in seen and sel.items() <= other.tags.items():
                out += cluster_role_rules(other, inventory, seen)
    return out


def cluster_role_rules(role: Resource, inventory: Inventory, seen: set[str] | None = None) -> list[dict]:
    seen = seen if seen is not None else set()
    seen.add(role.uid)
    if role.attrs.get("aggregation_selectors"):
        return _aggregated(role, inventory, seen)  # the controller replaces the written rules
    return list(role.attrs.get("rules", []))


def builtin_rules(name: str, account: str | None, inventory: Inventory) -> list[dict]:
    """A built-in role's rules plus what the scan's ClusterRoles aggregate into it."""
    rules = list(BUILTIN_RULES[name])
    for other in inventory.of_type(CLUSTER_ROLE):
        if other.account == account and name in other.attrs.get("aggregate_to", []):
            rules += cluster_role_rules(other, inventory)
    if name in BUILTIN_INCLUDES:
        rules += builtin_rules(BUILTIN_INCLUDES[name], account, inventory)
    return rules


def bound_role(binding: Resource, inventory: Inventory) -> Role | None:
    ref = binding.attrs["role_ref"]
    found = inventory.related(binding, "binds")
    if found:
        role = found[0]
        if role.type == CLUSTER_ROLE:
            return Role("ClusterRole", role.name, cluster_role_rules(role, inventory))
        return Role("Role", role.name, list(role.attrs.get("rules", [])))
    if ref.get("kind") == "ClusterRole" and ref.get("name") in BUILTIN_RULES:
        return Role("ClusterRole", ref["name"], builtin_rules(ref["name"], binding.account, inventory), True)
    return None


def _match(have: Iterable[str], want: str) -> bool:
    return "*" in have or want in have


def _resource_match(have: Iterable[str], want: str) -> bool:
    """RBAC resource matching: "*", the name, "pods/*" for a subresource, "*/exec"."""
    have = list(have)
    if "*" in have or want in have:
        return True
    base, _, sub = want.partition("/")
    return bool(sub) and (f"{base}/*" in have or f"*/{sub}" in have)


def grants(rules: list[dict], group: str, resource: str, verbs: Iterable[str]) -> list[str]:
    """The verbs of `verbs` that the rules allow on every object of `resource` (a rule
    limited to resourceNames reaches only those objects and is left out)."""
    allowed: list[str] = []
    for rule in rules:
        if rule.get("resource_names") or not _match(rule.get("api_groups", []), group):
            continue
        if not _resource_match(rule.get("resources", []), resource):
            continue
        allowed += [v for v in verbs if _match(rule.get("verbs", []), v) and v not in allowed]
    return allowed


def wildcard_rule(rules: list[dict]) -> bool:
    return any("*" in r.get("verbs", []) and "*" in r.get("resources", []) for r in rules)
