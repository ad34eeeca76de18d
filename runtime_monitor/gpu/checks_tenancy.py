"""Who runs where: every GPU process is attributed to a pod and tenant, runs only on what
the kubelet allocated to it, and shares its GPU or MIG GPU instance only as the tenants
declare."""

from __future__ import annotations

from collections.abc import Iterator

from runtime_monitor.gpu.nvml import is_na
from runtime_monitor.gpu.sdk import Outcome, Subject, check, failed, not_applicable, passed, warned
from runtime_monitor.gpu.view import GpuProcess, NodeView, pod_ref, requests_gpu


def proc_subject(p: GpuProcess) -> Subject:
    where = p.mig_uuid or p.gpu_uuid
    return Subject("runtime.gpu_process", f"{p.pid}@{where}", f"PID {p.pid} on {where}")


def pod_subject(pod: dict) -> Subject:
    return Subject("k8s.pod", pod_ref(pod), pod_ref(pod))


def _pod_key(pod: dict) -> tuple[str, str]:
    return pod["metadata"]["namespace"], pod["metadata"]["name"]


def _pods_na(view: NodeView, s: Subject, at: str, **kw) -> Outcome:
    return not_applicable(s, view.unavailable["pods"], at, **kw)


@check(
    id="GPU-004",
    title="Every GPU process belongs to a pod of a declared tenant allowed on that GPU's pool",
    severity="high",
    sources="N,F,K",
    applies_to=("runtime.gpu_process",),
    risk="An unattributed process (a host process, a container outside Kubernetes) uses a tenant's GPU unseen.",
    remediation={
        "policy": "Declare the namespace under a tenant and the pool under the tenant's pools.",
        "kubernetes": "Find the process (nvidia-smi, ps -p PID -o cgroup) and remove it from the GPU node.",
    },
)
def process_attribution(view: NodeView) -> Iterator[Outcome]:
    """NVML host PID -> /proc/<pid>/cgroup -> pod UID -> namespace -> tenant -> tenant.pools."""
    unattributed = view.policy.defaults.unattributed_process
    for holder, at, subject in _process_holders(view):
        procs = holder.get("processes")
        for kind in ("compute", "graphics", "mps"):
            got = procs if is_na(procs) else (procs or {}).get(kind)
            if is_na(got):
                yield not_applicable(
                    subject, got, f"{at}.processes", gpu=subject.id if subject.type == "runtime.gpu" else None
                )
                break
    for p in view.processes:
        s = proc_subject(p)
        if "pods" in view.unavailable and p.pod_uid:
            yield _pods_na(view, s, "pods", gpu=p.gpu_uuid)
            continue
        if p.pod is None:
            why = (
                f"its cgroup names pod {p.pod_uid}, which is not on this node"
                if p.pod_uid
                else "its cgroup names no pod (a host process or a container outside Kubernetes)"
                if str(p.pid) in (view.snapshot.get("cgroups") or {})
                and (view.snapshot["cgroups"][str(p.pid)])
                else "its /proc/<pid>/cgroup could not be read (the process ended, or /proc is not the host's)"
            )
            fn = failed if unattributed == "fail" else warned
            yield fn(
                s,
                why,
                at=p.at,
                value={"pid": p.pid, "pod_uid": p.pod_uid},
                policy_path="defaults.unattributed_process",
                gpu=p.gpu_uuid,
            )
            continue
        ns = p.pod["metadata"]["namespace"]
        if p.tenant is None:
            if ns in view.policy.defaults.privileged_namespaces:
                yield passed(s, gpu=p.gpu_uuid)
            else:
                yield failed(
                    s,
                    f"pod {pod_ref(p.pod)} is in namespace {ns!r}, which no tenant declares",
                    at=p.at,
                    value=pod_ref(p.pod),
                    policy_path="tenants",
                    gpu=p.gpu_uuid,
                    pod=_pod_key(p.pod),
                )
            continue
        pools = [pl.name for pl in view.pools_of(p.gpu_uuid)]
        if p.tenant.pools and not set(pools) & set(p.tenant.pools):
            yield failed(
                s,
                f"tenant {p.tenant.name!r} (pod {pod_ref(p.pod)}) runs on pool {', '.join(pools) or '(none)'}, not one of its pools",
                at=p.at,
                value=pools,
                policy_path=f"{p.tenant.path}.pools",
                tenant=p.tenant.name,
                gpu=p.gpu_uuid,
                pod=_pod_key(p.pod),
            )
        else:
            yield passed(s, tenant=p.tenant.name, gpu=p.gpu_uuid)


