"""Pod specs and node software on GPU nodes: privileged pods, device-selection bypasses,
dangerous capabilities, host namespaces and mounts, the sharing strategy the node
advertises, and container toolkit / device plugin / GPU Operator versions."""

from __future__ import annotations

from collections.abc import Iterator

from runtime_monitor.gpu.checks_tenancy import _pod_key, _pods_na, pod_subject
from runtime_monitor.gpu.nvml import is_na
from runtime_monitor.gpu.sdk import Outcome, Subject, check, failed, not_applicable, passed
from runtime_monitor.gpu.toolkit import KEYS as TOOLKIT_KEYS
from runtime_monitor.gpu.view import NodeView, requests_gpu
from runtime_monitor.policy import version_tuple

DANGEROUS_CAPS = {"SYS_ADMIN", "MKNOD", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "ALL"}
# hostPath prefixes that reach GPUs, other containers or the runtime
SENSITIVE_PATHS = (
    "/dev",
    "/proc",
    "/sys",
    "/run/nvidia",
    "/var/run/nvidia",
    "/var/lib/kubelet",
    "/run/containerd",
    "/var/run/containerd",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/crio",
    "/run/crio",
    "/etc/nvidia-container-runtime",
)


def _node(view: NodeView) -> Subject:
    return Subject("runtime.node", view.node, f"node {view.node}")


def _tenant_name(view: NodeView, pod: dict) -> str | None:
    t = view.tenant_of_pod(pod)
    return t.name if t else None


def _declared(view: NodeView, pod: dict) -> bool:
    return pod["metadata"]["namespace"] in view.policy.defaults.privileged_namespaces


def _pods(view: NodeView):
    return sorted(
        view.pods_by_ref.values(), key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"])
    )


@check(
    id="K8S-001",
    title="No privileged pods on GPU nodes outside the declared namespaces",
    severity="critical",
    sources="K",
    applies_to=("k8s.pod",),
    risk="A privileged container sees every GPU on the node (and CAP_SYS_ADMIN includes MIG reconfiguration).",
    remediation={
        "kubernetes": "securityContext.privileged: false; declare the GPU Operator's namespace in defaults.privileged_namespaces."
    },
)
def privileged_pods(view: NodeView) -> Iterator[Outcome]:
    """containers[].securityContext.privileged on every pod of the node."""
    if "pods" in view.unavailable:
        yield _pods_na(view, _node(view), "pods")
        return
    for pod in _pods(view):
        s = pod_subject(pod)
        bad = [
            c["name"]
            for c in pod["spec"]["containers"] + pod["spec"]["initContainers"]
            if (c.get("securityContext") or {}).get("privileged")
        ]
        if bad and not _declared(view, pod):
            yield failed(
                s,
                f"containers {bad} are privileged",
                at="spec.containers[].securityContext.privileged",
                value=bad,
                policy_path="defaults.privileged_namespaces",
                tenant=_tenant_name(view, pod),
                pod=_pod_key(pod),
            )
        else:
            yield passed(s)


