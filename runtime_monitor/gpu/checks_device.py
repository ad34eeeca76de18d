"""Checks on the GPUs themselves (NVML): pool membership, MIG mode and layout, compute
mode, ECC, accounting, driver baseline, confidential computing and virtualization, each
against the declared policy. Memory health and faults are in checks_faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from runtime_monitor.gpu.nvml import is_na
from runtime_monitor.gpu.sdk import Outcome, Subject, check, failed, not_applicable, passed, warned
from runtime_monitor.gpu.view import NodeView
from runtime_monitor.policy import Pool, gi_profile, version_tuple

COMPUTE_MODES = {0: "default", 1: "exclusive_thread", 2: "prohibited", 3: "exclusive_process"}
VIRTUALIZATION = {0: "none", 1: "passthrough", 2: "vgpu", 3: "host_vgpu", 4: "host_vsga"}
CC_ENV = {0: "unavailable", 1: "simulation", 2: "production"}


def gpu_subject(gpu: dict) -> Subject:
    return Subject("runtime.gpu", gpu["uuid"], f"GPU {gpu.get('index', '?')} ({gpu.get('name', 'unknown')})")


def mig_subject(mig: dict) -> Subject:
    return Subject(
        "runtime.mig_device",
        mig["uuid"],
        f"MIG {mig.get('profile') or '?'} (GI {mig.get('gpu_instance_id')})",
    )


def the_pool(view: NodeView, gpu_uuid: str) -> Pool | None:
    pools = view.pools_of(gpu_uuid)
    return pools[0] if len(pools) == 1 else None


@check(
    id="GPU-001",
    title="Every GPU and MIG device on a node belongs to exactly one declared pool",
    severity="high",
    sources="N",
    applies_to=("runtime.gpu", "runtime.mig_device"),
    risk="A GPU outside every pool has no declared isolation, so no other check can judge it.",
    remediation={
        "policy": "Add a pool whose node_selector (or gpus list) selects the node's GPUs.",
        "kubernetes": "Label the node with the GPU feature discovery labels the pool selects on.",
    },
)
def inventory(view: NodeView) -> Iterator[Outcome]:
    """GPUs and MIG devices are matched to pools by the node's labels (node_selector) and UUID (gpus)."""
    for i, gpu in enumerate((view.snapshot.get("nvml") or {}).get("gpus") or []):
        if "error" in gpu:  # lost, or not accessible: it cannot be placed in a pool
            yield not_applicable(
                Subject("runtime.gpu", f"index-{gpu.get('index', i)}", f"GPU {gpu.get('index', i)}"),
                gpu["error"],
                f"nvml.gpus[{i}].error",
            )
    for path, gpu in view.gpus:
        pools = view.pools_of(gpu["uuid"])
        units = [(path, gpu_subject(gpu))] + [
            (m[0], mig_subject(m[2])) for m in view.migs.values() if m[1] is gpu
        ]
        for at, subject in units:
            if not pools:
                yield failed(
                    subject,
                    "it is in no declared pool",
                    at=at,
                    value=gpu["uuid"],
                    policy_path="pools",
                    gpu=gpu["uuid"],
                )
            elif len(pools) > 1:
                names = ", ".join(p.name for p in pools)
                yield failed(
                    subject,
                    f"it matches several pools ({names})",
                    at=at,
                    policy_path=pools[1].path,
                    gpu=gpu["uuid"],
                )
            else:
                yield passed(subject, gpu=gpu["uuid"])


