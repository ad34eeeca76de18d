"""The NVIDIA device plugin's configuration file (the `config.yaml` its ConfigMap holds), slimmed
to what K8S-006 judges: time-slicing and MPS sharing, and the MIG strategy. Pure: the
ConfigMap is read by `kube.read_kubernetes`. Field names and defaults follow
NVIDIA/k8s-device-plugin's README ("Shared Access to GPUs"): renameByDefault and
failRequestsGreaterThanOne default to false."""

from __future__ import annotations

from typing import Any

# the node label the GPU Operator's config manager uses to pick a key of the ConfigMap
CONFIG_LABEL = "nvidia.com/device-plugin.config"


class ConfigProblem(ValueError):
    """The config is not what the device plugin accepts, with the line when known."""


def _sharing(section: Any, where: str, time_slicing: bool) -> dict | None:
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigProblem(f"{where} is not a mapping")
    resources = []
    for i, r in enumerate(section.get("resources") or []):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            raise ConfigProblem(f"{where}.resources[{i}] needs a name (line {getattr(r, 'start_line', '?')})")
        replicas = r.get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
            raise ConfigProblem(
                f"{where}.resources[{i}].replicas must be a positive integer, not {replicas!r}"
            )
        resources.append({"name": r["name"], "replicas": replicas})
    out = {"rename_by_default": bool(section.get("renameByDefault", False)), "resources": resources}
    if time_slicing:
        out["fail_requests_greater_than_one"] = bool(section.get("failRequestsGreaterThanOne", False))
    return out


def parse_config(text: str) -> dict:
    """{mig_strategy, time_slicing, mps} from a device plugin config file; ConfigProblem when it is
    not one."""
    import yaml

    from scanner.collect.iac.yaml_loader import YamlDuplicateKeyError, YamlLimitError, load_one

    try:
        doc = load_one(text, reject_duplicate_keys=True)
    except (yaml.YAMLError, YamlLimitError, YamlDuplicateKeyError) as e:
        raise ConfigProblem(f"not valid YAML: {str(e)[:200]}") from e
    if not isinstance(doc, dict):
        raise ConfigProblem("the config is not a mapping (version, flags, sharing)")
    flags = doc.get("flags") or {}
    sharing = doc.get("sharing") or {}
    if not isinstance(flags, dict) or not isinstance(sharing, dict):
        raise ConfigProblem("flags and sharing must be mappings")
    return {
        "mig_strategy": flags.get("migStrategy"),
        "time_slicing": _sharing(sharing.get("timeSlicing"), "sharing.timeSlicing", True),
        "mps": _sharing(sharing.get("mps"), "sharing.mps", False),
    }


def pick_key(data: dict[str, str], node_labels: dict[str, str], default: str | None) -> str:
    """The ConfigMap key this node's plugin uses: the node's nvidia.com/device-plugin.config label,
    else the config manager's DEFAULT_CONFIG, else the only key."""
    for key in (node_labels.get(CONFIG_LABEL), default):
        if key and key in data:
            return key
    if len(data) == 1:
        return next(iter(data))
    raise ConfigProblem(
        f"{len(data)} configs ({', '.join(sorted(data))}) and neither a {CONFIG_LABEL} node label nor a "
        "DEFAULT_CONFIG names one"
    )


def replicas(section: dict | None) -> int:
    return max((r["replicas"] for r in (section or {}).get("resources") or []), default=1)
