"""What a live cluster scan lists: every API resource the collectors read, with why.

This table is the single source of truth for three things that must agree: the requests the
collector makes, what `deploy/scanner-rbac.yaml` grants (a test compares the two), and the
names that a 403 or an absent CRD reports as unscanned.

Secrets are deliberately absent: RBAC cannot grant `list secrets` without their data, and a
scanner that can read every Secret in the cluster is itself the most valuable credential in
it. Service-account token Secrets are therefore not checked live (the manifest scan checks
them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    group: str  # "" is the core group
    plural: str
    kind: str
    namespaced: bool
    what: str  # what goes unscanned without it, for error messages
    optional: bool = False  # a CRD or an API that a cluster may not serve: absent = skipped quietly

    @property
    def group_label(self) -> str:
        return self.group or "core"

    def describe(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


CORE = ""
APPS = "apps"
BATCH = "batch"
RBAC = "rbac.authorization.k8s.io"
NETWORKING = "networking.k8s.io"

TARGETS: tuple[Target, ...] = (
    # -- cluster structure
    Target(CORE, "namespaces", "Namespace", False, "Namespaces (pod security labels, GPU quotas)"),
    Target(CORE, "nodes", "Node", False, "Nodes (GPU products, MIG and sharing labels, GPU capacity)"),
    Target(CORE, "resourcequotas", "ResourceQuota", True, "ResourceQuotas (GPU quotas)"),
    Target(CORE, "limitranges", "LimitRange", True, "LimitRanges (default GPU limits)"),
    Target(
        CORE, "configmaps", "ConfigMap", True, "ConfigMaps (device plugin config, aws-auth, secrets in data)"
    ),
    # -- workloads
    Target(CORE, "pods", "Pod", True, "Pods (standalone pods, placement on nodes and GPU allocation)"),
    Target(APPS, "deployments", "Deployment", True, "Deployments"),
    Target(APPS, "statefulsets", "StatefulSet", True, "StatefulSets"),
    Target(APPS, "daemonsets", "DaemonSet", True, "DaemonSets (and the NVIDIA device plugin's own settings)"),
    Target(APPS, "replicasets", "ReplicaSet", True, "ReplicaSets not owned by a Deployment"),
    Target(BATCH, "jobs", "Job", True, "Jobs"),
    Target(BATCH, "cronjobs", "CronJob", True, "CronJobs"),
    # -- identity and RBAC
    Target(CORE, "serviceaccounts", "ServiceAccount", True, "ServiceAccounts (IRSA, Workload Identity)"),
    Target(RBAC, "roles", "Role", True, "Roles"),
    Target(RBAC, "rolebindings", "RoleBinding", True, "RoleBindings"),
    Target(RBAC, "clusterroles", "ClusterRole", False, "ClusterRoles"),
    Target(RBAC, "clusterrolebindings", "ClusterRoleBinding", False, "ClusterRoleBindings"),
    # -- network exposure
    Target(CORE, "services", "Service", True, "Services (LoadBalancer and NodePort exposure)"),
    Target(NETWORKING, "networkpolicies", "NetworkPolicy", True, "NetworkPolicies"),
    Target(NETWORKING, "ingresses", "Ingress", True, "Ingresses"),
    Target("gateway.networking.k8s.io", "httproutes", "HTTPRoute", True, "Gateway API HTTPRoutes", True),
    # -- ML platforms (CRDs): skipped quietly where not installed
    Target(
        "serving.kserve.io", "inferenceservices", "InferenceService", True, "KServe InferenceServices", True
    ),
    Target("serving.knative.dev", "services", "Service", True, "Knative Services", True),
    Target("kubeflow.org", "pytorchjobs", "PyTorchJob", True, "Kubeflow PyTorchJobs", True),
    Target("kubeflow.org", "tfjobs", "TFJob", True, "Kubeflow TFJobs", True),
    Target("kubeflow.org", "mpijobs", "MPIJob", True, "Kubeflow MPIJobs", True),
    Target("kubeflow.org", "xgboostjobs", "XGBoostJob", True, "Kubeflow XGBoostJobs", True),
    Target("kubeflow.org", "paddlejobs", "PaddleJob", True, "Kubeflow PaddleJobs", True),
    Target("kubeflow.org", "jaxjobs", "JAXJob", True, "Kubeflow JAXJobs", True),
    Target("kubeflow.org", "notebooks", "Notebook", True, "Kubeflow Notebooks", True),
    Target("ray.io", "rayclusters", "RayCluster", True, "RayClusters", True),
    Target("ray.io", "rayjobs", "RayJob", True, "RayJobs", True),
    Target("ray.io", "rayservices", "RayService", True, "RayServices", True),
    Target(
        "nvidia.com", "clusterpolicies", "ClusterPolicy", False, "the NVIDIA GPU Operator ClusterPolicy", True
    ),
)


def groups() -> list[str]:
    """The API groups the scan reads, in first-use order."""
    out: list[str] = []
    for t in TARGETS:
        if t.group not in out:
            out.append(t.group)
    return out