@check(
    id="GPU-002",
    title="MIG mode matches the pool's isolation and has no pending change",
    severity="high",
    sources="N",
    risk="A MIG pool whose GPU runs without MIG puts every tenant on one memory and fault domain.",
    remediation={
        "cli": "nvidia-smi -i <gpu> -mig 1 (or 0), then reset the GPU; with the GPU Operator set the nvidia.com/mig.config label."
    },
)
def mig_mode(view: NodeView) -> Iterator[Outcome]:
    """Current and pending MIG mode (nvmlDeviceGetMigMode) against `isolation: mig`."""
    for path, gpu in view.gpus:
        pool = the_pool(view, gpu["uuid"])
        if pool is None:
            continue
        s, at, want = gpu_subject(gpu), f"{path}.mig_mode", pool.isolation == "mig"
        mode = gpu.get("mig_mode")
        if is_na(mode) or mode is None:
            if want:
                yield not_applicable(
                    s,
                    mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetMigMode"},
                    at,
                    policy_path=f"{pool.path}.isolation",
                    gpu=gpu["uuid"],
                )
            else:
                yield passed(s, gpu=gpu["uuid"])  # a GPU without MIG is a GPU with MIG off
            continue
        if bool(mode["current"]) != want:
            state = "enabled" if mode["current"] else "disabled"
            yield failed(
                s,
                f"MIG is {state} but pool {pool.name!r} declares isolation {pool.isolation}",
                at=at,
                value=mode,
                policy_path=f"{pool.path}.isolation",
                gpu=gpu["uuid"],
            )
        elif mode["pending"] != mode["current"]:
            yield warned(
                s,
                "a MIG mode change is pending (applies at the next GPU reset)",
                at=at,
                value=mode,
                policy_path=f"{pool.path}.isolation",
                gpu=gpu["uuid"],
            )
        else:
            yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-003",
    title="MIG layout matches the pool's declared GPU instances and their compute-instance splits",
    severity="medium",
    sources="N",
    risk="A different layout gives tenants other memory and compute slices than declared; compute instances "
    "of one GPU instance share its memory and bandwidth.",
    remediation={
        "kubernetes": "Apply the declared layout with the GPU Operator's MIG manager (nvidia.com/mig.config).",
        "cli": "nvidia-smi mig -dci -gi <id>, then nvidia-smi mig -cci <profiles> -gi <id> as declared.",
    },
)
def mig_layout(view: NodeView) -> Iterator[Outcome]:
    """GPU instance profiles from the MIG device names ("... MIG 3g.40gb"), compared as a multiset, then
    each GPU instance's compute instances (one MIG device each, "1c.3g.40gb") against the declared split."""
    for path, gpu in view.gpus:
        pool = the_pool(view, gpu["uuid"])
        migs = gpu.get("mig_devices")
        if pool is None or pool.mig is None or not pool.mig.layout or migs is None:
            continue
        s = gpu_subject(gpu)
        if is_na(migs):
            yield not_applicable(s, migs, f"{path}.mig_devices", gpu=gpu["uuid"])
            continue
        splits: dict[int, list[str]] = {}
        for m in migs:
            if isinstance(m.get("gpu_instance_id"), int):
                splits.setdefault(m["gpu_instance_id"], []).append(m.get("profile") or "?")
        actual = {gi: (gi_profile(cis[0]) or "?", tuple(sorted(cis))) for gi, cis in splits.items()}
        declared = sorted((g.profile, g.compute_instances) for g in pool.mig.layout)
        gis, want_gis = sorted(a[0] for a in actual.values()), sorted(d[0] for d in declared)
        if gis != want_gis:
            yield failed(
                s,
                f"MIG layout is {gis}, pool {pool.name!r} declares {want_gis}",
                at=f"{path}.mig_devices",
                value=gis,
                policy_path=f"{pool.path}.mig.layout",
                gpu=gpu["uuid"],
            )
            continue
        extra = Counter(actual.values()) - Counter(declared)  # splits beyond what the policy declares
        wrong = [(gi, split) for gi, split in sorted(actual.items()) if extra[split] > 0]
        if wrong:
            gi, (profile, cis) = wrong[0]
            want = sorted({str(list(d[1])) for d in declared if d[0] == profile})
            yield failed(
                s,
                f"GPU instance {gi} ({profile}) is split into compute instances {list(cis)}, pool "
                f"{pool.name!r} declares {' or '.join(want)}; compute instances of one GPU instance share its memory",
                at=f"{path}.mig_devices",
                value={str(g): list(c) for g, (_, c) in wrong},
                policy_path=f"{pool.path}.mig.layout",
                gpu=gpu["uuid"],
            )
        else:
            yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-007",
    title="Compute mode matches the pool (EXCLUSIVE_PROCESS for MPS and declared exclusive pools)",
    severity="medium",
    sources="N",
    risk="In DEFAULT mode any process that reaches the GPU can create a context beside the tenant's.",
    remediation={"cli": "nvidia-smi -i <gpu> -c EXCLUSIVE_PROCESS (per MIG device when MIG is on)."},
)
def compute_mode(view: NodeView) -> Iterator[Outcome]:
    """nvmlDeviceGetComputeMode on the GPU, or on each MIG device when MIG is on."""
    for path, gpu in view.gpus:
        pool = the_pool(view, gpu["uuid"])
        if pool is None:
            continue
        want = pool.compute_mode or ("exclusive_process" if pool.isolation == "mps" else None)
        if want is None:
            continue
        ppath = f"{pool.path}.compute_mode" if pool.compute_mode else f"{pool.path}.isolation"
        units = [(path, gpu_subject(gpu), gpu)] if "compute_mode" in gpu else []
        units += [(m[0], mig_subject(m[2]), m[2]) for m in view.migs.values() if m[1] is gpu]
        for at, s, holder in units:
            mode = holder.get("compute_mode")
            if is_na(mode) or mode is None:
                yield not_applicable(
                    s,
                    mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetComputeMode"},
                    f"{at}.compute_mode",
                    policy_path=ppath,
                    gpu=gpu["uuid"],
                )
            elif COMPUTE_MODES.get(mode) != want:
                yield failed(
                    s,
                    f"compute mode is {COMPUTE_MODES.get(mode, mode)}, the pool wants {want}",
                    at=f"{at}.compute_mode",
                    value=COMPUTE_MODES.get(mode, mode),
                    policy_path=ppath,
                    gpu=gpu["uuid"],
                )
            else:
                yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-008",
    title="ECC is enabled where the platform requires it, with no pending change",
    severity="medium",
    category="availability",
    sources="N",
    risk="Without ECC, memory corruption goes undetected and can leak across tenants' data.",
    remediation={"cli": "nvidia-smi -i <gpu> -e 1, then reset the GPU."},
)
def ecc(view: NodeView) -> Iterator[Outcome]:
    """nvmlDeviceGetEccMode (current, pending) against platform.require.ecc."""
    if not view.policy.platform.require_ecc:
        return
    for path, gpu in view.gpus:
        s, at, mode = gpu_subject(gpu), f"{path}.ecc_mode", gpu.get("ecc_mode")
        if is_na(mode) or mode is None:
            yield not_applicable(
                s,
                mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetEccMode"},
                at,
                policy_path="platform.require.ecc",
                gpu=gpu["uuid"],
            )
        elif not mode["current"]:
            yield failed(
                s, "ECC is disabled", at=at, value=mode, policy_path="platform.require.ecc", gpu=gpu["uuid"]
            )
        elif mode["pending"] != mode["current"]:
            yield warned(
                s,
                "ECC will be disabled at the next reset (pending change)",
                at=at,
                value=mode,
                policy_path="platform.require.ecc",
                gpu=gpu["uuid"],
            )
        else:
            yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-010",
    title="Accounting mode is on where required, and every accounted process is attributable",
    severity="low",
    category="logging",
    sources="N,F",
    risk="Without accounting, processes that ended between passes leave no trace of who used the GPU.",
    remediation={"cli": "nvidia-smi -i <gpu> -am 1 (persistence mode keeps it across idle periods)."},
)
def accounting(view: NodeView) -> Iterator[Outcome]:
    """nvmlDeviceGetAccountingMode against platform.require.accounting_mode; accounting PIDs whose cgroup names no pod."""
    from runtime_monitor.gpu.cgroups import parse_cgroup

    cgroups = view.snapshot.get("cgroups") or {}
    for path, gpu in view.gpus:
        s, at, mode = gpu_subject(gpu), f"{path}.accounting_mode", gpu.get("accounting_mode")
        if view.policy.platform.require_accounting_mode:
            if is_na(mode) or mode is None:
                yield not_applicable(
                    s,
                    mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetAccountingMode"},
                    at,
                    policy_path="platform.require.accounting_mode",
                    gpu=gpu["uuid"],
                )
                continue
            if not mode:
                yield failed(
                    s,
                    "accounting mode is off",
                    at=at,
                    value=mode,
                    policy_path="platform.require.accounting_mode",
                    gpu=gpu["uuid"],
                )
                continue
        pids = gpu.get("accounting_pids")
        if is_na(pids):
            yield not_applicable(s, pids, f"{path}.accounting_pids", gpu=gpu["uuid"])
            continue
        stray = []
        if isinstance(pids, list):
            for pid in pids:
                text = cgroups.get(str(pid))
                if text and parse_cgroup(text).pod_uid is None:
                    stray.append(pid)
        if stray:
            yield warned(
                s,
                f"accounted processes {stray} belong to no pod",
                at=f"{path}.accounting_pids",
                value=stray,
                gpu=gpu["uuid"],
            )
        else:
            yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-011",
    title="The GPU driver is at or above the declared minimum for its branch",
    severity="high",
    category="supply-chain",
    sources="N",
    risk="Driver security bulletins fix information disclosure and privilege escalation across tenants.",
    references=("https://www.nvidia.com/en-us/security/",),
    remediation={
        "kubernetes": "Upgrade the driver (GPU Operator: ClusterPolicy spec.driver.version) to the branch minimum."
    },
    applies_to=("runtime.node",),
)
def driver_baseline(view: NodeView) -> Iterator[Outcome]:
    """nvmlSystemGetDriverVersion against platform.driver_min_by_branch (and persistence mode if required)."""
    plat = view.policy.platform
    nvml = view.snapshot.get("nvml") or {}
    s = Subject("runtime.node", view.node, f"node {view.node}")
    drv = nvml.get("driver_version")
    if plat.driver_min_by_branch or plat.driver_branches_allowed:
        if is_na(drv) or not isinstance(drv, str):
            yield not_applicable(
                s,
                drv or {"not_applicable": "NotSupported", "call": "nvmlSystemGetDriverVersion"},
                "nvml.driver_version",
            )
        else:
            branch = drv.split(".", 1)[0]
            minimum = plat.driver_min_by_branch.get(branch)
            if plat.driver_branches_allowed and branch not in plat.driver_branches_allowed:
                yield failed(
                    s,
                    f"driver {drv} is on branch {branch}, not an allowed branch",
                    at="nvml.driver_version",
                    value=drv,
                    policy_path="platform.driver_branches_allowed",
                )
            elif minimum is None:
                yield failed(
                    s,
                    f"driver {drv} is on branch {branch}, which has no declared minimum",
                    at="nvml.driver_version",
                    value=drv,
                    policy_path="platform.driver_min_by_branch",
                )
            elif version_tuple(drv) < version_tuple(minimum):
                yield failed(
                    s,
                    f"driver {drv} is below the branch minimum {minimum}",
                    at="nvml.driver_version",
                    value=drv,
                    policy_path=f"platform.driver_min_by_branch.{branch}",
                )
            else:
                yield passed(s)
    if plat.require_persistence_mode:
        for path, gpu in view.gpus:
            g, mode = gpu_subject(gpu), gpu.get("persistence_mode")
            if is_na(mode) or mode is None:
                yield not_applicable(
                    g,
                    mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetPersistenceMode"},
                    f"{path}.persistence_mode",
                    gpu=gpu["uuid"],
                )
            elif not mode:
                yield failed(
                    g,
                    "persistence mode is off",
                    at=f"{path}.persistence_mode",
                    value=mode,
                    policy_path="platform.require.persistence_mode",
                    gpu=gpu["uuid"],
                )
            else:
                yield passed(g, gpu=gpu["uuid"])


