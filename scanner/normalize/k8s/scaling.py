"""How many pods a workload keeps running when idle: ``min_replicas`` and
``scale_to_zero`` of `k8s.workload`.

Defaults are the stock ones, marked ``default`` in provenance:
- KServe: ``spec.predictor.minReplicas``, default 1 (``0`` lets a Serverless-mode
  predictor scale to zero; RawDeployment mode keeps at least one pod without KEDA).
- Knative: ``autoscaling.knative.dev/min-scale`` (or the legacy ``minScale``) on
  ``spec.template.metadata.annotations``, default 0. A cluster whose config-autoscaler
  raises ``min-scale`` or turns off ``enable-scale-to-zero`` is not visible in a manifest.
- Deployment and StatefulSet: ``spec.replicas``, default 1 (an HPA may change it live).
Other kinds (Jobs, training jobs, Ray) run to completion or are sized elsewhere: None.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Unresolved

from .pod import Collected
from .values import as_int, as_map, key_line
from .workloads import workload_family

KNATIVE_MIN_SCALE = ("autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/minScale")
KSERVE_DEFAULT_MIN = 1
KNATIVE_DEFAULT_MIN = 0
REPLICAS_DEFAULT = 1


def _read(
    holder: Mapping, keys: tuple[str, ...], default: int, out: Collected, where: int | None
) -> int | Unresolved:
    """The first of `keys` written in `holder`, else `default`; `where` is the line a
    defaulted value points at (the block it would be written in)."""
    for key in keys:
        if holder.get(key) is not None:
            out.line("min_replicas", key_line(holder, key))
            return as_int(holder[key])
    out.line("min_replicas", where)
    out.default("min_replicas")
    out.default("scale_to_zero")
    return default


def min_replicas(obj: Mapping, out: Collected) -> tuple[int | Unresolved | None, bool | Unresolved | None]:
    """(min_replicas, scale_to_zero) for a workload object."""
    kind, family = obj["kind"], workload_family(str(obj["kind"]), str(obj["apiVersion"]))
    spec = as_map(obj.get("spec"), "spec")
    if family == "kserve":
        predictor = as_map(spec.get("predictor"), "spec.predictor")
        n = _read(predictor, ("minReplicas",), KSERVE_DEFAULT_MIN, out, key_line(spec, "predictor"))
    elif family == "knative":
        template = as_map(spec.get("template"), "spec.template")
        tmeta = as_map(template.get("metadata"), "spec.template.metadata")
        annotations = as_map(tmeta.get("annotations"), "spec.template.metadata.annotations")
        n = _read(annotations, KNATIVE_MIN_SCALE, KNATIVE_DEFAULT_MIN, out, key_line(spec, "template"))
    elif family == "core" and kind in ("Deployment", "StatefulSet"):
        n = _read(spec, ("replicas",), REPLICAS_DEFAULT, out, key_line(obj, "spec"))
    else:
        return None, None
    if isinstance(n, Unresolved):
        return n, n
    out.line("scale_to_zero", out.lines.get("min_replicas"))
    return n, n == 0
