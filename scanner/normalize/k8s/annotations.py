"""What a Kubernetes object says about itself in its metadata: inline suppressions,
KServe/Knative visibility, and annotations safe to keep."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Suppression
from scanner.secrets import Detection, scrub_mapping

from .values import key_line

IGNORE = "mlposture.io/ignore"
IGNORE_REASON = "mlposture.io/ignore-reason"
IGNORE_EXPIRES = "mlposture.io/ignore-expires"
CHECKOV_SKIP_PREFIX = "checkov.io/skip"

# kubectl's copy of the whole applied manifest: it repeats every env value, so it is
# dropped rather than scrubbed (name-based secret detection cannot see into it).
DROPPED_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}

VISIBILITY_LABELS = (
    "networking.knative.dev/visibility",
    "serving.knative.dev/visibility",
    "networking.kserve.io/visibility",
)


def suppressions(annotations: Mapping) -> list[Suppression]:
    """``mlposture.io/ignore: "rule-a, rule-b"`` (+ ``-reason``, ``-expires``) and Checkov's
    ``checkov.io/skipN: CKV_K8S_20=reason``."""
    out: list[Suppression] = []
    ours = annotations.get(IGNORE)
    if isinstance(ours, str):
        reason = str(annotations.get(IGNORE_REASON) or "")
        expires = annotations.get(IGNORE_EXPIRES)
        line = key_line(annotations, IGNORE)
        for rule in ours.replace(";", ",").split(","):
            if rule.strip():
                out.append(Suppression(rule.strip(), reason, str(expires) if expires else None, line))
    for key, value in annotations.items():
        if not str(key).startswith(CHECKOV_SKIP_PREFIX) or not isinstance(value, str):
            continue
        rule, _, reason = value.partition("=")
        if rule.strip():
            out.append(Suppression(rule.strip(), reason.strip(), None, key_line(annotations, key)))
    return out


def safe_annotations(annotations: Mapping) -> tuple[dict, list[Detection]]:
    kept = {
        str(k): v if isinstance(v, str) else str(v)
        for k, v in annotations.items()
        if k not in DROPPED_ANNOTATIONS
    }
    lines = {k: ln for k in kept if (ln := key_line(annotations, k)) is not None}
    return scrub_mapping(kept, "annotations", lines)


def exposure(labels: Mapping) -> tuple[str, str | None]:
    """("cluster-local" | "external", the label that decided it or None)."""
    for key in VISIBILITY_LABELS:
        if labels.get(key) == "cluster-local":
            return "cluster-local", key
    return "external", None
