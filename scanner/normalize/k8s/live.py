"""Live API objects -> the same Resources their manifests give, plus what only a running
cluster has: Nodes (GPU products, MIG and sharing labels, GPU capacity) and where running
pods sit and how many GPUs they hold.

Pure: raw JSON in, Resources out. `clean` strips what the API server and controllers add
(managedFields, status, server-set metadata and annotations, the injected service-account
token volume) so a live object and the manifest it was applied from normalize alike.
Objects a controller in the scan created (a Deployment's ReplicaSets and their Pods, a
CronJob's Jobs, an InferenceService's Deployment) are not workloads of their own: their
specs derive from the owner's, so counting them would report each problem twice. Their
pods still count for placement.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Relation, Resource, SourceRef

from .base import uid_of
from .pod import is_gpu_resource
from .rbac import cluster_uid
from .values import as_list, as_map

NODE = "k8s.node"
SERVER_METADATA = (
    "managedFields",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
    "ownerReferences",
    "finalizers",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
# written by kubectl and controllers, never by the manifest's author
SERVER_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",  # a copy of the whole manifest
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every Namespace
TOKEN_VOLUME_PREFIX = "kube-api-access-"
# controllers whose derived objects are skipped even when the owner itself is not listed:
# a Knative Revision derives from a Knative Service, which the scan reads
DERIVED_GROUPS = ("serving.knative.dev",)
TERMINAL_PHASES = ("Succeeded", "Failed")

GPU_LABELS = {
    "gpu_product": "nvidia.com/gpu.product",
    "mig_strategy": "nvidia.com/mig.strategy",
    "mig_config": "nvidia.com/mig.config",
    "sharing_strategy": "nvidia.com/gpu.sharing-strategy",
    "device_plugin_config": "nvidia.com/device-plugin.config",
}


def _is_token_volume(v: Any) -> bool:
    """The projected service-account token volume admission injects into every pod."""
    if not isinstance(v, Mapping) or not str(v.get("name", "")).startswith(TOKEN_VOLUME_PREFIX):
        return False
    sources = as_map(v.get("projected"), "projected").get("sources") or []
    return any(isinstance(s, Mapping) and "serviceAccountToken" in s for s in sources)


def _strip_token_volume(spec: dict) -> None:
    vols = spec.get("volumes")
    if not isinstance(vols, list):
        return
    names = {v["name"] for v in vols if _is_token_volume(v)}
    if not names:
        return
    spec["volumes"] = [v for v in vols if not (isinstance(v, Mapping) and v.get("name") in names)]
    if not spec["volumes"]:
        del spec["volumes"]
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            mounts = c.get("volumeMounts") if isinstance(c, dict) else None
            if isinstance(mounts, list):
                c["volumeMounts"] = [
                    m for m in mounts if not (isinstance(m, Mapping) and m.get("name") in names)
                ]
                if not c["volumeMounts"]:
                    del c["volumeMounts"]


def clean(obj: Mapping, api_version: str, kind: str) -> dict:
    """A copy of a live object as its manifest would read. List items carry no apiVersion
    and kind, so the caller names them."""
    out = copy.deepcopy(dict(obj))
    out.setdefault("apiVersion", api_version)
    out.setdefault("kind", kind)
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for k in SERVER_METADATA:
            meta.pop(k, None)
        ann = meta.get("annotations")
        if isinstance(ann, dict):
            for k in SERVER_ANNOTATIONS:
                ann.pop(k, None)
            if not ann:
                del meta["annotations"]
        labels = meta.get("labels")
        if (
            kind == "Namespace"
            and isinstance(labels, dict)
            and labels.get(NAMESPACE_NAME_LABEL) == meta.get("name")
        ):
            del labels[NAMESPACE_NAME_LABEL]
            if not labels:
                del meta["labels"]
    if kind == "Pod" and isinstance(out.get("spec"), dict):
        _strip_token_volume(out["spec"])
    return out


# ------------------------------------------------------------------ ownership
def _group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def controller_of(obj: Mapping) -> Mapping | None:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    for ref in meta.get("ownerReferences") or []:
        if isinstance(ref, Mapping) and ref.get("controller"):
            return ref
    return None


@dataclass
class Ownership:
    """Which listed objects a listed controller created, and each one's top-most owner."""

    by_uid: dict[str, Mapping] = field(default_factory=dict)  # metadata.uid -> raw object
    served_groups: set[str] = field(default_factory=set)

    def add(self, obj: Mapping) -> None:
        uid = (obj.get("metadata") or {}).get("uid")
        if isinstance(uid, str):
            self.by_uid[uid] = obj

    def is_derived(self, obj: Mapping) -> bool:
        ref = controller_of(obj)
        if ref is None or ref.get("kind") == "Node":  # a static pod's spec is a file on the node
            return False
        if ref.get("uid") in self.by_uid:
            return True
        group = _group(str(ref.get("apiVersion", "")))
        return group in DERIVED_GROUPS and group in self.served_groups

    def top(self, obj: Mapping) -> Mapping:
        """The outermost listed controller of `obj` (itself when none)."""
        seen = set()
        while (ref := controller_of(obj)) is not None and ref.get("uid") in self.by_uid:
            if ref["uid"] in seen:  # an ownership loop: stop rather than spin
                break
            seen.add(ref["uid"])
            obj = self.by_uid[ref["uid"]]
        return obj


