"""What a GPU carries over to its next tenant: memory-health flags that only a reset clears
(GPU-009) and Xid faults (GPU-014). Both judge a tenant change, so both read which tenants
use each GPU now and, from the monitor's state file, which used it before."""

from __future__ import annotations

from collections.abc import Iterator

from runtime_monitor.gpu.checks_device import gpu_subject
from runtime_monitor.gpu.nvml import is_na
from runtime_monitor.gpu.sdk import Outcome, check, failed, not_applicable, passed, warned
from runtime_monitor.gpu.view import NodeView

# Xids that mean a memory fault or a GPU that must be reset before it serves anyone else, from
# NVIDIA's "Xid Errors" catalogue (docs.nvidia.com/deploy/xid-errors/, the "Xid catalog" table
# and its recommended actions): 48 double-bit ECC error; 63 ECC page retirement or row
# remapping recorded (applies at the next reset); 64 page retirement or row remapping failed;
# 74 NVLink error; 79 GPU fell off the bus; 92 high single-bit ECC error rate; 94 contained
# ECC error (reset "at the earliest convenience"); 95 uncontained ECC error (every
# application on the GPU is affected; reset).
RESET_XIDS = {
    48: "double-bit ECC error",
    63: "ECC page retirement / row remapping recorded, pending a reset",
    64: "ECC page retirement / row remapping failed",
    74: "NVLink error",
    79: "GPU fell off the bus",
    92: "high single-bit ECC error rate",
    94: "contained ECC error",
    95: "uncontained ECC error",
}


def _tenant_change(view: NodeView, uuid: str) -> tuple[str | None, set[str], list[str] | None]:
    """(who is new on the GPU, or None on a first pass; who uses it now; who used it before)."""
    now = view.tenants_on(uuid)
    before = None if view.previous_tenants is None else view.previous_tenants.get(uuid)
    if before is None:
        return None, now, None
    new = sorted(now - set(before))
    return (", ".join(new) if new else ""), now, before


@check(
    id="GPU-009",
    title="GPU memory has no pending page retirement or row remapping when it changes tenant",
    severity="medium",
    category="availability",
    sources="N",
    risk="Pending retirements or remaps take effect only at reset; until then faulty memory serves the next tenant.",
    remediation={"cli": "Drain the node and reset the GPU (nvidia-smi -r) before scheduling another tenant."},
)
def memory_health(view: NodeView) -> Iterator[Outcome]:
    """Retired pages pending (pre-Ampere) and remapped rows pending or failed (Ampere+). A pending flag
    fails when the GPU is now used by a tenant that did not use it at the last pass (the state file);
    without state (a first pass) it warns. A remapping failure always fails."""
    for path, gpu in view.gpus:
        s, uuid = gpu_subject(gpu), gpu["uuid"]
        pages, rows = gpu.get("retired_pages_pending"), gpu.get("remapped_rows")
        known = [x for x in (pages, rows) if x is not None and not is_na(x)]
        if not known:
            rec = (
                rows
                if is_na(rows)
                else pages
                if is_na(pages)
                else {"not_applicable": "NotSupported", "call": "nvmlDeviceGetRemappedRows"}
            )
            yield not_applicable(s, rec, f"{path}.remapped_rows", gpu=uuid)
            continue
        rows_ok = isinstance(rows, dict) and not is_na(rows)
        if rows_ok and rows.get("failure"):
            yield failed(
                s,
                "row remapping failed: the GPU needs service",
                at=f"{path}.remapped_rows",
                value=rows,
                gpu=uuid,
            )
            continue
        if rows_ok and rows.get("pending"):
            what, at, value = "remapped rows are pending a GPU reset", f"{path}.remapped_rows", rows
        elif pages is True:
            what, at, value = "retired pages are pending a GPU reset", f"{path}.retired_pages_pending", True
        else:
            yield passed(s, gpu=uuid)
            continue
        new, now, before = _tenant_change(view, uuid)
        if new is None:
            yield warned(
                s, f"{what} (first pass: no record of its previous tenant)", at=at, value=value, gpu=uuid
            )
        elif new:
            yield failed(
                s,
                f"{what}, and it changed tenant: now used by {new}, before by {', '.join(before) or 'nobody'}",
                at=at,
                value={
                    **(value if isinstance(value, dict) else {"pending": value}),
                    "tenants_before": before,
                },
                gpu=uuid,
                tenant=new.split(", ")[0],
            )
        else:
            yield passed(s, gpu=uuid)


@check(
    id="GPU-014",
    title="No GPU keeps serving tenants after an Xid memory fault or reset-required error",
    severity="high",
    category="availability",
    sources="N",
    risk="After a memory fault the GPU's memory state is suspect until reset; a fault the driver cannot pin to "
    "a MIG GPU instance hits every tenant on the GPU.",
    references=("https://docs.nvidia.com/deploy/xid-errors/index.html",),
    remediation={
        "cli": "Drain the node, reset the GPU (nvidia-smi -r -i <gpu>) and check its retired pages / remapped rows."
    },
)
def fault_containment(view: NodeView) -> Iterator[Outcome]:
    """Xid critical error events (nvmlDeviceRegisterEvents with nvmlEventTypeXidCriticalError, drained with
    nvmlEventSetWait_v2): a memory-fault or reset-required Xid fails; any other Xid with no GPU instance
    attribution fails on a GPU that two or more tenants use."""
    for path, gpu in view.gpus:
        s, uuid, at = gpu_subject(gpu), gpu["uuid"], f"{path}.xid_events"
        events = gpu.get("xid_events")
        if events is None or is_na(events):
            rec = events or {"not_applicable": "NotSupported", "call": "nvmlDeviceRegisterEvents"}
            yield not_applicable(s, rec, at, gpu=uuid)
            continue
        tenants = sorted(view.tenants_on(uuid))
        on = f"; tenants on it: {', '.join(tenants)}" if tenants else ""
        serious = [e for e in events if e["xid"] in RESET_XIDS]
        stray = [e for e in events if e["gpu_instance_id"] is None]
        if serious:
            xids = ", ".join(f"Xid {x} ({RESET_XIDS[x]})" for x in sorted({e["xid"] for e in serious}))
            yield failed(
                s, f"{xids}: reset the GPU before it serves another tenant{on}", at=at, value=events, gpu=uuid
            )
        elif stray and len(tenants) >= 2:
            xids = ", ".join(f"Xid {x}" for x in sorted({e["xid"] for e in stray}))
            yield failed(
                s,
                f"{xids} not attributable to a GPU instance, on a GPU shared by {', '.join(tenants)}",
                at=at,
                value=events,
                gpu=uuid,
            )
        else:
            yield passed(s, gpu=uuid)
