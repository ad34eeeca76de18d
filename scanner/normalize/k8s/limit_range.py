"""LimitRanges -> `k8s.limit_range`: the limits and requests a namespace's admission
controller gives to containers that set none. Rules look the ranges of a namespace up in the
inventory (by namespace), so a LimitRange in another file than its Namespace still counts."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Relation, Resource, SourceRef

from .annotations import suppressions
from .base import base, finish
from .namespace import namespace_uid
from .values import as_list, as_map, as_str, key_line, str_map

LIMIT_RANGE = "k8s.limit_range"
FIELDS = (
    ("default_limits", "default"),
    ("default_requests", "defaultRequest"),
    ("max", "max"),
    ("min", "min"),
)


def normalize_limit_range(obj: Mapping, source: SourceRef, account: str) -> tuple[Resource, Relation]:
    r, meta, out = base(obj, LIMIT_RANGE, source, account)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    spec = as_map(obj.get("spec"), "spec")
    seq = spec.get("limits")
    attrs: dict = {"namespace": r.region, "types": []}
    attrs.update({name: {} for name, _ in FIELDS})
    for i, raw in enumerate(as_list(seq, "spec.limits")):
        item = as_map(raw, f"spec.limits[{i}]")
        kind = as_str(item.get("type"))
        kind = kind if isinstance(kind, str) else "Container"
        attrs["types"].append(kind)
        if kind != "Container":
            continue
        for name, key in FIELDS:
            values = str_map(item.get(key), f"spec.limits[{i}].{key}")
            attrs[name].update(values)
            ln = key_line(item, key) or getattr(raw, "start_line", None)
            if values and ln:
                out.line(name, ln)
    for name, _ in FIELDS:
        out.line(name, key_line(spec, "limits"))  # nothing set: point at spec.limits
    out.line("types", key_line(spec, "limits"))
    rel = Relation(r.uid, "limits_for", namespace_uid(account, r.region), "namespace")
    return finish(r, out, attrs, secrets=False), rel
