"""Helpers shared by the Kubernetes rules: walking pod templates and containers of a
`k8s.workload` and turning one unresolved container into UNKNOWN without hiding the
verdicts of its siblings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rules.sdk import Verdict, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import AttrView, Resource, Unresolved, UnresolvedAccess

WORKLOAD = "k8s.workload"
CONFIG_MAP = "k8s.config_map"
INFERENCE_KINDS = {"InferenceService", "Service"}  # a k8s.workload "Service" is a Knative one
NO_DEVICE_VALUES = {"void", "none", ""}


def templates(r: Resource) -> Iterator[AttrView]:
    yield from r.a.get("pod_templates", [])


def containers(r: Resource) -> Iterator[tuple[AttrView, AttrView]]:
    """(pod template, container) for every container of every pod template."""
    for t in templates(r):
        for c in t.get("containers", []):
            yield t, c


def each(items: Iterable[Any], check: Callable[..., Verdict | Iterable[Verdict] | None]) -> list[Verdict]:
    """Run `check` on every item; an unresolved value makes that item UNKNOWN only."""
    out: list[Verdict] = []
    for item in items:
        try:
            v = check(*item) if isinstance(item, tuple) else check(item)
        except UnresolvedAccess as e:
            v = unknown(f"{e.path} is unresolved ({e.expr})", e.path)
        if isinstance(v, Verdict):
            out.append(v)
        elif v is not None:
            out.extend(v)
    return out


def gpu_state(r: Resource) -> bool | Unresolved:
    """Whether the workload uses GPUs; Unresolved when a GPU count could not be read."""
    g = r.attrs.get("gpu", False)
    return g if isinstance(g, Unresolved) else bool(g)


def gate_on_gpu(r: Resource, verdicts: list[Verdict]) -> list[Verdict]:
    """Keep failures only for GPU workloads; UNKNOWN where GPU use could not be read."""
    bad = [v for v in verdicts if v.status != "pass"]
    if not bad:
        return []
    g = gpu_state(r)
    if isinstance(g, Unresolved):
        return [unknown(f"whether the workload uses GPUs is unresolved ({g.expr})", "gpu")]
    return bad if g else []


def label(c: AttrView) -> str:
    name = c.raw("name")
    kind = "init container" if c.raw("role") == "init" else "container"
    return f'{kind} "{name}"' if isinstance(name, str) and name else kind


def is_inference(r: Resource) -> bool:
    return r.attrs.get("kind") in INFERENCE_KINDS and r.attrs.get("exposure") is not None


def in_namespace(
    inventory: Inventory, rtype: str, cluster: str | None, namespace: str | None
) -> list[Resource]:
    """The scan's resources of `rtype` in this cluster and namespace, in inventory order."""
    return inventory.in_scope(rtype, cluster, namespace)
