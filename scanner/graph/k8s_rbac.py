"""Kubernetes RBAC as the authorizer sees it: what each subject is granted, where, and by
which binding. A RoleBinding grants its role (a Role of its own namespace, or a ClusterRole)
only in that namespace; a ClusterRoleBinding grants cluster-wide. Aggregated ClusterRoles
take the rules of the ClusterRoles their selectors match (the controller replaces the rules
written on them); the built-in user-facing roles are known by name. Matching follows the
API server's evaluation helpers: "*" verbs, groups and resources, "*/<subresource>", and
resourceNames, which never match a request without a name (list, create)."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

ROLE = "k8s.role"
CLUSTER_ROLE = "k8s.cluster_role"
ROLE_BINDING = "k8s.role_binding"
CLUSTER_ROLE_BINDING = "k8s.cluster_role_binding"


def as_list(v) -> list:
    """A list attribute, or [] where it is missing or unresolved (what cannot be read grants nothing)."""
    return v if isinstance(v, list) else []


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict:
    return {"api_groups": groups, "resources": resources, "verbs": verbs, "resource_names": []}


_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_PODS = ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "pods/ephemeralcontainers"]
_CONTROLLERS = ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"]
# The rules that matter for privilege paths of the built-in user-facing ClusterRoles
# (kubectl get clusterrole admin/edit/view -o yaml on Kubernetes 1.30). edit and admin can
# create pods, exec, read secrets and impersonate service accounts; view reads no secrets.
_VIEW = [_rule([""], ["pods", "services", "configmaps", "endpoints", "serviceaccounts"], _READ)]
_EDIT = [
    _rule([""], _PODS, _WRITE + _READ),
    _rule(
        [""],
        ["secrets", "configmaps", "services", "serviceaccounts", "replicationcontrollers"],
        _WRITE + _READ,
    ),
    _rule([""], ["serviceaccounts"], ["impersonate"]),
    _rule([""], ["serviceaccounts/token"], ["create"]),
    _rule(["apps", "batch"], _CONTROLLERS, _WRITE + _READ),
]
_ADMIN = [_rule(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], _WRITE + _READ)]
BUILTIN_RULES: dict[str, list[dict]] = {
    "cluster-admin": [_rule(["*"], ["*"], ["*"])],
    "admin": _ADMIN + _EDIT + _VIEW,
    "edit": _EDIT + _VIEW,
    "view": _VIEW,
}
BUILTIN_AGGREGATES = {"admin": ("admin", "edit", "view"), "edit": ("edit", "view"), "view": ("view",)}


@dataclass(frozen=True, slots=True)
class Grant:
    """One rule, granted to a subject by one binding, in a namespace (None = cluster-wide)."""

    rule: dict
    namespace: str | None
    binding: Resource
    role: str  # "Role ml/pod-launcher", "ClusterRole edit (built-in)"


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # ServiceAccount | User | Group
    name: str
    namespace: str | None = None  # a service account's


def _aggregated(role: Resource, inv: Inventory, seen: set[str]) -> list[dict]:
    out: list[dict] = []
    for sel in as_list(role.attrs.get("aggregation_selectors")):
        if not isinstance(sel, dict) or not sel:
            continue  # an empty selector matches nothing in the controller
        for other in inv.of_type(CLUSTER_ROLE):
            if other.account == role.account and other.uid not in seen and sel.items() <= other.tags.items():
                out += cluster_role_rules(other, inv, seen)
    return out


def cluster_role_rules(role: Resource, inv: Inventory, seen: set[str] | None = None) -> list[dict]:
    """A ClusterRole's effective rules: aggregated ones replace the rules written on it."""
    seen = seen if seen is not None else set()
    seen.add(role.uid)
    if role.attrs.get("aggregation_selectors"):
        return _aggregated(role, inv, seen)
    return list(as_list(role.attrs.get("rules")))


def _builtin(name: str, cluster: str | None, inv: Inventory) -> list[dict]:
    rules = list(BUILTIN_RULES[name])
    for part in BUILTIN_AGGREGATES.get(name, ()):  # the scan's roles labelled aggregate-to-<part>
        for other in inv.of_type(CLUSTER_ROLE):
            if other.account == cluster and part in (as_list(other.attrs.get("aggregate_to"))):
                rules += cluster_role_rules(other, inv)
    return rules