def _process_holders(view: NodeView):
    """Each GPU (MIG off) or MIG device whose processes NVML lists."""
    from runtime_monitor.gpu.checks_device import gpu_subject, mig_subject

    for path, gpu in view.gpus:
        if "processes" in gpu:
            yield gpu, path, gpu_subject(gpu)
    for mpath, _gpu, mig in view.migs.values():
        yield mig, mpath, mig_subject(mig)


def _bypass(pod: dict) -> str:
    """Why a pod can use a GPU it was not given, from its spec."""
    reasons = []
    for c in pod["spec"]["containers"]:
        if (c.get("securityContext") or {}).get("privileged"):
            reasons.append(f"container {c['name']} is privileged (sees every GPU)")
        for e in c.get("env") or []:
            if e["name"] == "NVIDIA_VISIBLE_DEVICES":
                reasons.append(f"container {c['name']} sets NVIDIA_VISIBLE_DEVICES={e.get('value', '?')}")
    if requests_gpu(pod) == 0:
        reasons.append("it requests nvidia.com/gpu: 0")
    return "; ".join(reasons) or "no allocation explains it"


@check(
    id="GPU-005",
    title="Pods run only on the GPUs and MIG devices the kubelet allocated to them",
    severity="critical",
    sources="N,P",
    applies_to=("runtime.gpu_process",),
    risk="A pod on an unallocated GPU (NVIDIA_VISIBLE_DEVICES, nvidia.com/gpu: 0, privileged) reads another tenant's GPU.",
    references=(
        "https://github.com/NVIDIA/cloud-native-docs/blob/main/gpu-operator/security-considerations.rst",
    ),
    remediation={
        "kubernetes": "Set the device plugin's DEVICE_LIST_STRATEGY=volume-mounts (or CDI) and the toolkit's "
        "accept-nvidia-visible-devices-envvar-when-unprivileged=false; forbid privileged tenant pods.",
    },
)
def allocation_vs_usage(view: NodeView) -> Iterator[Outcome]:
    """NVML's per-device processes against PodResources List() device ids (GPU-/MIG- UUIDs, ::n replicas)."""
    for p in view.processes:
        if p.pod is None:
            continue  # GPU-004 reports it
        s = proc_subject(p)
        if "pod_resources" in view.unavailable:
            yield not_applicable(s, view.unavailable["pod_resources"], "pod_resources", gpu=p.gpu_uuid)
            continue
        units = view.allocated_units(p.pod)
        if p.unit in units or p.gpu_uuid in units and p.mig_uuid is None:
            yield passed(s, gpu=p.gpu_uuid)
            continue
        tenant = p.tenant.name if p.tenant else None
        had = ", ".join(sorted(units)) or "nothing"
        yield failed(
            s,
            f"pod {pod_ref(p.pod)} uses {p.unit} but was allocated {had}: {_bypass(p.pod)}",
            at=p.at,
            value={"used": p.unit, "allocated": sorted(units)},
            tenant=tenant,
            gpu=p.gpu_uuid,
            pod=_pod_key(p.pod),
        )


def _isolation_unit(view: NodeView, unit: str) -> str:
    """MIG compute instances of one GPU instance share memory: the GI is the unit."""
    if unit in view.migs:
        _, gpu, mig = view.migs[unit]
        return f"{gpu['uuid']}/gi{mig.get('gpu_instance_id')}"
    return unit


