"""Audit detections, one module per concern; importing this package registers them all in
`base.DETECTIONS`. Each carries examples in ``examples/<rule id>.yaml`` beside it."""

from runtime_monitor.audit.detections import (  # noqa: F401  (registration)
    access,
    baseline_signals,
    coverage,
    k8s_tenant,
    unused,
)
from runtime_monitor.audit.detections.base import DETECTIONS, Context, Detection, Hit

__all__ = ["DETECTIONS", "Context", "Detection", "Hit"]
