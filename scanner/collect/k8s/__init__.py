"""Live Kubernetes clusters: kubeconfig contexts or the in-cluster service account, API
discovery, raw-JSON listing in pages, bounded retries, and faults reported as ScanErrors.
Read-only: every request is a GET (`http.RawApi` has no other method)."""

from .catalogue import TARGETS, Target
from .collector import DIALECT, ClusterScan, collect_cluster
from .http import ApiError, Call, RawApi, RetryPolicy
from .kubeconfig import ClusterTarget, KubeconfigError, resolve_targets

__all__ = [
    "DIALECT",
    "TARGETS",
    "ApiError",
    "Call",
    "ClusterScan",
    "ClusterTarget",
    "KubeconfigError",
    "RawApi",
    "RetryPolicy",
    "Target",
    "collect_cluster",
    "resolve_targets",
]
