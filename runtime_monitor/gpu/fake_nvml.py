"""A stand-in for the `pynvml` module, built from a snapshot's `nvml` section. It answers
the calls `runtime_monitor.gpu.nvml` makes and raises the real `pynvml.NVMLError_*` classes
where the snapshot recorded a not-applicable result, so replaying a snapshot (and every
test) runs the live adapter code. A value a hand-written snapshot leaves out reads as
NotSupported, the answer NVML gives for a feature the GPU lacks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from runtime_monitor.gpu.nvml import ERROR_CODES, NA_KEY, NOT_MIG, is_na


class _Handle:
    __slots__ = ("data", "parent")

    def __init__(self, data: dict, parent: dict | None = None):
        self.data = data
        self.parent = parent


def _raise(error: str):
    import pynvml

    if error == "LibraryMismatch":
        raise pynvml.NVMLLibraryMismatchError("recorded: the driver lacks the versioned call")
    raise pynvml.NVMLError(ERROR_CODES.get(error, 999))


def _value(d: dict, key: str) -> Any:
    if key not in d:
        _raise("NotSupported")
    v = d[key]
    if is_na(v):
        _raise(v[NA_KEY])
    return v


class FakeNvml:
    """Only the calls the adapter makes; anything else is an AttributeError, so a new call in
    the adapter cannot silently read nothing."""

    def __init__(self, section: dict):
        self._s = section
        self._event_sets: dict[int, list] = {}

    # -- events: each registered GPU's recorded `xid_events` are delivered once, in order --
    def nvmlEventSetCreate(self) -> int:
        self._event_sets[len(self._event_sets)] = []
        return len(self._event_sets) - 1

    def nvmlDeviceRegisterEvents(self, h: _Handle, event_types: int, event_set: int) -> None:
        from runtime_monitor.gpu.nvml import XID_CRITICAL

        events = _value(h.data, "xid_events")
        if event_types & ~XID_CRITICAL:  # only Xid support is recorded: NVML refuses the rest
            _raise("NotSupported")
        for e in events:
            self._event_sets[event_set].append(
                SimpleNamespace(
                    device=h,
                    eventType=XID_CRITICAL,
                    eventData=e["xid"],
                    gpuInstanceId=NOT_MIG if e.get("gpu_instance_id") is None else e["gpu_instance_id"],
                    computeInstanceId=NOT_MIG
                    if e.get("compute_instance_id") is None
                    else e["compute_instance_id"],
                )
            )

    def nvmlEventSetWait_v2(self, event_set: int, timeout_ms: int):
        queue = self._event_sets[event_set]
        if not queue:
            _raise("Timeout")
        return queue.pop(0)

    def nvmlEventSetFree(self, event_set: int) -> None:
        self._event_sets.pop(event_set)

    # -- system --
    def nvmlInit(self) -> None:
        pass

    def nvmlShutdown(self) -> None:
        pass

    def nvmlSystemGetDriverVersion(self) -> str:
        return _value(self._s, "driver_version")

    def nvmlSystemGetCudaDriverVersion_v2(self) -> int:
        return _value(self._s, "cuda_driver_version")

    def nvmlSystemGetConfComputeState(self):
        v = _value(self._s, "conf_compute")
        return SimpleNamespace(
            environment=v["environment"], ccFeature=v["cc_feature"], devToolsMode=v["dev_tools_mode"]
        )

    def nvmlDeviceGetCount(self) -> int:
        if "device_count" in self._s:
            return _value(self._s, "device_count")
        return len(self._s.get("gpus", []))

    def nvmlDeviceGetHandleByIndex(self, i: int) -> _Handle:
        gpus = self._s.get("gpus", [])
        if i >= len(gpus):
            _raise("NotFound")
        if "error" in gpus[i]:
            _raise(gpus[i]["error"][NA_KEY])
        return _Handle(gpus[i])

    # -- a device (GPU or MIG) --
    def nvmlDeviceGetUUID(self, h: _Handle) -> str:
        return _value(h.data, "uuid")

    def nvmlDeviceGetName(self, h: _Handle) -> str:
        return _value(h.data, "name")

    def nvmlDeviceGetMinorNumber(self, h: _Handle) -> int:
        return _value(h.data, "minor_number")

    def nvmlDeviceGetMigMode(self, h: _Handle) -> list[int]:
        v = _value(h.data, "mig_mode")
        return [v["current"], v["pending"]]

    def nvmlDeviceGetMaxMigDeviceCount(self, h: _Handle) -> int:
        migs = _value(h.data, "mig_devices")
        return max([m.get("slot", i) for i, m in enumerate(migs)], default=-1) + 1 if migs else 0

    def nvmlDeviceGetMigDeviceHandleByIndex(self, h: _Handle, i: int) -> _Handle:
        for j, m in enumerate(_value(h.data, "mig_devices")):
            if m.get("slot", j) == i:
                if "error" in m:
                    _raise(m["error"][NA_KEY])
                return _Handle(m, h.data)
        _raise("NotFound")

    def nvmlDeviceGetGpuInstanceId(self, h: _Handle) -> int:
        return _value(h.data, "gpu_instance_id")

    def nvmlDeviceGetComputeInstanceId(self, h: _Handle) -> int:
        return _value(h.data, "compute_instance_id")

    def nvmlDeviceGetComputeMode(self, h: _Handle) -> int:
        return _value(h.data, "compute_mode")

    def _procs(self, h: _Handle, kind: str, versioned: bool):
        gpu = h.parent or h.data
        if not versioned and gpu.get("process_api") == "v2":
            _raise("LibraryMismatch")
        procs = _value(h.data, "processes")
        got = _value(procs, kind)
        gi = h.data.get("gpu_instance_id", NOT_MIG) if h.parent else NOT_MIG
        ci = h.data.get("compute_instance_id", NOT_MIG) if h.parent else NOT_MIG
        return [
            SimpleNamespace(
                pid=p["pid"],
                usedGpuMemory=p.get("used_memory"),
                gpuInstanceId=p.get("gpu_instance_id", gi),
                computeInstanceId=p.get("compute_instance_id", ci),
            )
            for p in got
        ]

    def nvmlDeviceGetComputeRunningProcesses(self, h):
        return self._procs(h, "compute", False)

    def nvmlDeviceGetGraphicsRunningProcesses(self, h):
        return self._procs(h, "graphics", False)

    def nvmlDeviceGetMPSComputeRunningProcesses(self, h):
        return self._procs(h, "mps", False)

    def nvmlDeviceGetComputeRunningProcesses_v2(self, h):
        return self._procs(h, "compute", True)

    def nvmlDeviceGetGraphicsRunningProcesses_v2(self, h):
        return self._procs(h, "graphics", True)

    def nvmlDeviceGetMPSComputeRunningProcesses_v2(self, h):
        return self._procs(h, "mps", True)

    def nvmlDeviceGetEccMode(self, h: _Handle) -> list[int]:
        v = _value(h.data, "ecc_mode")
        return [v["current"], v["pending"]]

    def nvmlDeviceGetTotalEccErrors(self, h: _Handle, error_type: int, counter_type: int) -> int:
        return _value(h.data, "ecc_uncorrected_volatile")

    def nvmlDeviceGetRetiredPagesPendingStatus(self, h: _Handle) -> int:
        return int(_value(h.data, "retired_pages_pending"))

    def nvmlDeviceGetRemappedRows(self, h: _Handle) -> tuple:
        v = _value(h.data, "remapped_rows")
        return (v["corrected"], v["uncorrected"], int(v["pending"]), int(v["failure"]))

    def nvmlDeviceGetPersistenceMode(self, h: _Handle) -> int:
        return _value(h.data, "persistence_mode")

    def nvmlDeviceGetAccountingMode(self, h: _Handle) -> int:
        return _value(h.data, "accounting_mode")

    def nvmlDeviceGetAccountingPids(self, h: _Handle) -> list[int]:
        return _value(h.data, "accounting_pids")

    def nvmlDeviceGetVirtualizationMode(self, h: _Handle) -> int:
        return _value(h.data, "virtualization_mode")