@check(
    id="K8S-002",
    title="Unprivileged pods cannot choose GPUs through NVIDIA_VISIBLE_DEVICES or nvidia.com/gpu: 0",
    severity="high",
    sources="K,F",
    applies_to=("k8s.pod", "runtime.node"),
    risk="With the toolkit's defaults, any pod that sets NVIDIA_VISIBLE_DEVICES=all gets every GPU without a request.",
    references=(
        "https://github.com/NVIDIA/cloud-native-docs/blob/main/gpu-operator/security-considerations.rst",
    ),
    remediation={
        "kubernetes": "Device plugin: DEVICE_LIST_STRATEGY=volume-mounts (or cdi-cri); toolkit config.toml: "
        "accept-nvidia-visible-devices-envvar-when-unprivileged = false, "
        "accept-nvidia-visible-devices-as-volume-mounts = true.",
    },
)
def visible_devices_bypass(view: NodeView) -> Iterator[Outcome]:
    """The toolkit's accept-* flags and the device plugin's strategy (is the bypass possible), and pod specs (is it tried)."""
    plat = view.policy.platform
    node = _node(view)
    toolkit = (view.snapshot.get("toolkit") or {}).get("config")
    if plat.accept_envvar_when_unprivileged is False:
        if toolkit is None or is_na(toolkit):
            yield not_applicable(
                node,
                toolkit or {"not_applicable": "Unavailable", "call": "read the toolkit config.toml"},
                "toolkit.config",
                policy_path="platform.accept_envvar_when_unprivileged",
            )
        elif toolkit.get(TOOLKIT_KEYS[0]):
            yield failed(
                node,
                f"the container toolkit accepts NVIDIA_VISIBLE_DEVICES from unprivileged containers ({TOOLKIT_KEYS[0]} is true or unset)",
                at=f"toolkit.config.{TOOLKIT_KEYS[0]}",
                value=True,
                policy_path="platform.accept_envvar_when_unprivileged",
            )
        else:
            yield passed(node)
    if plat.device_list_strategy:
        dp = (view.snapshot.get("components") or {}).get("device_plugin")
        got = (dp or {}).get("device_list_strategy")
        if not got:
            yield not_applicable(
                node,
                {
                    "not_applicable": "Unavailable",
                    "call": "device plugin DEVICE_LIST_STRATEGY",
                    "reason": "no device plugin pod found on the node",
                },
                "components.device_plugin",
                policy_path="platform.device_list_strategy",
            )
        elif not set(got) <= set(plat.device_list_strategy):
            yield failed(
                node,
                f"the device plugin's DEVICE_LIST_STRATEGY is {','.join(got)}, allowed: {', '.join(plat.device_list_strategy)}",
                at="components.device_plugin.device_list_strategy",
                value=got,
                policy_path="platform.device_list_strategy",
            )
        else:
            yield passed(node)
    if "pods" in view.unavailable:
        yield _pods_na(view, node, "pods")
        return
    for pod in _pods(view):
        if _declared(view, pod):
            continue
        s, tried = pod_subject(pod), []
        for c in pod["spec"]["containers"] + pod["spec"]["initContainers"]:
            for e in c.get("env") or []:
                if e["name"] in ("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES"):
                    tried.append(f"{c['name']} sets {e['name']}={e.get('value', '(from a reference)')}")
        if requests_gpu(pod) == 0:
            tried.append("it requests nvidia.com/gpu: 0")
        if tried:
            yield failed(
                s,
                "; ".join(tried),
                at="spec.containers[].env",
                value=tried,
                policy_path="platform.accept_envvar_when_unprivileged",
                tenant=_tenant_name(view, pod),
                pod=_pod_key(pod),
            )
        else:
            yield passed(s)


@check(
    id="K8S-003",
    title="Pods on GPU nodes add no dangerous capabilities and cannot escalate privileges",
    severity="high",
    sources="K",
    applies_to=("k8s.pod",),
    risk="CAP_SYS_ADMIN grants every nvidia-capability (mig-config); CAP_MKNOD recreates device nodes for every GPU (CVE-2021-1056).",
    remediation={
        "kubernetes": "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}"
    },
)
def dangerous_caps(view: NodeView) -> Iterator[Outcome]:
    """capabilities.add and allowPrivilegeEscalation on every container."""
    if "pods" in view.unavailable:
        yield _pods_na(view, _node(view), "pods")
        return
    for pod in _pods(view):
        if _declared(view, pod):
            continue
        s, bad = pod_subject(pod), []
        for c in pod["spec"]["containers"] + pod["spec"]["initContainers"]:
            sc = c.get("securityContext") or {}
            added = sc.get("capabilities").get("add") if isinstance(sc.get("capabilities"), dict) else None
            caps = {str(x).upper().removeprefix("CAP_") for x in (added if isinstance(added, list) else [])}
            if caps & DANGEROUS_CAPS:
                bad.append(f"{c['name']} adds {', '.join(sorted(caps & DANGEROUS_CAPS))}")
            if sc.get("allowPrivilegeEscalation") is True:
                bad.append(f"{c['name']} allows privilege escalation")
        if bad:
            yield failed(
                s,
                "; ".join(bad),
                at="spec.containers[].securityContext",
                value=bad,
                tenant=_tenant_name(view, pod),
                pod=_pod_key(pod),
            )
        else:
            yield passed(s)


