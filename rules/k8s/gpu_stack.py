"""The NVIDIA GPU software stack: how the device plugin hands GPUs to containers, whether
GPUs are shared between pods, and whether the container toolkit is patched. Each reads
what the manifests declare; the runtime monitor checks the nodes themselves."""

from __future__ import annotations

import re

from rules.k8s._common import WORKLOAD, containers, label
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

PLUGIN_CONFIG = "k8s.gpu_device_plugin_config"
OPERATOR_POLICY = "k8s.gpu_operator_policy"
TOOLKIT_IMAGE = "container-toolkit"
# (toolkit fixed in, GPU Operator fixed in, CVEs): NVIDIA's bulletins and security.rst.
FIXES = [
    ((1, 16, 2), (24, 6, 2), "CVE-2024-0132, CVE-2024-0133"),
    ((1, 17, 0), (24, 9, 0), "CVE-2024-0134"),
    ((1, 17, 3), (24, 9, 1), "CVE-2024-0135, CVE-2024-0136, CVE-2024-0137"),
    ((1, 17, 4), (24, 9, 2), "CVE-2025-23359"),
    ((1, 17, 8), (25, 3, 1), "CVE-2025-23266, CVE-2025-23267"),
]
TOOLKIT_FIXED = FIXES[-1][0]
OPERATOR_FIXED = FIXES[-1][1]

SECURITY_CONSIDERATIONS = (
    "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/security-considerations.html"
)
PLUGIN_README = "https://github.com/NVIDIA/k8s-device-plugin#shared-access-to-gpus"
TIME_SLICING = "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/gpu-sharing.html"
TOOLKIT_BULLETIN = "https://nvidia.custhelp.com/app/answers/detail/a_id/5659"
CVE_2024_0132 = "https://nvd.nist.gov/vuln/detail/CVE-2024-0132"
CVE_2025_23266 = "https://nvd.nist.gov/vuln/detail/CVE-2025-23266"
OPERATOR_SECURITY = "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/security.html"


def version_tuple(v) -> tuple[int, ...] | None:
    """(1, 17, 8) for "v1.17.8-ubuntu20.04" or "1.17.8"; None when it is not a version."""
    m = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?", str(v).strip()) if isinstance(v, str) else None
    return tuple(int(x or 0) for x in m.groups()) if m else None


def _dotted(t: tuple[int, ...]) -> str:
    return ".".join(map(str, t))


def _overridden_by_daemonset(cfg: Resource, inventory: Inventory) -> bool:
    """A plugin DaemonSet in the namespace sets the strategy itself, which wins over the file."""
    for other in inventory.of_type(PLUGIN_CONFIG):
        if (
            other.attrs.get("source_kind") == "DaemonSet"
            and other.account == cfg.account
            and other.region == cfg.region
            and other.provenance_of("device_list_strategy") != "default"
            and other.attrs.get("device_list_strategy") is not None
        ):
            return True
    return False


@rule(
    id="k8s-gpu-device-list-strategy-not-envvar",
    title="GPUs reach containers as volume mounts or CDI devices, not through NVIDIA_VISIBLE_DEVICES",
    severity="high",
    category="isolation",
    applies_to=[PLUGIN_CONFIG, OPERATOR_POLICY],
    description="With the device plugin's default deviceListStrategy envvar the allocated GPUs are "
    "passed as the NVIDIA_VISIBLE_DEVICES variable, and the container toolkit (by default, "
    "accept-nvidia-visible-devices-envvar-when-unprivileged = true) honours that variable from any "
    "unprivileged container: a pod that sets NVIDIA_VISIBLE_DEVICES=all, or requests "
    "nvidia.com/gpu: 0, gets every GPU on the node, including other tenants' ones. NVIDIA's fix has "
    "two parts: DEVICE_LIST_STRATEGY=volume-mounts (or CDI) on the plugin, and "
    "ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED=false on the toolkit. Checked on the "
    "plugin's ConfigMap and DaemonSet and on the GPU Operator's ClusterPolicy; a value not written "
    "is the upstream default.",
    risk="Any pod on a GPU node can use every GPU on it: cross-tenant GPU access and data exposure.",
    remediation={
        "kubernetes": "# GPU Operator ClusterPolicy\nspec:\n  devicePlugin:\n    env:\n"
        "      - name: DEVICE_LIST_STRATEGY\n        value: volume-mounts\n  toolkit:\n    env:\n"
        '      - name: ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED\n        value: "false"\n'
        '      - name: ACCEPT_NVIDIA_VISIBLE_DEVICES_AS_VOLUME_MOUNTS\n        value: "true"\n'
        "# device plugin config file\nversion: v1\nflags:\n  plugin:\n    deviceListStrategy: volume-mounts",
    },
    references=[
        SECURITY_CONSIDERATIONS,
        "https://github.com/NVIDIA/k8s-device-plugin#configuration-option-details",
    ],
)
def device_list_strategy_not_envvar(cfg: Resource, inventory: Inventory):
    out = []
    strategy = cfg.a.get("device_list_strategy")
    if strategy is not None and "envvar" in strategy:
        default = cfg.provenance_of("device_list_strategy") == "default"
        if not (
            default
            and cfg.attrs.get("source_kind") == "ConfigMap"
            and _overridden_by_daemonset(cfg, inventory)
        ):
            how = " (the default)" if default else ""
            out.append(
                fail(
                    f"hands GPUs to containers through NVIDIA_VISIBLE_DEVICES: device list strategy is envvar{how}",
                    at="device_list_strategy",
                )
            )
    if cfg.a.get("accept_envvar_unprivileged") is True:
        how = " (the default)" if cfg.provenance_of("accept_envvar_unprivileged") == "default" else ""
        out.append(
            fail(
                f"lets unprivileged containers pick GPUs with NVIDIA_VISIBLE_DEVICES{how}",
                at="accept_envvar_unprivileged",
            )
        )
    return out or None


