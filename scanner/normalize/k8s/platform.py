"""The cluster platform around the workloads: RBAC, network exposure and the GPU software
stack. `platform_objects` is called by `normalize_object` for every object, after the
workload and core normalizers, and returns what it adds."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from scanner.model.resource import Relation, Resource, SourceRef

from . import gpu_stack, network, rbac
from .pod_labels import add_pod_labels
from .workloads import group_of, pod_sites

Added = tuple[list[Resource], list[Relation]]


def _one(fn: Callable[[Mapping, SourceRef, str], Resource]) -> Callable[..., Added]:
    return lambda obj, source, account: ([fn(obj, source, account)], [])


def _with_relations(fn) -> Callable[..., Added]:
    def run(obj, source, account) -> Added:
        r, rels = fn(obj, source, account)
        return [r], rels

    return run


def _daemonset(obj, source, account) -> Added:
    r = gpu_stack.device_plugin_daemonset(obj, source, account)
    return ([r] if r else []), []


RBAC = "rbac.authorization.k8s.io"
# (API group, kind) -> what the object adds
HANDLERS: dict[tuple[str, str], Callable[..., Added]] = {
    ("", "ServiceAccount"): _with_relations(rbac.normalize_service_account),
    (RBAC, "Role"): _one(rbac.normalize_role),
    (RBAC, "ClusterRole"): _one(rbac.normalize_cluster_role),
    (RBAC, "RoleBinding"): _with_relations(rbac.normalize_role_binding),
    (RBAC, "ClusterRoleBinding"): _with_relations(rbac.normalize_cluster_role_binding),
    ("networking.k8s.io", "NetworkPolicy"): _one(network.normalize_network_policy),
    ("", "Service"): _one(network.normalize_service),
    ("networking.k8s.io", "Ingress"): _one(network.normalize_ingress),
    ("extensions", "Ingress"): _one(network.normalize_ingress),
    ("gateway.networking.k8s.io", "HTTPRoute"): _one(network.normalize_http_route),
    ("", "ConfigMap"): gpu_stack.device_plugin_configs,  # besides the k8s.config_map
    ("apps", "DaemonSet"): _daemonset,  # besides the k8s.workload
    ("nvidia.com", "ClusterPolicy"): _one(gpu_stack.normalize_cluster_policy),
}


def platform_objects(obj: Mapping, source: SourceRef, account: str, made: list[Resource]) -> Added:
    """Resources and relations for the platform kinds; labels the pods of a workload in
    `made` carry are put on its pod templates."""
    workload = next((r for r in made if r.type == "k8s.workload"), None)
    if workload is not None:
        add_pod_labels(obj, pod_sites(obj) or [], workload)
    handler = HANDLERS.get((group_of(obj["apiVersion"]), obj["kind"]))
    return handler(obj, source, account) if handler else ([], [])