# ------------------------------------------------------------------ nodes and placement
def _int(v: Any) -> int | None:
    try:
        return int(str(v))
    except (TypeError, ValueError):
        return None


def _gpu_counts(resources: Any) -> dict[str, int]:
    return {
        str(k): n
        for k, v in as_map(resources, "status").items()
        if is_gpu_resource(str(k)) and (n := _int(v)) is not None
    }


def pod_gpus(pod: Mapping) -> int:
    """GPUs a pod holds: its app containers' GPU limits (requests where no limit is
    written), or its largest init container's, whichever is more (the scheduler's rule)."""

    def one(c: Mapping) -> int:
        res = as_map(c.get("resources"), "resources")
        limits, requests = as_map(res.get("limits"), "limits"), as_map(res.get("requests"), "requests")
        names = {k for k in (*limits, *requests) if is_gpu_resource(str(k))}
        return sum(_int(limits.get(k, requests.get(k))) or 0 for k in names)

    spec = as_map(pod.get("spec"), "spec")
    app = sum(one(c) for c in spec.get("containers") or [] if isinstance(c, Mapping))
    init = max((one(c) for c in spec.get("initContainers") or [] if isinstance(c, Mapping)), default=0)
    return max(app, init)


@dataclass
class Placement:
    namespace: str
    name: str
    workload: str  # uid of the workload resource the pod belongs to
    gpus: int
    phase: str | None


def placement(pod: Mapping, ownership: Ownership, account: str) -> tuple[str, Placement] | None:
    """(node name, placement) for a pod the scheduler has bound and that has not finished."""
    spec = as_map(pod.get("spec"), "spec")
    status = as_map(pod.get("status"), "status")
    node = spec.get("nodeName")
    phase = status.get("phase")
    if not isinstance(node, str) or not node or phase in TERMINAL_PHASES:
        return None
    meta = as_map(pod.get("metadata"), "metadata")
    ns = meta.get("namespace") or "default"
    top = ownership.top(pod)
    top_meta = as_map(top.get("metadata"), "metadata")
    workload = uid_of(
        account, top_meta.get("namespace") or ns, str(top.get("kind") or "Pod"), top_meta.get("name")
    )
    return node, Placement(ns, str(meta.get("name")), workload, pod_gpus(pod), phase)


def normalize_node(obj: Mapping, placements: Iterable[Placement], source: SourceRef, account: str):
    """A Node -> `k8s.node`, with the pods placed on it; relations node -hosts-> workload."""
    meta = as_map(obj.get("metadata"), "metadata")
    name = str(meta.get("name"))
    labels = {str(k): str(v) for k, v in as_map(meta.get("labels"), "metadata.labels").items()}
    spec = as_map(obj.get("spec"), "spec")
    status = as_map(obj.get("status"), "status")
    info = as_map(status.get("nodeInfo"), "status.nodeInfo")
    capacity = _gpu_counts(status.get("capacity"))
    allocatable = _gpu_counts(status.get("allocatable"))
    pods = sorted(placements, key=lambda p: (p.namespace, p.name))
    attrs: dict[str, Any] = {k: labels.get(label) for k, label in GPU_LABELS.items()}
    attrs |= {
        "labels": labels,
        "gpu": bool(attrs["gpu_product"]) or any(capacity.values()),
        "gpu_count": _int(labels.get("nvidia.com/gpu.count")),
        "gpu_replicas": _int(labels.get("nvidia.com/gpu.replicas")),
        "gpu_capacity": capacity,
        "gpu_allocatable": allocatable,
        "gpu_allocated": sum(p.gpus for p in pods),
        "gpu_namespaces": sorted({p.namespace for p in pods if p.gpus > 0}),
        "unschedulable": bool(spec.get("unschedulable")),
        "taints": [
            {"key": t.get("key"), "value": t.get("value"), "effect": t.get("effect")}
            for t in as_list(spec.get("taints"), "spec.taints")
            if isinstance(t, Mapping)
        ],
        "kubelet_version": info.get("kubeletVersion"),
        "container_runtime_version": info.get("containerRuntimeVersion"),
        "pods": [
            {
                "namespace": p.namespace,
                "name": p.name,
                "workload": p.workload,
                "gpus": p.gpus,
                "phase": p.phase,
            }
            for p in pods
        ],
    }
    r = Resource(
        uid=cluster_uid(account, "Node", name),
        type=NODE,
        provider="k8s",
        name=name,
        attrs=attrs,
        source=source,
        account=account,
        tags=labels,
    )
    rels = []
    for i, p in enumerate(pods):
        if all(rel.dst != p.workload for rel in rels):
            rels.append(Relation(r.uid, "hosts", p.workload, f"pods[{i}]"))
    return r, rels