@rule(
    id="k8s-gpu-sharing-not-across-tenants",
    title="GPUs are not time-sliced or MPS-shared between pods unless one tenant owns the pool",
    severity="medium",
    category="isolation",
    applies_to=[PLUGIN_CONFIG],
    description="With time-slicing the device plugin advertises each GPU as several nvidia.com/gpu "
    "replicas; pods scheduled on one GPU share its memory and fault domain, with no isolation ('if "
    "one workload crashes, they all do'), and memory left by one may be read by the next. MPS "
    "gives each client its own address space but one server's fault hits all its clients. Shared "
    "GPUs are only safe within one tenant. This rule flags every shared configuration; whether "
    "the pods that share a GPU belong to one tenant is checked by the runtime monitor against the "
    "declared policy (pools and their isolation mode). Use MIG (one tenant per GPU instance) or "
    "whole GPUs across tenants, and mute this finding for single-tenant pools.",
    risk="Cross-tenant GPU memory exposure, interference and shared failure.",
    remediation={
        "kubernetes": "# whole GPUs (or MIG) for multi-tenant pools: no sharing section\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: device-plugin-config\n"
        "  namespace: gpu-operator\ndata:\n  default: |-\n    version: v1\n    flags:\n"
        "      migStrategy: single\n      plugin:\n        deviceListStrategy: volume-mounts",
    },
    references=[PLUGIN_README, TIME_SLICING, "https://docs.nvidia.com/deploy/mps/"],
    maturity="incubating",
)
def sharing_not_across_tenants(cfg: Resource):
    strategy = cfg.a["sharing_strategy"]
    if strategy == "none":
        return None
    replicas = cfg.a.get("replicas")
    if replicas is None or replicas <= 1:
        return None
    return fail(
        f"shares each GPU between up to {replicas} pods with {strategy}; whether they belong to one "
        "tenant is for the runtime monitor's declared policy",
        at="replicas",
    )


def _toolkit_images(w: Resource):
    for _t, c in containers(w):
        image = c.raw("image")
        if isinstance(image, str) and TOOLKIT_IMAGE in image.rsplit("/", 1)[-1].split(":")[0]:
            yield c, image


def _check_version(tag, fixed, what: str, at: str):
    v = version_tuple(tag)
    if v is None:
        return unknown(f"{what} {tag!r} is not a version number", at)
    if v < fixed:
        column = 0 if fixed == TOOLKIT_FIXED else 1
        cves = ", ".join(f[2] for f in FIXES if v < f[column])
        return fail(f"runs {what} {_dotted(v)}, below {_dotted(fixed)}: open to {cves}", at=at)
    return None


@rule(
    id="k8s-gpu-container-toolkit-patched",
    title="The NVIDIA Container Toolkit is 1.17.8 or later (GPU Operator 25.3.1 or later)",
    severity="critical",
    category="isolation",
    applies_to=[OPERATOR_POLICY, WORKLOAD],
    description="The container toolkit runs as root on every GPU node when a GPU container starts. "
    "CVE-2024-0132 (a TOCTOU that mounts the host filesystem, fixed in 1.16.2, with a bypass fixed "
    "in 1.17.4 as CVE-2025-23359) and CVE-2025-23266 'NVIDIAScape' (LD_PRELOAD from the image runs "
    "in the createContainer hook as host root, fixed in 1.17.8) let a malicious image escape to "
    "the node and to every tenant on it. Checked on the GPU Operator's ClusterPolicy "
    "(toolkit.version, or the operator version when the toolkit version is the operator's "
    "default) and on DaemonSets that run the container-toolkit image. A toolkit pre-installed on "
    "the nodes is not visible in manifests: the rule says UNKNOWN.",
    risk="Container escape to root on GPU nodes from a crafted image: every tenant's data and GPUs.",
    remediation={
        "kubernetes": "apiVersion: nvidia.com/v1\nkind: ClusterPolicy\nmetadata:\n  name: cluster-policy\n"
        "spec:\n  toolkit:\n    enabled: true\n    version: v1.17.8-ubuntu20.04",
        "cli": "helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator --version v25.3.1",
    },
    references=[TOOLKIT_BULLETIN, CVE_2025_23266, CVE_2024_0132, OPERATOR_SECURITY],
)
def container_toolkit_patched(r: Resource):
    if r.type == WORKLOAD:
        out = []
        for c, image in _toolkit_images(r):
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
            at = c.path_of("image")
            v = (
                _check_version(tag, TOOLKIT_FIXED, f"container toolkit ({label(c)})", at)
                if tag
                else unknown(f"the container toolkit image of {label(c)} has no version tag", at)
            )
            if v is not None:
                out.append(v)
        return out or None
    if r.a["toolkit_enabled"] is False:
        return unknown(
            "the operator does not install the toolkit (toolkit.enabled: false); the version "
            "pre-installed on the nodes is not in the manifest",
            "toolkit_enabled",
        )
    tag = r.a.get("toolkit_version")
    if tag is not None:
        return _check_version(tag, TOOLKIT_FIXED, "container toolkit", "toolkit_version")
    op = r.attrs.get("operator_version")
    if op is not None:
        return _check_version(
            op, OPERATOR_FIXED, "GPU Operator (and its default toolkit)", "operator_version"
        )
    return unknown(
        "neither toolkit.version nor an operator version label is in the manifest", "toolkit_version"
    )
