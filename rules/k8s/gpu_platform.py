"""GPU platform settings that manifests declare around the workloads: the device plugin's MIG
strategy against the MIG resources workloads request, and the LimitRange defaults of
namespaces that run GPUs."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, in_namespace
from rules.k8s.governance import _gate, _listed
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

DEVICE_PLUGIN_CONFIG = "k8s.gpu_device_plugin_config"
GPU_OPERATOR_POLICY = "k8s.gpu_operator_policy"
NAMESPACE = "k8s.namespace"
LIMIT_RANGE = "k8s.limit_range"
MIG_PREFIX = "nvidia.com/mig-"
REQUIRED_DEFAULTS = ("cpu", "memory")

MIG_DOCS = "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/gpu-operator-mig.html"
PLUGIN_MIG = "https://github.com/NVIDIA/k8s-device-plugin#configuration-option-details"
LIMIT_RANGE_DOCS = "https://kubernetes.io/docs/concepts/policy/limit-range/"
DEFAULT_LIMITS = (
    "https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/memory-default-namespace/"
)


def mig_workloads(r: Resource, inventory: Inventory) -> list[str]:
    """Workloads of the cluster that request or limit a nvidia.com/mig-<profile> resource."""
    names = []
    for w in inventory.of_type(WORKLOAD):
        if w.account != r.account:
            continue
        for t in w.attrs.get("pod_templates", []):
            for c in t.get("containers", []):
                keys = [*(c.get("requests") or {}), *(c.get("limits") or {})]
                if any(str(k).startswith(MIG_PREFIX) for k in keys):
                    names.append(f"{w.attrs.get('kind')} {w.region}/{w.name}")
                    break
            else:
                continue
            break
    return sorted(set(names))


def _sibling_mixed(r: Resource, inventory: Inventory) -> bool:
    """Another config key of the same device plugin ConfigMap uses the mixed strategy: nodes
    pick their config by label, so MIG nodes may well get that one."""
    home = {x.uid for x in inventory.related(r, "defined_in")} or {"-"}
    for other in inventory.of_type(DEVICE_PLUGIN_CONFIG):
        if other.uid == r.uid or other.attrs.get("mig_strategy") != "mixed":
            continue
        if {x.uid for x in inventory.related(other, "defined_in")} & home:
            return True
    return False


@rule(
    id="k8s-gpu-mig-strategy-declared",
    title="The GPU device plugin's MIG strategy advertises the MIG resources workloads request",
    severity="low",
    category="isolation",
    applies_to=[GPU_OPERATOR_POLICY, DEVICE_PLUGIN_CONFIG],
    description="Workloads that request nvidia.com/mig-<profile> resources (nvidia.com/mig-1g.10gb) "
    "mean to run on one MIG instance each: a hardware partition with its own memory and compute, "
    "the one GPU-sharing mode that isolates tenants. The device plugin advertises those "
    "resources only with migStrategy: mixed. With none it advertises whole GPUs (a pod given one "
    "sees every MIG instance on it), with single it advertises MIG instances as nvidia.com/gpu. "
    "Either way the MIG pods never schedule and the pool ends up shared some other way. Checked "
    "for the GPU Operator ClusterPolicy (default single) and device plugin configs that set a "
    "strategy, when a workload in the scan requests MIG resources; a config key of a plugin "
    "ConfigMap passes when another key of the same ConfigMap (for the MIG nodes) uses mixed. "
    "Whether a node's GPUs are MIG-capable and partitioned is a node fact (the nvidia.com/"
    "mig.config label, nvidia-smi) and is checked by the runtime monitor, not here.",
    risk="MIG-isolated tenants fall back to whole or shared GPUs; the declared isolation is not enforced.",
    remediation={
        "kubernetes": "apiVersion: nvidia.com/v1\nkind: ClusterPolicy\nmetadata:\n  name: cluster-policy\n"
        "spec:\n  mig:\n    strategy: mixed\n---\n# or, in a device plugin config:\nversion: v1\n"
        "flags:\n  migStrategy: mixed",
    },
    references=[MIG_DOCS, PLUGIN_MIG],
    maturity="experimental",
)
def gpu_mig_strategy_declared(r: Resource, inventory: Inventory):
    strategy = r.attrs.get("mig_strategy")
    if strategy is None or strategy == "mixed":
        return None
    users = mig_workloads(r, inventory)
    if not users:
        return None
    if isinstance(strategy, Unresolved):
        return unknown(f"mig_strategy is unresolved ({strategy.expr})", "mig_strategy")
    if r.type == DEVICE_PLUGIN_CONFIG and _sibling_mixed(r, inventory):
        return None
    how = " (the default)" if r.provenance_of("mig_strategy") == "default" else ""
    return fail(
        f"sets migStrategy {strategy}{how}, which does not advertise the MIG resources that "
        f"{_listed(users, 4)} request (only mixed does)",
        at="mig_strategy",
    )


@rule(
    id="k8s-gpu-workload-limit-range",
    title="Namespaces that run GPU workloads have a LimitRange with default CPU and memory limits",
    severity="low",
    category="governance",
    applies_to=[NAMESPACE],
    description="GPU nodes are few and large, and the pods on them (data loaders, tokenizers, "
    "notebooks, pinned host memory for the GPU) use a lot of CPU and memory besides the GPU. A "
    "container that sets no limits may take the node's memory and CPU until the kubelet evicts "
    "its neighbours, other tenants' training jobs and model servers among them. A LimitRange "
    "with a Container item that sets default cpu and memory limits gives every container in the "
    "namespace a ceiling it did not write. GPUs themselves need no default: an extended resource "
    "must be limited by the container to be allocated at all. Checked for namespaces declared in "
    "the scan that run GPU workloads; the LimitRanges are read from the whole scan.",
    risk="Noisy neighbours and evictions on shared GPU nodes; unbounded node resources per tenant.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n"
        "  namespace: ml-training\nspec:\n  limits:\n    - type: Container\n      default:\n"
        '        cpu: "8"\n        memory: 64Gi\n      defaultRequest:\n        cpu: "2"\n'
        "        memory: 16Gi",
    },
    references=[LIMIT_RANGE_DOCS, DEFAULT_LIMITS],
    maturity="incubating",
)
def gpu_workload_limit_range(ns: Resource, inventory: Inventory):
    names, verdict = _gate(ns, inventory)
    if names is None:
        return verdict
    ranges = in_namespace(inventory, LIMIT_RANGE, ns.account, ns.name)
    defaults: set[str] = set()
    for lr in ranges:
        defaults |= set(lr.attrs.get("default_limits") or {})
    missing = [k for k in REQUIRED_DEFAULTS if k not in defaults]
    if not missing:
        return None
    runs = f"runs GPU workloads ({_listed(names)})"
    if not ranges:
        return fail(f"{runs} and no LimitRange sets default container limits", at="labels")
    which = ", ".join(sorted(lr.name for lr in ranges))
    return fail(
        f"{runs} and its LimitRange(s) ({which}) set no default {' or '.join(missing)} limit", at="labels"
    )
