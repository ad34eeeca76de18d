"""Kubernetes objects (manifests or API JSON) -> canonical `k8s.workload` and
`k8s.config_map` resources. Pure; shared by the manifest loader and the live collector."""

from .normalize import CONFIG_MAP, WORKLOAD, Normalized, check_object, normalize_object, uid_of
from .pod import is_gpu_resource
from .values import NormalizeError
from .workloads import workload_family

__all__ = [
    "CONFIG_MAP",
    "WORKLOAD",
    "Normalized",
    "NormalizeError",
    "check_object",
    "is_gpu_resource",
    "normalize_object",
    "uid_of",
    "workload_family",
]
