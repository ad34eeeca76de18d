"""What every normalized Kubernetes object shares: its uid, metadata, source lines, and
the way attrs, lines and provenance are put on the Resource."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from scanner.model.resource import Resource, SourceRef

from .pod import Collected
from .values import as_map, end_line, key_line, start_line


def uid_of(account: str, namespace: str, kind: str, name: str) -> str:
    return f"k8s:{account}/{namespace}/{kind}/{name}"


def meta_of(obj: Mapping) -> tuple[Mapping, str, str, bool]:
    """(metadata, name, namespace, whether the namespace was defaulted)."""
    meta = as_map(obj.get("metadata"), "metadata")
    name = meta.get("name") or meta.get("generateName")
    ns = meta.get("namespace")
    return meta, name, ns if isinstance(ns, str) and ns else "default", not ns


def source_of(obj: Mapping, source: SourceRef) -> SourceRef:
    return dataclasses.replace(
        source, start_line=start_line(obj) or source.start_line, end_line=end_line(obj) or source.end_line
    )


def base(obj: Mapping, rtype: str, source: SourceRef, account: str) -> tuple[Resource, Mapping, Collected]:
    """A namespaced object's Resource (attrs still empty), its metadata and a collector."""
    meta, name, ns, ns_default = meta_of(obj)
    labels = {str(k): str(v) for k, v in as_map(meta.get("labels"), "metadata.labels").items()}
    out = Collected()
    if ns_default:
        out.default("namespace")
    out.line("namespace", key_line(meta, "namespace"))
    out.line("labels", key_line(meta, "labels"))
    out.line("annotations", key_line(meta, "annotations"))
    r = Resource(
        uid=uid_of(account, ns, obj["kind"], name),
        type=rtype,
        provider="k8s",
        name=name,
        source=source_of(obj, source),
        account=account,
        region=ns,
        tags=labels,
    )
    return r, meta, out


def finish(r: Resource, out: Collected, attrs: dict, secrets: bool = True) -> Resource:
    """Put attrs (with the detected ``secrets`` unless the type has none), lines and
    provenance on the resource."""
    if secrets:
        attrs["secrets"] = [d.to_json() for d in out.secrets]
    r.attrs = attrs
    r.lines = out.lines
    r.provenance = out.provenance
    return r
