"""Namespaces and their ResourceQuotas -> `k8s.namespace` and `k8s.resource_quota`.

A quota lives in its own object, often in another file than its Namespace, so
`fold_quotas` runs once every object of a scan is normalized and copies the GPU entries
of each quota onto the namespace it limits. A quota whose namespace is not declared in
the scan stays a `k8s.resource_quota` only: namespaces are never invented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scanner.model.resource import Relation, Resource, SourceRef, Unresolved

from .annotations import suppressions
from .base import base, finish, meta_of, source_of, uid_of
from .pod import Collected, is_gpu_resource
from .values import as_int, as_map, as_str, key_line, str_map, unresolved

NAMESPACE = "k8s.namespace"
RESOURCE_QUOTA = "k8s.resource_quota"
PSA_PREFIX = "pod-security.kubernetes.io/"
PSA_MODES = ("enforce", "audit", "warn")
QUOTA_PREFIXES = ("requests.", "limits.")


def namespace_uid(account: str, name: str) -> str:
    """A Namespace is cluster-scoped; its uid puts its own name in the namespace slot."""
    return uid_of(account, name, "Namespace", name)


def pod_security(labels: Mapping) -> dict:
    out = {mode: labels.get(PSA_PREFIX + mode) for mode in PSA_MODES}
    out["enforce_version"] = labels.get(PSA_PREFIX + "enforce-version")
    return out


def normalize_namespace(obj: Mapping, source: SourceRef, account: str) -> Resource:
    meta, name, _, _ = meta_of(obj)
    labels = str_map(meta.get("labels"), "metadata.labels")
    annotations = as_map(meta.get("annotations"), "metadata.annotations")
    r = Resource(
        uid=namespace_uid(account, name),
        type=NAMESPACE,
        provider="k8s",
        name=name,
        source=source_of(obj, source),
        account=account,
        region=name,
        tags={k: v for k, v in labels.items() if isinstance(v, str)},  # a templated label is no tag
    )
    out = Collected()
    label_map = as_map(meta.get("labels"), "metadata.labels")
    out.line("labels", key_line(meta, "labels"))
    out.line("pod_security", key_line(meta, "labels") or key_line(meta, "name"))
    for mode in PSA_MODES:
        out.line(f"pod_security.{mode}", key_line(label_map, PSA_PREFIX + mode))
    out.line("gpu_quota", key_line(meta, "name"))  # no quota: the finding points at the namespace
    r.suppressions = suppressions(annotations)
    attrs = {"labels": labels, "pod_security": pod_security(labels), "gpu_quota": {}, "resource_quotas": []}
    return finish(r, out, attrs, secrets=False)


def gpu_entry(key: str) -> bool:
    """A quota key that caps GPUs: requests.nvidia.com/gpu, limits.nvidia.com/gpu, nvidia.com/gpu."""
    for prefix in QUOTA_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return is_gpu_resource(key)


def _count(v) -> int | Unresolved:
    n = as_int(v)
    if n is None or (isinstance(n, int) and n < 0):
        return unresolved(v, "non-negative integer")
    return n


def normalize_resource_quota(obj: Mapping, source: SourceRef, account: str) -> tuple[Resource, Relation]:
    r, meta, out = base(obj, RESOURCE_QUOTA, source, account)
    spec = as_map(obj.get("spec"), "spec")
    hard_map = as_map(spec.get("hard"), "spec.hard")
    hard = {str(k): as_str(v) for k, v in hard_map.items()}
    gpu = {str(k): _count(v) for k, v in hard_map.items() if gpu_entry(str(k))}
    for k in hard_map:
        out.line(f"hard.{k}", key_line(hard_map, k))
        if str(k) in gpu:
            out.line(f"gpu.{k}", key_line(hard_map, k))
    out.line("hard", key_line(spec, "hard"))
    out.line("gpu", key_line(spec, "hard"))
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    attrs = {
        "namespace": r.region,
        "hard": hard,
        "gpu": gpu,
        "scoped": bool(spec.get("scopes") or spec.get("scopeSelector")),
    }
    rel = Relation(r.uid, "quota_for", namespace_uid(account, r.region), "namespace")
    return finish(r, out, attrs, secrets=False), rel


def _tighter(a, b):
    """Every quota of a namespace is enforced, so the smallest limit is the one that binds."""
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return a if isinstance(a, Unresolved) else b
    return min(a, b)


def fold_quotas(resources: Iterable[Resource]) -> None:
    """Fill ``gpu_quota`` and ``resource_quotas`` of each namespace from the quotas in it."""
    resources = list(resources)
    namespaces = {(r.account, r.name): r for r in resources if r.type == NAMESPACE}
    for ns in namespaces.values():  # start afresh, so folding twice changes nothing
        ns.attrs["gpu_quota"], ns.attrs["resource_quotas"] = {}, []
    for q in sorted((r for r in resources if r.type == RESOURCE_QUOTA), key=lambda r: r.uid):
        ns = namespaces.get((q.account, q.region))
        if ns is None:
            continue
        ns.attrs["resource_quotas"].append(q.name)
        for key, n in q.attrs["gpu"].items():
            have = ns.attrs["gpu_quota"]
            have[key] = _tighter(have[key], n) if key in have else n
