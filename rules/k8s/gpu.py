"""GPU isolation on Kubernetes: what lets a pod reach GPUs (or the host) beyond what the
device plugin allocated to it. See docs on the NVIDIA GPU Operator's security
considerations: privileged pods and NVIDIA_VISIBLE_DEVICES bypass the allocation."""

from __future__ import annotations

import posixpath

from rules.k8s._common import (
    NO_DEVICE_VALUES,
    WORKLOAD,
    containers,
    each,
    gate_on_gpu,
    label,
    templates,
)
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource
from scanner.normalize.k8s import is_gpu_resource

GPU_OPERATOR_SECURITY = "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/security.html"
TOOLKIT_ENVVAR = (
    "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html"
)
DEVICE_PLUGIN = "https://github.com/NVIDIA/k8s-device-plugin"
K8S_SCHEDULE_GPUS = "https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/"


@rule(
    id="k8s-gpu-container-not-privileged",
    title="Containers of GPU workloads are not privileged",
    severity="critical",
    category="isolation",
    applies_to=[WORKLOAD],
    description="A privileged container sees every device node of the host, so on a GPU node it can "
    "open every GPU, including those the device plugin allocated to other tenants, and "
    "reconfigure MIG. Privileged also disables seccomp and AppArmor and grants all "
    "capabilities, so it is one step from the node.",
    risk="Cross-tenant access to GPU memory and models; node compromise.",
    remediation={
        "kubernetes": "securityContext:\n  privileged: false\n  allowPrivilegeEscalation: false\n"
        "resources:\n  limits:\n    nvidia.com/gpu: 1"
    },
    references=[
        GPU_OPERATOR_SECURITY,
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    ],
    aliases=["CKV_K8S_16"],
    tags=["gpu"],
)
def gpu_container_not_privileged(r: Resource):
    def check(t, c):
        if c.get("privileged") is True:
            return fail(
                f"{label(c)} is privileged and can open every GPU on the node", at=c.path_of("privileged")
            )
        return None

    return gate_on_gpu(r, each(containers(r), check))


# Host paths that hand a pod devices or the container runtime. A mount of any parent
# directory (/, /var, /run) hands over the same things.
SENSITIVE_HOST_PATHS = (
    "/dev",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd",
    "/var/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/run/nvidia",
    "/var/run/nvidia",
    "/var/lib/kubelet/device-plugins",
    "/var/lib/kubelet/pod-resources",
)


def sensitive_host_path(path: str) -> str | None:
    """The sensitive path that `path` exposes (itself, or one below it), or None."""
    p = posixpath.normpath("/" + path.strip().lstrip("/")) if path.strip() else ""
    if not p:
        return None
    for s in SENSITIVE_HOST_PATHS:
        if p == s or p.startswith(s + "/") or s.startswith(p.rstrip("/") + "/"):
            return s
    return None