@check(
    id="GPU-012",
    title="Confidential computing is on, in production mode, without dev tools, where required",
    severity="critical",
    category="encryption",
    sources="N",
    risk="A tenant that requires CC would run with GPU memory readable by the host.",
    remediation={
        "kubernetes": "Enable CC mode (GPU Operator: ccManager, nvidia.com/cc.mode=on) on a Hopper+ node with a CVM."
    },
)
def confidential_computing(view: NodeView) -> Iterator[Outcome]:
    """nvmlSystemGetConfComputeState: ccFeature on, environment PROD, devToolsMode off."""
    tenants_cc = {t.name for t in view.policy.tenants if t.confidential_computing == "required"}
    cc = (view.snapshot.get("nvml") or {}).get("conf_compute")
    for _path, gpu in view.gpus:
        pool = the_pool(view, gpu["uuid"])
        units = {gpu["uuid"]} | {u for u, m in view.migs.items() if m[1] is gpu}
        needing = sorted(
            {a.pod["metadata"]["namespace"] for a in view.allocations if a.unit in units}
            & {ns for t in view.policy.tenants if t.name in tenants_cc for ns in t.namespaces}
        )
        if not (pool and pool.confidential_computing == "required") and not needing:
            continue
        ppath = (
            f"{pool.path}.confidential_computing"
            if pool and pool.confidential_computing == "required"
            else "tenants"
        )
        s = gpu_subject(gpu)
        if is_na(cc) or cc is None:
            yield not_applicable(
                s,
                cc or {"not_applicable": "NotSupported", "call": "nvmlSystemGetConfComputeState"},
                "nvml.conf_compute",
                policy_path=ppath,
                gpu=gpu["uuid"],
            )
            continue
        problems = []
        if cc.get("cc_feature") != 1:
            problems.append("CC is off")
        if cc.get("environment") != 2:
            problems.append(
                f"environment is {CC_ENV.get(cc.get('environment'), cc.get('environment'))}, not production"
            )
        if cc.get("dev_tools_mode"):
            problems.append("dev tools mode is on")
        if problems:
            yield failed(
                s, "; ".join(problems), at="nvml.conf_compute", value=cc, policy_path=ppath, gpu=gpu["uuid"]
            )
        else:
            yield passed(s, gpu=gpu["uuid"])


