"""One Kubernetes object (a plain dict: a manifest document or raw API JSON) -> Resources.

Pure: no I/O. Line numbers are read from the dict when it is a yaml_loader LineDict and
left out otherwise, so the live collector can hand in API JSON unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scanner.model.resource import Relation, Resource, SourceRef, Unresolved
from scanner.secrets import scrub_mapping

from .annotations import exposure, safe_annotations, suppressions
from .base import base, finish, uid_of
from .limit_range import normalize_limit_range
from .namespace import normalize_namespace, normalize_resource_quota
from .platform import platform_objects
from .pod import normalize_pod_spec
from .scaling import min_replicas
from .secret import normalize_secret
from .values import NormalizeError, as_map, key_line, type_name
from .workloads import INFERENCE_KINDS, pod_sites

WORKLOAD = "k8s.workload"
CONFIG_MAP = "k8s.config_map"
# Setting the variable to these selects no device, so it widens nothing.
NO_DEVICE_VALUES = {"void", "none", ""}


@dataclass
class Normalized:
    resources: list[Resource] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def check_object(obj: object) -> None:
    """Raise NormalizeError unless `obj` has the fields every Kubernetes object has."""
    if not isinstance(obj, Mapping):
        raise NormalizeError(f"not a mapping but a {type_name(obj)}")
    for key in ("apiVersion", "kind"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise NormalizeError(f"{key} is missing or not a string")
    meta = as_map(obj.get("metadata"), "metadata")
    name = meta.get("name") or meta.get("generateName")
    if not isinstance(name, str) or not name:
        raise NormalizeError("metadata.name is missing or not a string")


def normalize_object(obj: Mapping, source: SourceRef, account: str = "manifest") -> Normalized:
    """Resources for one object; empty for kinds that are not ours (an APIService, a CRD).
    Raises NormalizeError when the object is malformed. Namespaces get their quotas only
    from `fold_quotas`, once every object of the scan is normalized."""
    check_object(obj)
    out = _normalize(obj, source, account)
    added, related = platform_objects(obj, source, account, out.resources)  # RBAC, network, GPU stack
    out.resources.extend(added)
    out.relations.extend(related)
    return out


def _normalize(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    kind = obj["kind"]
    if obj["apiVersion"] == "v1" and kind in CORE_OBJECTS:
        return CORE_OBJECTS[kind](obj, source, account)
    sites = pod_sites(obj)
    if sites is None:
        return Normalized()
    return _workload(obj, sites, source, account)


def _config_map(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, CONFIG_MAP, source, account)
    data = as_map(obj.get("data"), "data")
    values = {str(k): v if isinstance(v, str) else ("" if v is None else str(v)) for k, v in data.items()}
    lines = {}
    for k, v in values.items():
        if (ln := key_line(data, k)) is not None:
            out.line(f"data.{k}", ln)
            lines[k] = ln + 1 if "\n" in v else ln  # a block scalar starts below its key
    scrubbed, dets = scrub_mapping(values, "data", lines)
    out.secrets.extend(dets)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    return finish(r, out, {"namespace": r.region, "data": scrubbed})


def _config_map_object(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    return Normalized([_config_map(obj, source, account)])


def _namespace(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    return Normalized([normalize_namespace(obj, source, account)])


def _resource_quota(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    r, rel = normalize_resource_quota(obj, source, account)
    return Normalized([r], [rel])


def _limit_range(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    r, rel = normalize_limit_range(obj, source, account)
    return Normalized([r], [rel])


def _secret(obj: Mapping, source: SourceRef, account: str) -> Normalized:
    r, rels = normalize_secret(obj, source, account)
    return Normalized([r], rels)


# core/v1 kinds that run no pods but are modelled
CORE_OBJECTS = {
    "ConfigMap": _config_map_object,
    "Namespace": _namespace,
    "ResourceQuota": _resource_quota,
    "LimitRange": _limit_range,
    "Secret": _secret,
}


def _gpu(templates: list[dict]) -> bool | Unresolved:
    unsure: Unresolved | None = None
    for t in templates:
        rc = t["runtime_class_name"]
        if isinstance(rc, str) and rc.lower().startswith("nvidia"):
            return True
        for c in t["containers"]:
            for n in (c["gpu_request"], c["gpu_limit"]):
                if isinstance(n, Unresolved):
                    unsure = unsure or n
                elif n > 0:
                    return True
            visible = c["env"].get("NVIDIA_VISIBLE_DEVICES")
            if isinstance(visible, str) and visible.strip().lower() not in NO_DEVICE_VALUES:
                return True
    return unsure if unsure is not None else False


def _workload(obj: Mapping, sites, source: SourceRef, account: str) -> Normalized:
    r, meta, out = base(obj, WORKLOAD, source, account)
    annotations = as_map(meta.get("annotations"), "metadata.annotations")
    kept, dets = safe_annotations(annotations)
    out.secrets.extend(dets)
    for k in kept:
        out.line(f"annotations.{k}", key_line(annotations, k))
    templates = [
        normalize_pod_spec(s.spec, s.role, s.where, f"pod_templates[{i}]", out, s.model_containers)
        for i, s in enumerate(sites)
    ]
    vis = None
    if obj["kind"] in INFERENCE_KINDS:
        labels_map = as_map(meta.get("labels"), "metadata.labels")
        vis, label = exposure(labels_map)
        out.line("exposure", key_line(labels_map, label) if label else key_line(meta, "name"))
    attrs = {
        "kind": obj["kind"],
        "api_version": obj["apiVersion"],
        "namespace": r.region,
        "labels": dict(r.tags),
        "annotations": kept,
        "gpu": _gpu(templates),
        "exposure": vis,
        "pod_templates": templates,
    }
    attrs["min_replicas"], attrs["scale_to_zero"] = min_replicas(obj, out)
    r.suppressions = suppressions(annotations)
    relations = []
    for i, t in enumerate(templates):
        sa = t["service_account"]
        dst = uid_of(account, r.region, "ServiceAccount", sa) if isinstance(sa, str) else None
        if dst and all(rel.dst != dst for rel in relations):
            relations.append(Relation(r.uid, "runs_as", dst, f"pod_templates[{i}].service_account"))
    return Normalized([finish(r, out, attrs)], relations)