@rule(
    id="k8s-gpu-no-device-hostpath",
    title="Workloads mount no host device nodes or container runtime sockets",
    severity="critical",
    category="isolation",
    applies_to=[WORKLOAD],
    description="A hostPath volume of /dev (or /dev/nvidia*, /dev/dri, /dev/nvidia-caps) gives a pod "
    "device nodes the device plugin never allocated to it: any GPU of the node. A mount of "
    "the container runtime socket (docker, containerd, CRI-O), /run/nvidia or the kubelet's "
    "device-plugin directory lets it start privileged containers or rewrite allocations.",
    risk="Cross-tenant GPU access and node takeover.",
    remediation={
        "kubernetes": "# request devices through the device plugin instead of hostPath:\n"
        "resources:\n  limits:\n    nvidia.com/gpu: 1"
    },
    references=[GPU_OPERATOR_SECURITY, "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
    aliases=["CKV_K8S_27"],
    tags=["gpu"],
)
def gpu_no_device_hostpath(r: Resource):
    def check(t):
        found = []
        for v in t.get("volumes", []):
            hp = v.get("host_path")
            if isinstance(hp, str) and (s := sensitive_host_path(hp)):
                parent = s.startswith(posixpath.normpath("/" + hp.strip().lstrip("/")).rstrip("/") + "/")
                what = f"hostPath {hp}" + (f" (which includes {s})" if parent else "")
                found.append(fail(f'volume "{v.get("name")}" mounts {what}', at=v.path_of("host_path")))
        return found

    return each(templates(r), check)


def _zero_gpu_keys(limits) -> list[str]:
    """GPU resources declared as exactly 0 (raw values: a templated sibling stays unread)."""
    return [k for k in limits if is_gpu_resource(k) and str(limits.raw(k)).strip() == "0"]


@rule(
    id="k8s-gpu-visible-devices-not-overridden",
    title="Workloads do not choose their GPUs with NVIDIA_VISIBLE_DEVICES",
    severity="high",
    category="isolation",
    applies_to=[WORKLOAD],
    description="With the NVIDIA container toolkit's default settings an unprivileged container that "
    'sets NVIDIA_VISIBLE_DEVICES (for example to "all") gets those GPUs whatever the device '
    "plugin allocated, and a container that declares nvidia.com/gpu: 0 with a CUDA image "
    "(which sets NVIDIA_VISIBLE_DEVICES=all) gets every GPU of the node. Either way the pod "
    "escapes GPU accounting and reaches other tenants' devices.",
    risk="Cross-tenant GPU access and GPU capacity theft.",
    remediation={
        "kubernetes": "# drop NVIDIA_VISIBLE_DEVICES from env and request GPUs:\n"
        "resources:\n  limits:\n    nvidia.com/gpu: 1\n"
        "# on the nodes: accept-nvidia-visible-devices-envvar-when-unprivileged = false,\n"
        "# device plugin DEVICE_LIST_STRATEGY=volume-mounts (or CDI)"
    },
    references=[GPU_OPERATOR_SECURITY, TOOLKIT_ENVVAR, DEVICE_PLUGIN, K8S_SCHEDULE_GPUS],
    tags=["gpu"],
)
def gpu_visible_devices_not_overridden(r: Resource):
    def check(t, c):
        out = []
        env = c.get("env", {})
        value = env.raw("NVIDIA_VISIBLE_DEVICES")
        if isinstance(value, str) and value.strip().lower() not in NO_DEVICE_VALUES:
            at = env.path_of("NVIDIA_VISIBLE_DEVICES")
            if c.get("gpu_limit", 0) == 0:
                out.append(
                    fail(
                        f"{label(c)} sets NVIDIA_VISIBLE_DEVICES={value} without requesting a GPU: "
                        "it reaches GPUs the device plugin never allocated",
                        at=at,
                    )
                )
            else:
                out.append(
                    fail(
                        f"{label(c)} sets NVIDIA_VISIBLE_DEVICES={value}, overriding the "
                        f"{c['gpu_limit']} GPU(s) the device plugin allocated",
                        at=at,
                    )
                )
        for key in _zero_gpu_keys(c.get("limits", {})) + _zero_gpu_keys(c.get("requests", {})):
            out.append(
                fail(
                    f"{label(c)} declares {key}: 0, which with a CUDA image exposes every GPU of the node",
                    at=c.path_of("limits"),
                )
            )
            break
        return out

    return each(containers(r), check)


@rule(
    id="k8s-gpu-pod-no-host-namespaces",
    title="GPU pods do not share the host's PID, IPC or network namespace",
    severity="high",
    category="isolation",
    applies_to=[WORKLOAD],
    description="NVML reports host PIDs, and a GPU pod with hostPID sees (and can signal or ptrace) "
    "every process of the node, other tenants' GPU jobs included. hostIPC exposes the host's "
    "shared memory, which CUDA IPC and NCCL use; hostNetwork bypasses network policy and "
    "exposes the node's RDMA and loopback services.",
    risk="Cross-tenant process, memory and network access from a GPU job.",
    remediation={"kubernetes": "spec:\n  hostPID: false\n  hostIPC: false\n  hostNetwork: false"},
    references=[
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        GPU_OPERATOR_SECURITY,
    ],
    aliases=["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"],
    tags=["gpu"],
)
def gpu_pod_no_host_namespaces(r: Resource):
    def check(t):
        out = []
        for attr, what in (("host_pid", "hostPID"), ("host_ipc", "hostIPC"), ("host_network", "hostNetwork")):
            if t.get(attr) is True:
                out.append(fail(f'pod template "{t.get("role")}" sets {what}: true', at=t.path_of(attr)))
        return out

    return gate_on_gpu(r, each(templates(r), check))


@rule(
    id="k8s-gpu-workload-has-limits",
    title="GPU containers set GPU, CPU and memory limits",
    severity="medium",
    category="availability",
    applies_to=[WORKLOAD],
    description="Extended resources such as nvidia.com/gpu are allocated by their limit; a GPU container "
    "without CPU and memory limits can starve the other tenants that share its (expensive) "
    "GPU node, and one without a GPU limit is not admitted as intended.",
    risk="Noisy-neighbour denial of service on shared GPU nodes.",
    remediation={
        "kubernetes": 'resources:\n  requests: {cpu: "4", memory: 32Gi}\n'
        '  limits: {nvidia.com/gpu: 1, cpu: "8", memory: 32Gi}'
    },
    references=[
        K8S_SCHEDULE_GPUS,
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    aliases=["CKV_K8S_11", "CKV_K8S_13"],
    tags=["gpu"],
)
def gpu_workload_has_limits(r: Resource):
    def check(t, c):
        requested, limit = c.get("gpu_request", 0), c.get("gpu_limit", 0)
        if not requested and not limit:
            return None
        out = []
        if not limit:
            out.append(
                fail(f"{label(c)} requests {requested} GPU(s) without a GPU limit", at=c.path_of("gpu_limit"))
            )
        limits = c.get("limits", {})
        missing = [k for k in ("cpu", "memory") if k not in limits]
        if missing:
            out.append(
                fail(f"{label(c)} uses GPUs with no {' or '.join(missing)} limit", at=c.path_of("limits"))
            )
        return out

    return each(containers(r), check) or ok()
