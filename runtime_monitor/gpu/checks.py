"""Every GPU-node check, in id order. Importing the check modules registers them."""

from __future__ import annotations

from runtime_monitor.gpu import (  # noqa: F401  (registration)
    checks_device,
    checks_faults,
    checks_pods,
    checks_tenancy,
)
from runtime_monitor.gpu.sdk import CHECKS, Check


def all_checks() -> list[Check]:
    return sorted(CHECKS, key=lambda c: c.id)
