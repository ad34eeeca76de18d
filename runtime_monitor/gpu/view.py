"""One pass's joined view of a node snapshot: GPUs and MIG devices by UUID, every GPU
process with its pod and tenant (PID -> cgroup -> pod UID -> namespace -> tenant), and what
the kubelet allocated to each pod. Built once per pass; the checks only read it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from runtime_monitor.gpu.cgroups import parse_cgroup
from runtime_monitor.gpu.nvml import NOT_MIG, is_na
from runtime_monitor.policy import Pool, RuntimePolicy, Tenant

_GKE_MIG = re.compile(r"^nvidia(\d+)/gi(\d+)$")
_GKE_SHARED = re.compile(r"^nvidia(\d+)(?:/vgpu\d+)?$")


@dataclass(slots=True)
class GpuProcess:
    pid: int
    kind: str  # compute | graphics | mps
    gpu_uuid: str
    mig_uuid: str | None
    gpu_instance_id: int | None
    used_memory: int | None
    at: str  # snapshot path of the record
    pod_uid: str | None = None
    container_id: str | None = None
    pod: dict | None = None
    tenant: Tenant | None = None

    @property
    def unit(self) -> str:
        """The isolation unit it runs on: the MIG device, or the whole GPU."""
        return self.mig_uuid or self.gpu_uuid


@dataclass(slots=True)
class Allocation:
    pod: dict
    container: str
    resource_name: str
    device_id: str  # as the kubelet reports it
    unit: str | None  # resolved GPU-/MIG- UUID, None when it names no device on this node
    replica: str | None  # the ::n of a shared (time-sliced / MPS) replica


@dataclass
class NodeView:
    snapshot: dict
    policy: RuntimePolicy
    node: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    gpus: list[tuple[str, dict]] = field(default_factory=list)  # (snapshot path, gpu)
    migs: dict[str, tuple[str, dict, dict]] = field(default_factory=dict)  # uuid -> (path, gpu, mig)
    gpu_by_uuid: dict[str, tuple[str, dict]] = field(default_factory=dict)
    processes: list[GpuProcess] = field(default_factory=list)
    pods_by_uid: dict[str, dict] = field(default_factory=dict)
    pods_by_ref: dict[str, dict] = field(default_factory=dict)  # namespace/name -> pod
    allocations: list[Allocation] = field(default_factory=list)
    # sources that could not be read: name -> not-applicable record
    unavailable: dict[str, dict] = field(default_factory=dict)
    # GPU UUID -> the tenants that last used it, from the monitor's state file; None: no state
    # (a first pass, or a replay without --state-dir)
    previous_tenants: dict[str, list[str]] | None = None

    # -- lookups --
    def pools_of(self, gpu_uuid: str) -> list[Pool]:
        return self.policy.pools_for_node(self.labels, gpu_uuid)

    def tenant_of_pod(self, pod: dict | None) -> Tenant | None:
        return None if pod is None else self.policy.tenant_for_namespace(pod["metadata"]["namespace"])

    def parent_of(self, unit: str) -> str:
        return self.migs[unit][1]["uuid"] if unit in self.migs else unit

    def allocated_units(self, pod: dict) -> set[str]:
        ref = pod_ref(pod)
        return {a.unit for a in self.allocations if a.unit and pod_ref(a.pod) == ref}

    def tenants_on(self, gpu_uuid: str) -> set[str]:
        """Who uses a GPU (or its MIG devices) now, by allocation or running process: tenant
        names, or "namespace <ns>" for pods no tenant declares."""
        pods = [a.pod for a in self.allocations if a.unit and self.parent_of(a.unit) == gpu_uuid]
        pods += [p.pod for p in self.processes if p.pod is not None and p.gpu_uuid == gpu_uuid]
        out = set()
        for pod in pods:
            t = self.tenant_of_pod(pod)
            out.add(t.name if t else f"namespace {pod['metadata']['namespace']}")
        return out

    def tenants_by_gpu(self) -> dict[str, list[str]]:
        return {uuid: sorted(self.tenants_on(uuid)) for uuid in self.gpu_by_uuid}

    @property
    def gpu_pods(self) -> list[dict]:
        """Pods that asked for, or were given, GPUs (or can reach them by the known bypasses)."""
        allocated = {pod_ref(a.pod) for a in self.allocations}
        return [p for ref, p in self.pods_by_ref.items() if ref in allocated or requests_gpu(p) is not None]


def pod_ref(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def _int(v: Any) -> int:
    try:
        return int(str(v))
    except ValueError:
        return 0


def requests_gpu(pod: dict) -> int | None:
    """The pod's GPU request (nvidia.com/gpu and nvidia.com/mig-*), None when it names none;
    0 for the `nvidia.com/gpu: 0` bypass."""
    total = None
    for c in pod["spec"]["containers"] + pod["spec"].get("initContainers", []):
        res = c.get("resources") or {}
        per: dict[str, int] = {}
        for section in ("limits", "requests"):
            quantities = res.get(section)
            for k, v in quantities.items() if isinstance(quantities, dict) else ():
                if k == "nvidia.com/gpu" or k.startswith(("nvidia.com/mig-", "nvidia.com/gpu.shared")):
                    per[k] = max(per.get(k, 0), _int(v))
        if per:
            total = (total or 0) + sum(per.values())
    return total


def _resolve(
    device_id: str, by_minor: dict[int, dict], by_index: dict[int, dict]
) -> tuple[str | None, str | None]:
    base, sep, replica = device_id.partition("::")
    if base.startswith(("GPU-", "MIG-")):
        return base, replica if sep else None
    m = _GKE_MIG.match(base)
    if m:
        gpu = by_minor.get(int(m.group(1)))
        for mig in (gpu or {}).get("mig_devices") or []:
            if isinstance(mig, dict) and mig.get("gpu_instance_id") == int(m.group(2)):
                return mig.get("uuid"), None
        return None, None
    m = _GKE_SHARED.match(base)
    if m:
        gpu = by_minor.get(int(m.group(1)))
        return (gpu or {}).get("uuid"), base.split("/", 1)[1] if "/" in base else None
    if base.isdigit():  # DEVICE_ID_STRATEGY=index
        gpu = by_index.get(int(base))
        return (gpu or {}).get("uuid"), replica if sep else None
    return None, None


def build_view(
    snapshot: dict, policy: RuntimePolicy, previous_tenants: dict[str, list[str]] | None = None
) -> NodeView:
    v = NodeView(snapshot, policy, previous_tenants=previous_tenants)
    node = snapshot.get("node") or {}
    v.node = node.get("name", "")
    v.labels = dict(node.get("labels") or {})
    if node.get("labels_error"):
        v.unavailable["node"] = node["labels_error"]
    nvml = snapshot.get("nvml") or {}
    by_minor: dict[int, dict] = {}
    by_index: dict[int, dict] = {}
    for i, gpu in enumerate(nvml.get("gpus") or []):
        path = f"nvml.gpus[{i}]"
        if "error" in gpu or not isinstance(gpu.get("uuid"), str):
            continue
        v.gpus.append((path, gpu))
        v.gpu_by_uuid[gpu["uuid"]] = (path, gpu)
        if isinstance(gpu.get("minor_number"), int):
            by_minor[gpu["minor_number"]] = gpu
        by_index[gpu.get("index", i)] = gpu
        _add_processes(v, gpu, None, path)
        migs = gpu.get("mig_devices")
        if isinstance(migs, list):
            for j, mig in enumerate(migs):
                mpath = f"{path}.mig_devices[{j}]"
                if isinstance(mig.get("uuid"), str):
                    v.migs[mig["uuid"]] = (mpath, gpu, mig)
                    _add_processes(v, gpu, mig, mpath)

    pods = snapshot.get("pods")
    if isinstance(pods, list):
        for p in map(_with_defaults, pods):
            v.pods_by_uid[p["metadata"]["uid"]] = p
            v.pods_by_ref[pod_ref(p)] = p
    else:
        v.unavailable["pods"] = pods or {"not_applicable": "Unavailable", "call": "list pods"}

    cgroups = snapshot.get("cgroups") or {}
    for proc in v.processes:
        text = cgroups.get(str(proc.pid))
        if text:
            owner = parse_cgroup(text)
            proc.pod_uid, proc.container_id = owner.pod_uid, owner.container_id
            proc.pod = v.pods_by_uid.get(owner.pod_uid) if owner.pod_uid else None
            proc.tenant = v.tenant_of_pod(proc.pod)

    pr = snapshot.get("pod_resources")
    if isinstance(pr, list):
        for rec in pr:
            pod = v.pods_by_ref.get(f"{rec['namespace']}/{rec['name']}") or _stub_pod(rec)
            for c in rec.get("containers") or []:
                for d in c.get("devices") or []:
                    if not d.get("resource_name", "").startswith("nvidia.com/"):
                        continue
                    for did in d.get("device_ids") or []:
                        unit, replica = _resolve(did, by_minor, by_index)
                        v.allocations.append(
                            Allocation(pod, c.get("name", ""), d["resource_name"], did, unit, replica)
                        )
    else:
        v.unavailable["pod_resources"] = pr or {
            "not_applicable": "Unavailable",
            "call": "kubelet PodResources List",
        }
    return v


def _with_defaults(pod: dict) -> dict:
    """A pod as the checks read it: what the schema lets a hand-written snapshot leave out
    (initContainers, volumes, a pod securityContext) filled in as empty."""
    spec = pod["spec"]
    if all(k in spec for k in ("initContainers", "volumes", "securityContext")):
        return pod
    return {**pod, "spec": {"initContainers": [], "volumes": [], "securityContext": {}, **spec}}


def _stub_pod(rec: dict) -> dict:
    """An allocation for a pod the API did not list (it just ended, or pods are unavailable)."""
    return {
        "metadata": {"name": rec["name"], "namespace": rec["namespace"], "uid": "", "labels": {}},
        "spec": {"containers": [], "initContainers": [], "volumes": [], "securityContext": {}},
    }


def _add_processes(v: NodeView, gpu: dict, mig: dict | None, path: str) -> None:
    holder = mig if mig is not None else gpu
    procs = holder.get("processes")
    if not isinstance(procs, dict) or is_na(procs):
        return
    for kind in ("compute", "graphics", "mps"):
        got: Any = procs.get(kind)
        if not isinstance(got, list):
            continue
        for k, p in enumerate(got):
            gi = p.get("gpu_instance_id", NOT_MIG)
            if mig is not None and isinstance(mig.get("gpu_instance_id"), int):
                gi = mig["gpu_instance_id"]
            v.processes.append(
                GpuProcess(
                    pid=int(p["pid"]),
                    kind=kind,
                    gpu_uuid=gpu["uuid"],
                    mig_uuid=mig.get("uuid") if mig is not None else None,
                    gpu_instance_id=None if gi == NOT_MIG else gi,
                    used_memory=p.get("used_memory"),
                    at=f"{path}.processes.{kind}[{k}]",
                )
            )