@check(
    id="K8S-004",
    title="Pods on GPU nodes use no host namespaces and mount no host devices or runtime sockets",
    severity="high",
    sources="K",
    applies_to=("k8s.pod",),
    risk="hostPID sees other tenants' GPU processes; /dev and runtime sockets reach every GPU and container.",
    remediation={
        "kubernetes": "Remove hostPID/hostIPC/hostNetwork and hostPath volumes of /dev, /proc, /run/nvidia and runtime sockets."
    },
)
def host_namespaces_and_mounts(view: NodeView) -> Iterator[Outcome]:
    """hostPID/hostIPC/hostNetwork and hostPath volumes under sensitive prefixes."""
    if "pods" in view.unavailable:
        yield _pods_na(view, _node(view), "pods")
        return
    for pod in _pods(view):
        if _declared(view, pod):
            continue
        s, bad, spec = pod_subject(pod), [], pod["spec"]
        bad += [k for k in ("hostPID", "hostIPC", "hostNetwork") if spec.get(k)]
        for v in spec.get("volumes") or []:
            if not v.get("hostPath"):
                continue  # a ConfigMap volume (kept for the device plugin's config)
            path = str((v.get("hostPath") or {}).get("path", "")).rstrip("/") or "/"
            if path == "/" or any(path == p or path.startswith(p + "/") for p in SENSITIVE_PATHS):
                bad.append(f"hostPath {path}")
        if bad:
            yield failed(
                s,
                f"uses {', '.join(bad)}",
                at="spec",
                value=bad,
                tenant=_tenant_name(view, pod),
                pod=_pod_key(pod),
            )
        else:
            yield passed(s)


# pool isolation -> the nvidia.com/gpu.sharing-strategy label it implies
SHARING_LABEL = {
    "exclusive": "none",
    "mig": "none",
    "time-slicing": "time-slicing",
    "mps": "mps",
    "vgpu": "none",
}


@check(
    id="K8S-006",
    title="The node's GPU sharing strategy matches its pool's isolation",
    severity="high",
    sources="K",
    applies_to=("runtime.node",),
    risk="A device plugin that time-slices an exclusive pool's GPUs hands one GPU to several pods.",
    remediation={
        "kubernetes": "Fix the device plugin config (sharing.timeSlicing / sharing.mps / migStrategy) for the node's pool."
    },
)
def sharing_strategy(view: NodeView) -> Iterator[Outcome]:
    """GFD labels nvidia.com/gpu.sharing-strategy, gpu.replicas and mig.strategy, and the device plugin's
    ConfigMap (sharing.timeSlicing / sharing.mps resources and replicas, renameByDefault,
    failRequestsGreaterThanOne, flags.migStrategy), against the pool's isolation."""
    node = _node(view)
    pools = view.policy.pools_for_node(view.labels)
    if len(pools) != 1:
        return  # GPU-001 reports a node in no pool or several
    pool = pools[0]
    labels = view.labels
    dp = view.snapshot.get("device_plugin_config")
    config = dp.get("config") if isinstance(dp, dict) and not is_na(dp) else None
    has_labels = "nvidia.com/gpu.product" in labels or "nvidia.com/gpu.sharing-strategy" in labels
    if not has_labels and config is None:
        why = {
            "not_applicable": "Unavailable",
            "call": "node labels",
            "reason": "no GPU feature discovery labels on the node and no device plugin config",
        }
        yield not_applicable(
            node, dp if is_na(dp) else why, "node.labels", policy_path=f"{pool.path}.isolation"
        )
        return
    if has_labels:
        yield _judge(node, _label_problems(view, pool, labels), "node.labels", _sharing_labels(labels), pool)
    if config is not None:
        yield _judge(node, _config_problems(pool, config, dp["source"]), "device_plugin_config", config, pool)
    elif is_na(dp) and dp.get("call", "").startswith("get configmap"):
        yield not_applicable(node, dp, "device_plugin_config", policy_path=f"{pool.path}.isolation")


def _judge(node: Subject, problems: list[str], at: str, value, pool) -> Outcome:
    if problems:
        return failed(node, "; ".join(problems), at=at, value=value, policy_path=f"{pool.path}.isolation")
    return passed(node)


def _sharing_labels(labels: dict) -> dict:
    keys = ("nvidia.com/gpu.sharing", "nvidia.com/gpu.replicas", "nvidia.com/mig.strategy")
    return {k: v for k, v in labels.items() if k.startswith(keys)}


def _exclusive_tenants_problem(view: NodeView, pool) -> list[str]:
    exclusive = [t.name for t in view.policy.tenants if pool.name in t.pools and t.sharing == "exclusive"]
    if pool.isolation == "time-slicing" and exclusive:
        return [
            f"time-slicing shares memory and faults, but tenants {exclusive} on this pool declare sharing exclusive"
        ]
    return []


