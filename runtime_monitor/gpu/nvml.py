"""NVML through nvidia-ml-py: read everything the isolation checks need into the
snapshot's `nvml` section. The `nvml` argument is the `pynvml` module live, or a
`FakeNvml` built from a recorded snapshot, which raises the same `pynvml.NVMLError_*`
classes, so replay runs this very code.

Every call goes through `safe()`: a call the GPU or driver cannot answer (NotSupported,
FunctionNotFound on old drivers), one the agent may not make (NoPermission), or a lost GPU
becomes a `not_applicable` record naming the call and the reason, never a silent pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NA_KEY = "not_applicable"
NOT_MIG = 0xFFFFFFFF  # NVML's "no GPU/compute instance" for processes on a non-MIG GPU
XID_CRITICAL = 0x8  # pynvml.nvmlEventTypeXidCriticalError
TIMEOUT = 10  # pynvml.NVML_ERROR_TIMEOUT: nvmlEventSetWait_v2 saw no event in its window
MAX_XID_EVENTS = 1000  # per pass: a GPU in an error storm must not stall the pass

# NVML return codes we name (pynvml.NVML_ERROR_*); the rest read as "Unknown(<code>)"
ERROR_NAMES = {
    3: "NotSupported",
    4: "NoPermission",
    6: "NotFound",
    10: "Timeout",
    13: "FunctionNotFound",
    15: "GpuIsLost",
    18: "LibRmVersionMismatch",
    999: "Unknown",
}
ERROR_CODES = {v: k for k, v in ERROR_NAMES.items()}
REASONS = {
    "NotSupported": "the GPU or driver does not support this call",
    "FunctionNotFound": "the driver is too old for this call",
    "NoPermission": "the monitor lacks the privilege for this call (run it as root)",
    "GpuIsLost": "the GPU fell off the bus",
    "NotFound": "nothing to report",
    "LibraryMismatch": "the driver lacks the versioned call nvidia-ml-py uses",
}


def na(error: str, call: str) -> dict:
    return {NA_KEY: error, "call": call}


def is_na(value: Any) -> bool:
    return isinstance(value, dict) and NA_KEY in value


def na_reason(value: dict) -> str:
    err = value[NA_KEY]
    why = value.get("reason") or REASONS.get(err, "NVML error")
    return f"{value.get('call', 'NVML')}: {err} ({why})"


def safe(call: str, fn: Callable, *args) -> Any:
    """The call's value, or a not-applicable record. Only NVML's own errors are caught: a
    bug in our code must still surface."""
    import pynvml

    try:
        return fn(*args)
    except pynvml.NVMLLibraryMismatchError:
        return na("LibraryMismatch", call)
    except pynvml.NVMLError as e:
        code = getattr(e, "value", 999)
        return na(ERROR_NAMES.get(code, f"Unknown({code})"), call)


def _text(v: Any) -> Any:
    return v.decode() if isinstance(v, bytes) else v


def _processes(nvml, handle, kind: str, api: str) -> list | dict:
    name = {
        "compute": "nvmlDeviceGetComputeRunningProcesses",
        "graphics": "nvmlDeviceGetGraphicsRunningProcesses",
        "mps": "nvmlDeviceGetMPSComputeRunningProcesses",
    }[kind]
    call = name if api == "v3" else f"{name}_v2"
    got = safe(call, getattr(nvml, call), handle)
    if is_na(got):
        return got
    return [
        {
            "pid": int(p.pid),
            "used_memory": None if p.usedGpuMemory is None else int(p.usedGpuMemory),
            "gpu_instance_id": int(getattr(p, "gpuInstanceId", NOT_MIG)),
            "compute_instance_id": int(getattr(p, "computeInstanceId", NOT_MIG)),
        }
        for p in got
    ]


def _process_api(nvml, handle) -> str:
    """Drivers before 510 lack the _v3 process getters: pynvml's unversioned call then
    raises NVMLLibraryMismatchError, and the _v2 call is the one that works."""
    got = safe("nvmlDeviceGetComputeRunningProcesses", nvml.nvmlDeviceGetComputeRunningProcesses, handle)
    return "v2" if is_na(got) and got[NA_KEY] == "LibraryMismatch" else "v3"


def _all_processes(nvml, handle, api: str) -> dict:
    return {k: _processes(nvml, handle, k, api) for k in ("compute", "graphics", "mps")}


def _pair(v: Any, a: str, b: str) -> Any:
    return v if is_na(v) else {a: int(v[0]), b: int(v[1])}


def _mig_devices(nvml, handle, api: str) -> list | dict:
    count = safe("nvmlDeviceGetMaxMigDeviceCount", nvml.nvmlDeviceGetMaxMigDeviceCount, handle)
    if is_na(count):
        return count
    out = []
    for i in range(int(count)):
        mig = safe("nvmlDeviceGetMigDeviceHandleByIndex", nvml.nvmlDeviceGetMigDeviceHandleByIndex, handle, i)
        if is_na(mig):
            if mig[NA_KEY] == "NotFound":
                continue  # an empty slot
            out.append({"slot": i, "error": mig})
            continue
        name = _text(safe("nvmlDeviceGetName", nvml.nvmlDeviceGetName, mig))
        out.append(
            {
                "slot": i,
                "uuid": _text(safe("nvmlDeviceGetUUID", nvml.nvmlDeviceGetUUID, mig)),
                "name": name,
                # "NVIDIA A100-SXM4-80GB MIG 3g.40gb" -> "3g.40gb": no root needed, unlike GI profiles
                "profile": name.rsplit("MIG ", 1)[1] if isinstance(name, str) and "MIG " in name else None,
                "gpu_instance_id": safe("nvmlDeviceGetGpuInstanceId", nvml.nvmlDeviceGetGpuInstanceId, mig),
                "compute_instance_id": safe(
                    "nvmlDeviceGetComputeInstanceId", nvml.nvmlDeviceGetComputeInstanceId, mig
                ),
                "compute_mode": safe("nvmlDeviceGetComputeMode", nvml.nvmlDeviceGetComputeMode, mig),
                "processes": _all_processes(nvml, mig, api),
            }
        )
    return out


def _gpu(nvml, index: int) -> dict:
    h = safe("nvmlDeviceGetHandleByIndex", nvml.nvmlDeviceGetHandleByIndex, index)
    if is_na(h):
        return {"index": index, "error": h}
    api = _process_api(nvml, h)
    mig_mode = _pair(safe("nvmlDeviceGetMigMode", nvml.nvmlDeviceGetMigMode, h), "current", "pending")
    gpu: dict[str, Any] = {
        "index": index,
        "uuid": _text(safe("nvmlDeviceGetUUID", nvml.nvmlDeviceGetUUID, h)),
        "name": _text(safe("nvmlDeviceGetName", nvml.nvmlDeviceGetName, h)),
        "minor_number": safe("nvmlDeviceGetMinorNumber", nvml.nvmlDeviceGetMinorNumber, h),
        "mig_mode": mig_mode,
    }
    if api != "v3":
        gpu["process_api"] = api
    mig_on = not is_na(mig_mode) and mig_mode["current"] == 1
    if mig_on:
        # With MIG on, processes, and compute mode, are only visible per MIG device (the
        # parent's aggregate needs privileges).
        gpu["mig_devices"] = _mig_devices(nvml, h, api)
    else:
        gpu["processes"] = _all_processes(nvml, h, api)
        gpu["compute_mode"] = safe("nvmlDeviceGetComputeMode", nvml.nvmlDeviceGetComputeMode, h)
    gpu["ecc_mode"] = _pair(safe("nvmlDeviceGetEccMode", nvml.nvmlDeviceGetEccMode, h), "current", "pending")
    # 1 = uncorrected, 0 = volatile (since the last driver load)
    gpu["ecc_uncorrected_volatile"] = safe(
        "nvmlDeviceGetTotalEccErrors", nvml.nvmlDeviceGetTotalEccErrors, h, 1, 0
    )
    pending = safe("nvmlDeviceGetRetiredPagesPendingStatus", nvml.nvmlDeviceGetRetiredPagesPendingStatus, h)
    gpu["retired_pages_pending"] = pending if is_na(pending) else bool(pending)
    rows = safe("nvmlDeviceGetRemappedRows", nvml.nvmlDeviceGetRemappedRows, h)
    gpu["remapped_rows"] = (
        rows
        if is_na(rows)
        else {
            "corrected": int(rows[0]),
            "uncorrected": int(rows[1]),
            "pending": bool(rows[2]),
            "failure": bool(rows[3]),
        }
    )
    gpu["persistence_mode"] = safe("nvmlDeviceGetPersistenceMode", nvml.nvmlDeviceGetPersistenceMode, h)
    acct = safe("nvmlDeviceGetAccountingMode", nvml.nvmlDeviceGetAccountingMode, h)
    gpu["accounting_mode"] = acct
    if acct == 1:
        pids = safe("nvmlDeviceGetAccountingPids", nvml.nvmlDeviceGetAccountingPids, h)
        gpu["accounting_pids"] = pids if is_na(pids) else [int(p) for p in pids]
    gpu["virtualization_mode"] = safe(
        "nvmlDeviceGetVirtualizationMode", nvml.nvmlDeviceGetVirtualizationMode, h
    )
    return gpu


def _conf_compute(nvml) -> dict:
    fn = getattr(nvml, "nvmlSystemGetConfComputeState", None)
    if fn is None:  # an nvidia-ml-py older than the call
        return na("FunctionNotFound", "nvmlSystemGetConfComputeState")
    s = safe("nvmlSystemGetConfComputeState", fn)
    if is_na(s):
        return s
    return {
        "environment": int(s.environment),
        "cc_feature": int(s.ccFeature),
        "dev_tools_mode": int(s.devToolsMode),
    }


def _xid_event(nvml, data) -> tuple[Any, dict]:
    def instance(v: int) -> int | None:
        return None if int(v) == NOT_MIG else int(v)

    uuid = _text(safe("nvmlDeviceGetUUID", nvml.nvmlDeviceGetUUID, data.device))
    return uuid, {
        "xid": int(data.eventData),
        # NOT_MIG (None here): the driver could not pin the fault to a GPU instance
        "gpu_instance_id": instance(data.gpuInstanceId),
        "compute_instance_id": instance(data.computeInstanceId),
    }


def collect_xid_events(nvml, gpus: list[dict], wait_ms: int) -> None:
    """Each GPU's `xid_events`: the Xid critical errors NVML delivers while we listen (one
    nvmlEventSetWait_v2 window of wait_ms after the last event), or why it cannot listen
    (registration is NotSupported on GPUs without full NVML support). NVML only delivers
    events raised after registration, so a pass sees the Xids of its own window."""
    import pynvml

    usable = [g for g in gpus if "error" not in g and isinstance(g.get("uuid"), str)]
    event_set = safe("nvmlEventSetCreate", nvml.nvmlEventSetCreate)
    if is_na(event_set):
        for g in usable:
            g["xid_events"] = event_set
        return
    try:
        listening: dict[str, dict] = {}
        for g in usable:
            h = safe("nvmlDeviceGetHandleByIndex", nvml.nvmlDeviceGetHandleByIndex, g["index"])
            reg = (
                h
                if is_na(h)
                else safe(
                    "nvmlDeviceRegisterEvents", nvml.nvmlDeviceRegisterEvents, h, XID_CRITICAL, event_set
                )
            )
            g["xid_events"] = reg if is_na(reg) else []
            if not is_na(reg):
                listening[g["uuid"]] = g
        seen = 0
        while listening and seen < MAX_XID_EVENTS:
            try:
                data = nvml.nvmlEventSetWait_v2(event_set, wait_ms)
            except pynvml.NVMLError as e:
                if getattr(e, "value", None) != TIMEOUT:
                    for g in listening.values():
                        g["xid_events"] = na(
                            ERROR_NAMES.get(e.value, f"Unknown({e.value})"), "nvmlEventSetWait_v2"
                        )
                break
            seen += 1
            if int(data.eventType) & XID_CRITICAL:
                uuid, event = _xid_event(nvml, data)
                if uuid in listening:
                    listening[uuid]["xid_events"].append(event)
    finally:
        safe("nvmlEventSetFree", nvml.nvmlEventSetFree, event_set)


def collect_nvml(nvml, *, xid_wait_ms: int = 0) -> dict:
    """The snapshot's `nvml` section. The caller has called nvmlInit()."""
    count = safe("nvmlDeviceGetCount", nvml.nvmlDeviceGetCount)
    gpus = [] if is_na(count) else [_gpu(nvml, i) for i in range(int(count))]
    collect_xid_events(nvml, gpus, xid_wait_ms)
    return {
        "driver_version": _text(safe("nvmlSystemGetDriverVersion", nvml.nvmlSystemGetDriverVersion)),
        "cuda_driver_version": safe(
            "nvmlSystemGetCudaDriverVersion_v2", nvml.nvmlSystemGetCudaDriverVersion_v2
        ),
        "conf_compute": _conf_compute(nvml),
        "device_count": count,
        "gpus": gpus,
    }


def collect_live(nvml=None, *, xid_wait_ms: int = 100) -> dict:
    """NVML on this machine (or `nvml`, a stand-in module such as a FakeNvml: the test seam).
    Raises pynvml.NVMLError when there is no driver or library."""
    if nvml is None:
        import pynvml as nvml

    nvml.nvmlInit()
    try:
        return collect_nvml(nvml, xid_wait_ms=xid_wait_ms)
    finally:
        nvml.nvmlShutdown()