@check(
    id="GPU-013",
    title="The GPU's virtualization mode matches the pool",
    severity="medium",
    sources="N",
    risk="A vGPU pool on a passthrough GPU (or the reverse) does not give the declared isolation.",
    remediation={"policy": "Declare the pool's virtualization, or move the GPU to a pool of its kind."},
)
def virtualization(view: NodeView) -> Iterator[Outcome]:
    """nvmlDeviceGetVirtualizationMode against pools[].virtualization (and isolation: vgpu)."""
    for path, gpu in view.gpus:
        pool = the_pool(view, gpu["uuid"])
        if pool is None or (pool.virtualization is None and pool.isolation != "vgpu"):
            continue
        s, at, mode = gpu_subject(gpu), f"{path}.virtualization_mode", gpu.get("virtualization_mode")
        want = {pool.virtualization} if pool.virtualization else {"vgpu", "host_vgpu"}
        ppath = f"{pool.path}.virtualization" if pool.virtualization else f"{pool.path}.isolation"
        if is_na(mode) or mode is None:
            yield not_applicable(
                s,
                mode or {"not_applicable": "NotSupported", "call": "nvmlDeviceGetVirtualizationMode"},
                at,
                policy_path=ppath,
                gpu=gpu["uuid"],
            )
        elif VIRTUALIZATION.get(mode) not in want:
            yield failed(
                s,
                f"virtualization mode is {VIRTUALIZATION.get(mode, mode)}, the pool wants {'/'.join(sorted(want))}",
                at=at,
                value=VIRTUALIZATION.get(mode, mode),
                policy_path=ppath,
                gpu=gpu["uuid"],
            )
        else:
            yield passed(s, gpu=gpu["uuid"])