@check(
    id="GPU-006",
    title="No two tenants share a GPU or MIG GPU instance unless both allow it",
    severity="critical",
    sources="P,N,K",
    risk="Time-sliced replicas and compute instances of one GPU instance share memory and fault domain.",
    remediation={
        "policy": "Give exclusive tenants their own GPUs or MIG GPU instances (max_tenants_per_gpu_instance: 1).",
        "kubernetes": "Schedule tenants to separate pools (node affinity, taints) or use MIG with one tenant per GI.",
    },
)
def cross_tenant_sharing(view: NodeView) -> Iterator[Outcome]:
    """Tenants per GPU / GPU instance, from allocations (incl. GPU-<uuid>::<n> replicas) and running processes."""
    if "pod_resources" in view.unavailable:
        node = Subject("runtime.node", view.node, f"node {view.node}")
        yield not_applicable(node, view.unavailable["pod_resources"], "pod_resources")
    holders: dict[str, dict[str, str]] = {}  # unit -> tenant-or-namespace -> how it was seen
    gpu_of: dict[str, str] = {}
    for a in view.allocations:
        if a.unit:
            t = view.tenant_of_pod(a.pod)
            key = _isolation_unit(view, a.unit)
            holders.setdefault(key, {}).setdefault(
                t.name if t else f"namespace {a.pod['metadata']['namespace']}", f"allocated {a.device_id}"
            )
            gpu_of[key] = view.parent_of(a.unit)
    for p in view.processes:
        if p.pod is not None:
            key = _isolation_unit(view, p.unit)
            holders.setdefault(key, {}).setdefault(
                p.tenant.name if p.tenant else f"namespace {p.pod['metadata']['namespace']}", f"PID {p.pid}"
            )
            gpu_of[key] = p.gpu_uuid
    for key, who in sorted(holders.items()):
        gpu_uuid = gpu_of[key]
        pools = view.pools_of(gpu_uuid)
        s = Subject("runtime.mig_device" if "/gi" in key else "runtime.gpu", key, key)
        names = sorted(who)
        if len(names) < 2:
            yield passed(s, gpu=gpu_uuid)
            continue
        tenants = [view.policy.tenant(n) for n in names]
        exclusive = [t.name for t in tenants if t is not None and t.sharing == "exclusive"]
        same = [t.name for t in tenants if t is not None and t.sharing == "same-tenant"]
        limit = pools[0].max_tenants_per_gpu_instance if len(pools) == 1 else None
        detail = ", ".join(f"{n} ({who[n]})" for n in names)
        if exclusive or same:
            t = view.policy.tenant((exclusive or same)[0])
            yield failed(
                s,
                f"{len(names)} tenants share it: {detail}; {t.name!r} declares sharing {t.sharing}",
                at="pod_resources",
                value=names,
                policy_path=f"{t.path}.sharing",
                gpu=gpu_uuid,
                tenant=t.name,
            )
        elif limit is not None and len(names) > limit:
            yield failed(
                s,
                f"{len(names)} tenants share it ({detail}); pool {pools[0].name!r} allows {limit}",
                at="pod_resources",
                value=names,
                policy_path=f"{pools[0].path}.max_tenants_per_gpu_instance",
                gpu=gpu_uuid,
            )
        elif any(t is None for t in tenants):
            yield failed(
                s,
                f"undeclared workloads share it: {detail}",
                at="pod_resources",
                value=names,
                policy_path="tenants",
                gpu=gpu_uuid,
            )
        else:
            yield passed(s, gpu=gpu_uuid)


@check(
    id="K8S-005",
    title="GPU pods run on nodes of their tenant's pools",
    severity="high",
    sources="K",
    applies_to=("k8s.pod",),
    risk="A tenant scheduled outside its pools gets isolation it did not declare.",
    remediation={
        "kubernetes": "Add node affinity to the tenant's pool labels and taint pool nodes per tenant."
    },
)
def placement(view: NodeView) -> Iterator[Outcome]:
    """The node's pools (by labels) against the tenant's declared pools."""
    if "pods" in view.unavailable:
        yield _pods_na(view, Subject("runtime.node", view.node, f"node {view.node}"), "pods")
        return
    node_pools = {p.name for p in view.policy.pools_for_node(view.labels)}
    for pod in view.gpu_pods:
        s, ns = pod_subject(pod), pod["metadata"]["namespace"]
        t = view.tenant_of_pod(pod)
        if t is None:
            if ns in view.policy.defaults.privileged_namespaces:
                continue
            yield failed(
                s,
                f"namespace {ns!r} holds a GPU pod but no tenant declares it",
                at="pods",
                value=ns,
                policy_path="tenants",
                pod=_pod_key(pod),
            )
        elif t.pools and not node_pools & set(t.pools):
            yield failed(
                s,
                f"tenant {t.name!r} runs on node {view.node} (pools {sorted(node_pools) or 'none'}), not on its pools {list(t.pools)}",
                at="node.labels",
                value=sorted(node_pools),
                policy_path=f"{t.path}.pools",
                tenant=t.name,
                pod=_pod_key(pod),
            )
        else:
            yield passed(s, tenant=t.name)
