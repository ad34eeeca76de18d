"""RBAC grants that are a way up by themselves: writing roles beyond one's own rights
(escalate, bind), acting as another identity (impersonate), reaching the kubelet through the
API server (nodes/proxy) and minting service-account tokens. Checked on the binding, like
`rules.k8s.rbac`, for subjects that are not the control plane's own."""

from __future__ import annotations

from rules.k8s.rbac import _role_or_unknown, _who
from rules.k8s.rbac_model import CLUSTER_ROLE_BINDING, RBAC_DOCS, RBAC_GOOD_PRACTICES, ROLE_BINDING, grants
from rules.sdk import fail, rule
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_RESOURCES = ("roles", "clusterroles")
IMPERSONATE_RESOURCES = ("users", "groups", "serviceaccounts")
PRIVILEGE_ESCALATION_PREVENTION = RBAC_DOCS + "#privilege-escalation-prevention-and-bootstrapping"
IMPERSONATION_DOCS = (
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation"
)
KUBELET_AUTHZ = "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"
TOKEN_REQUEST_DOCS = (
    "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/"
)


def _scope(binding: Resource) -> str:
    return "in every namespace" if binding.type == CLUSTER_ROLE_BINDING else f"in namespace {binding.region}"


@rule(
    id="k8s-rbac-no-escalate-bind-impersonate",
    title="Tenants are not granted escalate or bind on roles, or impersonate on identities",
    severity="high",
    category="iam",
    applies_to=[ROLE_BINDING, CLUSTER_ROLE_BINDING],
    aliases=["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"],
    description="RBAC stops a subject from granting rights it does not hold, except through three "
    "verbs: escalate on roles or clusterroles writes a role with any rule, bind on them binds any "
    "role (cluster-admin included) to anyone, and impersonate on users, groups or serviceaccounts "
    "acts as that identity. Each is a way to every right in the binding's scope: the Secrets, "
    "GPUs and model stores of every workload there, and through IRSA or Workload Identity their "
    "cloud roles. A verb wildcard grants all three. Checked for subjects that are not the "
    "control plane's own; the built-in edit and admin roles impersonate service accounts of "
    "their namespace, so binding them fails here too. A rule limited to resourceNames is left out.",
    risk="Privilege escalation to cluster-admin or to any workload identity, cloud roles included.",
    remediation={
        "kubernetes": "# grant the role-writing verbs only to the platform's own controllers; tenants get\n"
        "# fixed roles, bound by the platform team\napiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: Role\nmetadata:\n  name: ml-deployer\n  namespace: ml-serving\nrules:\n"
        '  - apiGroups: ["apps"]\n    resources: ["deployments"]\n'
        '    verbs: ["get", "list", "create", "update", "patch"]',
    },
    references=[PRIVILEGE_ESCALATION_PREVENTION, RBAC_GOOD_PRACTICES + "#escalate-verb", IMPERSONATION_DOCS],
)
def no_escalate_bind_impersonate(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    found = []
    for res in ROLE_RESOURCES:
        verbs = grants(role.rules, RBAC_GROUP, res, ("escalate", "bind"))
        found += [f"{v} {res}" for v in verbs]
    for res in IMPERSONATE_RESOURCES:
        if grants(role.rules, "", res, ("impersonate",)):
            found.append(f"impersonate {res}")
    if not found:
        return None
    return fail(
        f"binds {role.label()}, which can {', '.join(found)} {_scope(binding)}, to {_who(subjects)}",
        at="role_ref",
    )


@rule(
    id="k8s-rbac-no-nodes-proxy",
    title="Tenants are not granted nodes/proxy, which reaches every kubelet's API",
    severity="high",
    category="iam",
    applies_to=[CLUSTER_ROLE_BINDING],
    description="get or create on nodes/proxy lets the API server forward requests to any node's "
    "kubelet, whose API runs commands in every pod on the node (/exec, /run), reads their logs "
    "and lists their specs. Kubelet API calls are authorized as nodes/proxy alone, never as "
    "pods/exec, and the commands they run are not in the API server's audit log as pod exec. On a "
    "GPU node that is every tenant's model server and training job. Monitoring agents that need "
    "kubelet metrics need only nodes/metrics and nodes/stats. nodes are cluster-scoped, so only a "
    "ClusterRoleBinding grants this; subjects that are the control plane's own are left out.",
    risk="Code execution in every pod on every node, bypassing pods/exec controls and audit.",
    remediation={
        "kubernetes": "# metrics scrapers: nodes/metrics and nodes/stats, not nodes/proxy\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: gpu-metrics\n"
        'rules:\n  - apiGroups: [""]\n    resources: ["nodes/metrics", "nodes/stats"]\n    verbs: ["get"]',
    },
    references=[KUBELET_AUTHZ, RBAC_GOOD_PRACTICES],
)
def no_nodes_proxy(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    verbs = grants(role.rules, "", "nodes/proxy", ("get", "create"))
    if not verbs:
        return None
    return fail(
        f"binds {role.label()}, which can {'/'.join(verbs)} nodes/proxy on every node, to {_who(subjects)}",
        at="role_ref",
    )


@rule(
    id="k8s-rbac-no-token-create",
    title="Tenants cannot create tokens for service accounts",
    severity="medium",
    category="iam",
    applies_to=[ROLE_BINDING, CLUSTER_ROLE_BINDING],
    description="create on serviceaccounts/token (the TokenRequest API, `kubectl create token`) issues "
    "a token for any service account in the binding's scope, with any audience: one with "
    "audience sts.amazonaws.com is exchanged for the account's IRSA role, and any token acts as "
    "the account in the Kubernetes API. It is as good as holding every service account there. "
    "Only the kubelet and the platform's own controllers need it. A rule limited to resourceNames "
    "reaches only the accounts it names and passes; subjects that are the control plane's own "
    "are left out.",
    risk="Impersonation of every service account in scope, with its Kubernetes and cloud rights.",
    remediation={
        "kubernetes": "# remove serviceaccounts/token from tenant roles; where a token is truly needed,\n"
        "# name the one account\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n"
        '  name: ci-token\n  namespace: ml-ci\nrules:\n  - apiGroups: [""]\n'
        '    resources: ["serviceaccounts/token"]\n    resourceNames: ["ci-deployer"]\n    verbs: ["create"]',
    },
    references=[TOKEN_REQUEST_DOCS, RBAC_GOOD_PRACTICES],
)
def no_token_create(binding: Resource, inventory: Inventory):
    subjects, role, verdict = _role_or_unknown(binding, inventory)
    if role is None:
        return verdict
    if not grants(role.rules, "", "serviceaccounts/token", ("create",)):
        return None
    return fail(
        f"binds {role.label()}, which can create tokens for every service account {_scope(binding)}, "
        f"to {_who(subjects)}",
        at="role_ref",
    )
