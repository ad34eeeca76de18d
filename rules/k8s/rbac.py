"""RBAC: what bindings hand to people and workloads that are not the control plane.
Checked on the binding, where the grant is made; the role may be in another file or be a
built-in user-facing one (cluster-admin, admin, edit, view), aggregation included."""

from __future__ import annotations

from rules.k8s.rbac_model import (
    CLUSTER_ROLE_BINDING,
    RBAC_DOCS,
    RBAC_GOOD_PRACTICES,
    ROLE_BINDING,
    USER_FACING_ROLES,
    bound_role,
    grants,
    subject_label,
    tenant_subjects,
    wildcard_rule,
)
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

SECRET_VERBS = ("get", "list", "watch")
POD_RESOURCES = ("pods/exec", "pods/attach", "pods")


def _who(subjects: list[dict], most: int = 4) -> str:
    names = [subject_label(s) for s in subjects]
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _role_or_unknown(binding: Resource, inventory: Inventory):
    """(subjects, role, None) to check; (None, None, verdict-or-None) when nothing to check."""
    subjects = tenant_subjects(binding)
    if not subjects:
        return None, None, None
    role = bound_role(binding, inventory)
    if role is None:
        ref = binding.attrs["role_ref"]
        return None, None, unknown(f'{ref.get("kind")} "{ref.get("name")}" is not in the scan', "role_ref")
    return subjects, role, None


@rule(
    id="k8s-rbac-no-secret-read-for-tenants",
    title="Roles that read Secrets are not bound to users, groups or workload service accounts",
    severity="high",
    category="iam",
    applies_to=[ROLE_BINDING, CLUSTER_ROLE_BINDING],
    aliases=["CKV2_K8S_5"],
    description="get, list or watch on secrets (or a wildcard) returns every Secret's value in the "
    "binding's scope: API tokens of other service accounts, registry credentials, model-hub and "
    "cloud keys. A ClusterRoleBinding grants it in every namespace. Checked for subjects that are "
    "not the control plane's own (system: users and groups, kube-system service accounts); the "
    "broad groups system:authenticated and system:serviceaccounts count as tenants. A rule limited "
    "to resourceNames reaches only the Secrets it names and passes. The built-in edit and admin "
    "roles read Secrets, and ClusterRoles aggregated into view, edit or admin are followed.",
    risk="Credential theft across workloads and tenants; a stolen service-account token is a way up.",
    remediation={
        "kubernetes": "# grant only the Secrets the workload needs, by name\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: read-model-token\n"
        '  namespace: ml-serving\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n'
        '    resourceNames: ["hf-token"]\n    verbs: ["get"]',
    },
    references=[RBAC_GOOD_PRACTICES + "#listing-secrets", USER_FACING_ROLES, RBAC_DOCS],
)
def no_secret_read_for_tenants(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    verbs = grants(role.rules, "", "secrets", SECRET_VERBS)
    if not verbs:
        return None
    scope = "in every namespace" if binding.type == CLUSTER_ROLE_BINDING else f"in {binding.region}"
    return fail(
        f"binds {role.label()}, which can {'/'.join(verbs)} all Secrets {scope}, to {_who(subjects)}",
        at="role_ref",
    )


@rule(
    id="k8s-rbac-no-pod-exec-or-create",
    title="Cluster-wide bindings do not let tenants exec into, attach to or create pods",
    severity="high",
    category="iam",
    applies_to=[CLUSTER_ROLE_BINDING],
    aliases=["CKV2_K8S_2"],
    description="create on pods/exec or pods/attach runs commands inside any pod of the cluster, with "
    "that pod's service account, mounted Secrets and GPUs; create on pods starts a pod in any "
    "namespace with any service account there, which is the same. Through a ClusterRoleBinding "
    "this reaches every tenant's inference servers and training jobs. Grant it per namespace with "
    "a RoleBinding instead. Checked for subjects that are not the control plane's own.",
    risk="Cross-tenant code execution and credential theft; escalation to any service account.",
    remediation={
        "kubernetes": "# bind per namespace, not cluster-wide\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ml-operators\n"
        "  namespace: ml-serving\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
        "  name: edit\nsubjects:\n  - kind: Group\n    name: ml-operators\n"
        "    apiGroup: rbac.authorization.k8s.io",
    },
    references=[RBAC_GOOD_PRACTICES + "#workload-creation", RBAC_DOCS],
)
def no_pod_exec_or_create(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    reached = [res for res in POD_RESOURCES if grants(role.rules, "", res, ("create",))]
    if not reached:
        return None
    return fail(
        f"binds {role.label()}, which can create {', '.join(reached)} in every namespace, to {_who(subjects)}",
        at="role_ref",
    )


@rule(
    id="k8s-rbac-no-wildcard-cluster-admin",
    title="No tenant is bound cluster-wide to a role with every verb on every resource",
    severity="critical",
    category="iam",
    applies_to=[CLUSTER_ROLE_BINDING],
    aliases=["CKV_K8S_49"],
    description="A ClusterRole with verbs: ['*'] on resources: ['*'] (cluster-admin, or a copy of it) "
    "bound by a ClusterRoleBinding gives full control of the cluster: every Secret, every node "
    "through privileged pods, RBAC itself. Checked for subjects that are not the control plane's "
    "own; the broad groups system:authenticated and system:serviceaccounts count as tenants.",
    risk="Full cluster compromise from one user, group or workload token.",
    remediation={
        "kubernetes": "# replace the cluster-admin binding with a scoped role per namespace\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ml-admins\n"
        "  namespace: ml-serving\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
        "  name: admin\nsubjects:\n  - kind: Group\n    name: ml-admins\n"
        "    apiGroup: rbac.authorization.k8s.io",
        "cli": "kubectl delete clusterrolebinding <name>",
    },
    references=[RBAC_GOOD_PRACTICES + "#least-privilege", USER_FACING_ROLES],
)
def no_wildcard_cluster_admin(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    if not wildcard_rule(role.rules):
        return None
    return fail(f"binds {role.label()} (* on *) cluster-wide to {_who(subjects)}", at="role_ref")