def bound_rules(binding: Resource, inv: Inventory) -> tuple[list[dict], str] | None:
    """The rules a binding grants and a label for its role; None when the role is neither in
    the scan nor built in (what it grants is then unknown, so it grants nothing here)."""
    ref = binding.attrs.get("role_ref") or {}
    for role in inv.related(binding, "binds"):
        if role.type == CLUSTER_ROLE:
            return cluster_role_rules(role, inv), f"ClusterRole {role.name}"
        if role.type == ROLE and role.region == binding.region:
            return list(as_list(role.attrs.get("rules"))), f"Role {role.region}/{role.name}"
    if ref.get("kind") == "ClusterRole" and ref.get("name") in BUILTIN_RULES:
        return _builtin(ref["name"], binding.account, inv), f"ClusterRole {ref['name']} (built-in)"
    return None


def grants_by_subject(inv: Inventory, cluster: str) -> dict[Subject, list[Grant]]:
    out: dict[Subject, list[Grant]] = {}
    for b in inv.of_type(ROLE_BINDING, CLUSTER_ROLE_BINDING):
        if b.account != cluster:
            continue
        found = bound_rules(b, inv)
        if found is None:
            continue
        rules, label = found
        ns = b.region if b.type == ROLE_BINDING else None
        for s in as_list(b.attrs.get("subjects")):
            if not isinstance(s, dict) or s.get("kind") not in ("ServiceAccount", "User", "Group"):
                continue
            subj = subject_of(s["kind"], str(s.get("name")), s.get("namespace"))
            out.setdefault(subj, []).extend(Grant(r, ns, b, label) for r in rules if isinstance(r, dict))
    return out


def subject_of(kind: str, name: str, namespace: str | None) -> Subject:
    """A User named system:serviceaccount:<ns>:<name> is that service account."""
    if kind == "User" and name.startswith("system:serviceaccount:") and name.count(":") == 3:
        _, _, ns, sa = name.split(":")
        return Subject("ServiceAccount", sa, ns)
    return Subject(kind, name, namespace if kind == "ServiceAccount" else None)


def implicit_groups(subject: Subject) -> list[str]:
    """The groups the API server puts every authenticated request of this subject in."""
    if subject.kind == "ServiceAccount":
        return [
            "system:authenticated",
            "system:serviceaccounts",
            f"system:serviceaccounts:{subject.namespace}",
        ]
    if subject.kind == "User":
        return ["system:authenticated"]
    return []


# ------------------------------------------------------------------ matching
@dataclass(frozen=True, slots=True)
class Request:
    verb: str
    resource: str  # "pods", "pods/exec"
    group: str = ""

    @classmethod
    def parse(cls, action: str) -> Request:
        """ "create jobs.batch" / "create pods/exec" / "approve signers.certificates.k8s.io" """
        verb, _, rest = action.strip().partition(" ")
        resource, _, group = rest.partition(".")
        if not verb or not resource:
            raise ValueError(f"not a Kubernetes permission: {action!r}")
        return cls(verb.lower(), resource.lower(), group)


def _resource_matches(have: list[str], want: str) -> bool:
    if "*" in have or want in have:
        return True
    _, _, sub = want.partition("/")
    return bool(sub) and f"*/{sub}" in have


def rule_allows(rule: dict, req: Request, name: str | None) -> bool:
    verbs, groups = as_list(rule.get("verbs")), as_list(rule.get("api_groups"))
    if not ("*" in verbs or req.verb in verbs) or not ("*" in groups or req.group in groups):
        return False
    if not _resource_matches(as_list(rule.get("resources")), req.resource):
        return False
    names = as_list(rule.get("resource_names"))
    return not names or (name is not None and name in names)


def allowing(
    grants: list[Grant], req: Request, namespace: str | None, name: str | None = None
) -> list[Grant]:
    """The grants that allow `req` on an object `name` (None = any object) in `namespace`
    (None = a cluster-scoped resource, or every namespace at once)."""
    return [
        g
        for g in grants
        if (g.namespace is None or g.namespace == namespace) and rule_allows(g.rule, req, name)
    ]


def namespaces_of(grants: list[Grant]) -> set[str | None]:
    """Where grants apply: their namespaces, None for cluster-wide."""
    return {g.namespace for g in grants}
