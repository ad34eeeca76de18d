"""The NVIDIA GPU software stack as manifests declare it -> `k8s.gpu_device_plugin_config`
(one per config key of a device plugin ConfigMap, and one for a device plugin DaemonSet's
own flags) and `k8s.gpu_operator_policy` (the GPU Operator's ClusterPolicy).

Defaults are the upstream ones, and they are the insecure ones: the plugin hands devices
to containers through NVIDIA_VISIBLE_DEVICES (``envvar``) and the toolkit honours that
variable from unprivileged containers, so any pod can ask for every GPU
(NVIDIA/cloud-native-docs gpu-operator/security-considerations).
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from scanner.collect.iac.yaml_loader import YamlLimitError, load_one
from scanner.model.resource import Relation, Resource, SourceRef, Unresolved

from .annotations import suppressions
from .base import base, finish, uid_of
from .pod import Collected
from .rbac import cluster_base
from .values import NormalizeError, as_bool, as_int, as_list, as_map, as_str, key_line, unresolved

DEVICE_PLUGIN_CONFIG = "k8s.gpu_device_plugin_config"
GPU_OPERATOR_POLICY = "k8s.gpu_operator_policy"
CONFIG_KIND = "NvidiaDevicePluginConfig"  # kind slot of the uid: the ConfigMap keeps its own

DEFAULT_LIST_STRATEGY = ["envvar"]
CDI_LIST_STRATEGY = ["cdi-annotations"]  # what the operator configures when CDI is enabled
ACCEPT_ENV = "ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED"
LIST_ENV = "DEVICE_LIST_STRATEGY"
MIG_ENV = "MIG_STRATEGY"
CONFIG_ENV = "CONFIG_FILE"
PLUGIN_IMAGE = "k8s-device-plugin"
# Sidecars shipped in the plugin's image that are not the plugin.
NOT_THE_PLUGIN = ("config-manager", "gpu-feature-discovery")
SHARING = {"timeSlicing": "time-slicing", "mps": "mps"}
_MAX_CONFIG_CHARS = 64_000


# ------------------------------------------------------------------ device plugin ConfigMap
def _load_config(text: str) -> Mapping | None:
    """A device plugin config document, or None when the value is something else."""
    if (
        len(text) > _MAX_CONFIG_CHARS
        or "version" not in text
        or ("sharing" not in text and "flags" not in text)
    ):
        return None
    try:
        # the bounded loader: this text comes from a scanned ConfigMap, so alias bombs and
        # deep nesting are refused here too, and reported, not silently skipped
        doc = load_one(text)
    except YamlLimitError as e:
        raise NormalizeError(f"embedded device plugin config: {e}") from e
    except yaml.YAMLError:
        return None
    if isinstance(doc, Mapping) and "version" in doc and ("sharing" in doc or "flags" in doc):
        return doc
    return None


def list_strategy(v) -> list[str] | Unresolved:
    """deviceListStrategy is a string or, since plugin v0.15, a list of strategies."""
    if isinstance(v, str) and "{{" not in v:
        return [s.strip() for s in v.split(",") if s.strip()]
    if isinstance(v, list) and all(isinstance(s, str) for s in v):
        return [s.strip() for s in v]
    return unresolved(v, "device list strategy")


def _sharing(doc: Mapping) -> tuple[str, int | Unresolved | None, Mapping]:
    sharing = doc.get("sharing") if isinstance(doc.get("sharing"), Mapping) else {}
    for key, name in SHARING.items():
        s = sharing.get(key)
        if not isinstance(s, Mapping):
            continue
        counts = [as_int(r.get("replicas")) for r in s.get("resources") or [] if isinstance(r, Mapping)]
        odd = next((n for n in counts if isinstance(n, Unresolved)), None)
        known = [n for n in counts if isinstance(n, int)]
        return name, odd if odd is not None else (max(known) if known else None), s
    return "none", None, {}


def _plugin_config(r: Resource, doc: Mapping, out: Collected) -> dict:
    flags = doc.get("flags") if isinstance(doc.get("flags"), Mapping) else {}
    plugin = flags.get("plugin") if isinstance(flags.get("plugin"), Mapping) else {}
    raw_list = plugin.get("deviceListStrategy", flags.get("deviceListStrategy"))
    if raw_list is None:
        strategy: list[str] | Unresolved = list(DEFAULT_LIST_STRATEGY)
        out.default("device_list_strategy")
    else:
        strategy = list_strategy(raw_list)
    name, replicas, sharing = _sharing(doc)
    mig = flags.get("migStrategy")
    return {
        "source_kind": "ConfigMap",
        "namespace": r.region,
        "sharing_strategy": name,
        "replicas": replicas,
        "rename_by_default": as_bool(sharing.get("renameByDefault")),
        "fail_requests_greater_than_one": as_bool(sharing.get("failRequestsGreaterThanOne")),
        "mig_strategy": as_str(mig),
        "device_list_strategy": strategy,
        "accept_envvar_unprivileged": None,  # a toolkit setting: not in the plugin's config
        "uses_config_file": False,
    }


def device_plugin_configs(
    obj: Mapping, source: SourceRef, account: str
) -> tuple[list[Resource], list[Relation]]:
    """One resource per data key of a ConfigMap that holds device plugin configs."""
    data = as_map(obj.get("data"), "data")
    resources, relations = [], []
    for key in sorted(data, key=str):
        value = data[key]
        doc = _load_config(value) if isinstance(value, str) else None
        if doc is None:
            continue
        r, meta, out = base(obj, DEVICE_PLUGIN_CONFIG, source, account)
        cm_uid = r.uid
        r.name = f"{r.name}:{key}"
        r.uid = uid_of(account, r.region, CONFIG_KIND, r.name)
        r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
        line = key_line(data, key)
        for path in ("sharing_strategy", "replicas", "mig_strategy", "device_list_strategy", "config_key"):
            out.line(path, line)
        attrs = {**_plugin_config(r, doc, out), "config_key": str(key)}
        resources.append(finish(r, out, attrs, secrets=False))
        relations.append(Relation(r.uid, "defined_in", cm_uid, "config_key"))
    return resources, relations


# ------------------------------------------------------------------ device plugin DaemonSet
def _env(container: Mapping) -> dict:
    env = {}
    for item in as_list(container.get("env"), "env"):
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            env[item["name"]] = (
                as_str(item.get("value")) if "value" in item else unresolved(item, "literal value")
            )
    return env


def _args(container: Mapping) -> dict[str, str]:
    """--flag=value and --flag value pairs of command and args."""
    words = [
        str(w) for w in as_list(container.get("command"), "command") + as_list(container.get("args"), "args")
    ]
    out: dict[str, str] = {}
    for i, w in enumerate(words):
        if not w.startswith("--"):
            continue
        name, eq, value = w[2:].partition("=")
        if not eq and i + 1 < len(words) and not words[i + 1].startswith("--"):
            value = words[i + 1]
        out[name] = value
    return out


def _plugin_container(spec: Mapping) -> Mapping | None:
    for i, c in enumerate(as_list(spec.get("containers"), "spec.template.spec.containers")):
        c = as_map(c, f"containers[{i}]")
        words = " ".join(
            str(w) for w in as_list(c.get("command"), "command") + as_list(c.get("args"), "args")
        )
        if PLUGIN_IMAGE in str(c.get("image", "")) and not any(n in words for n in NOT_THE_PLUGIN):
            return c
    return None


def device_plugin_daemonset(obj: Mapping, source: SourceRef, account: str) -> Resource | None:
    tmpl = as_map(as_map(obj.get("spec"), "spec").get("template"), "spec.template")
    container = _plugin_container(as_map(tmpl.get("spec"), "spec.template.spec"))
    if container is None:
        return None
    r, meta, out = base(obj, DEVICE_PLUGIN_CONFIG, source, account)
    r.uid = uid_of(account, r.region, CONFIG_KIND, r.name)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    env, args = _env(container), _args(container)
    # urfave/cli: a flag on the command line wins over its environment variable
    raw_list = args.get("device-list-strategy", env.get(LIST_ENV))
    uses_file = bool(args.get("config-file") or env.get(CONFIG_ENV))
    if raw_list is not None:
        strategy = list_strategy(raw_list) if not isinstance(raw_list, Unresolved) else raw_list
    elif uses_file:
        strategy = None  # the config file decides: see its ConfigMap
    else:
        strategy = list(DEFAULT_LIST_STRATEGY)
        out.default("device_list_strategy")
    accept = env.get(ACCEPT_ENV)
    line = getattr(container, "start_line", None)
    for path in ("device_list_strategy", "accept_envvar_unprivileged", "mig_strategy"):
        out.line(path, line)
    attrs = {
        "source_kind": "DaemonSet",
        "namespace": r.region,
        "config_key": None,
        "sharing_strategy": "none",
        "replicas": None,
        "rename_by_default": None,
        "fail_requests_greater_than_one": None,
        "mig_strategy": args.get("mig-strategy", env.get(MIG_ENV)),
        "device_list_strategy": strategy,
        "accept_envvar_unprivileged": as_bool(accept) if not isinstance(accept, Unresolved) else accept,
        "uses_config_file": uses_file,
    }
    return finish(r, out, attrs, secrets=False)


# ------------------------------------------------------------------ GPU Operator ClusterPolicy
def operator_version(labels: Mapping) -> str | None:
    v = labels.get("app.kubernetes.io/version")
    if isinstance(v, str) and v:
        return v
    chart = labels.get("helm.sh/chart")
    if isinstance(chart, str) and chart.startswith("gpu-operator-"):
        return chart[len("gpu-operator-") :]
    return None


def _toolkit_version(toolkit: Mapping):
    v = toolkit.get("version")
    if v is None:
        image = toolkit.get("image")
        if isinstance(image, str) and ":" in image.rsplit("/", 1)[-1]:
            return image.rsplit(":", 1)[1]
        return None
    return as_str(v)


def normalize_cluster_policy(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = cluster_base(obj, GPU_OPERATOR_POLICY, source, account)
    spec = as_map(obj.get("spec"), "spec")
    toolkit = as_map(spec.get("toolkit"), "spec.toolkit")
    plugin = as_map(spec.get("devicePlugin"), "spec.devicePlugin")
    cdi = as_map(spec.get("cdi"), "spec.cdi")
    mig = as_map(spec.get("mig"), "spec.mig")
    plugin_config = as_map(plugin.get("config"), "spec.devicePlugin.config")

    def flag(section: Mapping, key: str, path: str, default: bool):
        v = as_bool(section.get(key))
        if v is None:
            out.default(path)
            return default
        return v

    cdi_enabled = flag(cdi, "enabled", "cdi_enabled", False)
    plugin_env, toolkit_env = _env(plugin), _env(toolkit)
    if LIST_ENV in plugin_env:
        v = plugin_env[LIST_ENV]
        strategy = list_strategy(v) if isinstance(v, str) else v
    else:
        strategy = list(CDI_LIST_STRATEGY if cdi_enabled is True else DEFAULT_LIST_STRATEGY)
        out.default("device_list_strategy")
    if ACCEPT_ENV in toolkit_env:
        v = toolkit_env[ACCEPT_ENV]
        accept = as_bool(v) if isinstance(v, str) else v
    else:
        accept = True
        out.default("accept_envvar_unprivileged")
    mig_strategy = as_str(mig.get("strategy"))
    if mig_strategy is None:
        mig_strategy = "single"
        out.default("mig_strategy")
    out.line("toolkit_version", key_line(toolkit, "version") or key_line(spec, "toolkit"))
    out.line("toolkit_enabled", key_line(toolkit, "enabled") or key_line(spec, "toolkit"))
    out.line("accept_envvar_unprivileged", key_line(toolkit, "env") or key_line(spec, "toolkit"))
    out.line("device_list_strategy", key_line(plugin, "env") or key_line(spec, "devicePlugin"))
    out.line("device_plugin_config", key_line(plugin, "config"))
    out.line("cdi_enabled", key_line(spec, "cdi"))
    out.line("mig_strategy", key_line(spec, "mig"))
    for path in ("toolkit_version", "accept_envvar_unprivileged", "device_list_strategy"):
        out.line(path, key_line(meta, "name"))  # nothing written: point at the policy
    attrs = {
        "operator_version": operator_version(r.tags),
        "toolkit_enabled": flag(toolkit, "enabled", "toolkit_enabled", True),
        "toolkit_version": _toolkit_version(toolkit),
        "device_plugin_config": {
            "name": as_str(plugin_config.get("name")),
            "default": as_str(plugin_config.get("default")),
        },
        "mig_strategy": mig_strategy,
        "cdi_enabled": cdi_enabled,
        "cdi_default": flag(cdi, "default", "cdi_default", False),
        "device_list_strategy": strategy,
        "accept_envvar_unprivileged": accept,
    }
    return finish(r, out, attrs, secrets=False)