def _label_problems(view: NodeView, pool, labels: dict) -> list[str]:
    problems = []
    strategy = labels.get("nvidia.com/gpu.sharing-strategy", "none")
    if strategy != SHARING_LABEL[pool.isolation]:
        problems.append(
            f"sharing strategy is {strategy}, pool isolation {pool.isolation} needs {SHARING_LABEL[pool.isolation]}"
        )
    replicas = labels.get("nvidia.com/gpu.replicas")
    if pool.isolation in ("exclusive", "mig") and replicas not in (None, "1"):
        problems.append(f"GPUs are advertised as {replicas} replicas")
    if pool.time_slicing_replicas and replicas and replicas != str(pool.time_slicing_replicas):
        problems.append(f"{replicas} replicas, the pool declares {pool.time_slicing_replicas}")
    mig = labels.get("nvidia.com/mig.strategy")
    if pool.mig and mig != pool.mig.strategy:
        problems.append(f"MIG strategy is {mig or 'unset'}, the pool declares {pool.mig.strategy}")
    return problems + _exclusive_tenants_problem(view, pool)


def _config_problems(pool, config: dict, source: str) -> list[str]:
    from runtime_monitor.gpu.device_plugin import replicas

    ts, mps = config.get("time_slicing"), config.get("mps")
    n_ts, shared_mps = replicas(ts), bool((mps or {}).get("resources"))
    problems = []
    if pool.isolation != "time-slicing" and n_ts > 1:
        names = ", ".join(r["name"] for r in ts["resources"] if r["replicas"] > 1)
        problems.append(
            f"{source} time-slices {names} into {n_ts} replicas, pool isolation is {pool.isolation}"
        )
    if pool.isolation != "mps" and shared_mps:
        problems.append(f"{source} shares GPUs through MPS, pool isolation is {pool.isolation}")
    if pool.isolation == "time-slicing":
        if n_ts <= 1:
            problems.append(f"{source} configures no time-slicing replicas")
        elif pool.time_slicing_replicas and n_ts != pool.time_slicing_replicas:
            problems.append(f"{source} sets {n_ts} replicas, the pool declares {pool.time_slicing_replicas}")
        if n_ts > 1 and not ts["fail_requests_greater_than_one"]:
            problems.append(
                "failRequestsGreaterThanOne is false: a pod asking for 2 GPUs can get 2 slices of one shared GPU"
            )
    if pool.isolation in ("time-slicing", "mps") and (ts if pool.isolation == "time-slicing" else mps):
        section = ts if pool.isolation == "time-slicing" else mps
        if section.get("resources") and not section["rename_by_default"]:
            problems.append(
                "renameByDefault is false: shared replicas are advertised as nvidia.com/gpu, like whole GPUs"
            )
    if pool.isolation == "mps" and not shared_mps:
        problems.append(f"{source} configures no MPS sharing")
    strategy = config.get("mig_strategy")
    if pool.mig and strategy and strategy != pool.mig.strategy:
        problems.append(f"{source} sets migStrategy {strategy}, the pool declares {pool.mig.strategy}")
    return problems


@check(
    id="K8S-007",
    title="Container toolkit, GPU Operator and device plugin are at or above the declared minimums",
    severity="critical",
    category="supply-chain",
    sources="K,F",
    applies_to=("runtime.node",),
    risk="Toolkit <= 1.17.7 lets a container run code as host root (CVE-2025-23266); <= 1.16.1 gives host filesystem access (CVE-2024-0132).",
    references=(
        "https://nvidia.custhelp.com/app/answers/detail/a_id/5659",
        "https://nvidia.custhelp.com/app/answers/detail/a_id/5582",
    ),
    remediation={
        "kubernetes": "Upgrade the GPU Operator (>= 25.3.1), which ships container toolkit >= 1.17.8."
    },
)
def component_versions(view: NodeView) -> Iterator[Outcome]:
    """Versions read from the images of the toolkit, device plugin and operator-validator pods on the node."""
    plat = view.policy.platform
    comps = view.snapshot.get("components") or {}
    for comp, minimum, ppath in (
        ("container_toolkit", plat.container_toolkit_min, "platform.container_toolkit_min"),
        ("gpu_operator", plat.gpu_operator_min, "platform.gpu_operator_min"),
        ("device_plugin", plat.device_plugin_min, "platform.device_plugin_min"),
    ):
        if not minimum:
            continue
        got = (comps.get(comp) or {}).get("version")
        s = Subject("runtime.node", f"{view.node}/{comp}", f"{comp.replace('_', ' ')} on node {view.node}")
        if not got:
            yield not_applicable(
                s,
                {
                    "not_applicable": "Unavailable",
                    "call": f"{comp} version",
                    "reason": "no pod image or config names it",
                },
                f"components.{comp}",
                policy_path=ppath,
            )
        elif version_tuple(got) < version_tuple(minimum):
            yield failed(
                s,
                f"{comp.replace('_', ' ')} {got} is below the minimum {minimum}",
                at=f"components.{comp}.version",
                value=got,
                policy_path=ppath,
            )
        else:
            yield passed(s)
