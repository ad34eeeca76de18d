"""Kubernetes objects (manifests or API JSON) -> canonical `k8s.workload`,
`k8s.config_map`, `k8s.namespace`, `k8s.resource_quota`, `k8s.limit_range` and `k8s.secret`
resources, and the platform around them: RBAC, Services, Ingresses, NetworkPolicies and the
NVIDIA GPU stack (device plugin configuration, GPU Operator ClusterPolicy).
Pure; shared by the manifest loader and the live collector, which both call
`fold_quotas` on everything they normalized."""

from .base import uid_of
from .limit_range import LIMIT_RANGE
from .namespace import NAMESPACE, RESOURCE_QUOTA, fold_quotas, namespace_uid
from .normalize import CONFIG_MAP, WORKLOAD, Normalized, check_object, normalize_object
from .pod import is_gpu_resource
from .rbac import cluster_uid
from .secret import SECRET
from .values import NormalizeError
from .workloads import workload_family

__all__ = [
    "CONFIG_MAP",
    "LIMIT_RANGE",
    "NAMESPACE",
    "RESOURCE_QUOTA",
    "SECRET",
    "WORKLOAD",
    "Normalized",
    "NormalizeError",
    "check_object",
    "cluster_uid",
    "fold_quotas",
    "is_gpu_resource",
    "namespace_uid",
    "normalize_object",
    "uid_of",
    "workload_family",
]
