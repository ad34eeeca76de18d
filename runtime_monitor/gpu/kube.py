"""The Kubernetes side of a GPU node: its labels, and the pods scheduled on it, slimmed to
what the isolation checks read. Environment values are dropped except NVIDIA_* (the
device-selection variables the checks need), so a snapshot never carries a secret."""

from __future__ import annotations

import json
import re
from typing import Any

_IMAGE_VERSION = re.compile(r":v?(\d+(?:\.\d+){1,3})")
# image repository name -> the component its tag versions
COMPONENT_IMAGES = {
    "container-toolkit": "container_toolkit",
    "k8s-device-plugin": "device_plugin",
    "gpu-operator-validator": "gpu_operator",
    "gpu-operator": "gpu_operator",
}


def _container(c: dict) -> dict:
    env = []
    for e in c.get("env") or []:
        name = e.get("name", "")
        item: dict[str, Any] = {"name": name}
        if (
            name.startswith("NVIDIA_")
            or name
            in (
                "DEVICE_LIST_STRATEGY",
                "MIG_STRATEGY",
                "DEVICE_ID_STRATEGY",
            )
        ) and "value" in e:
            item["value"] = str(e["value"])[:256]
        env.append(item)
    return {
        "name": c.get("name", ""),
        "image": c.get("image", ""),
        "env": env,
        "resources": c.get("resources") or {},
        "securityContext": c.get("securityContext") or {},
        "volumeMounts": [
            {"name": m.get("name"), "mountPath": m.get("mountPath")} for m in c.get("volumeMounts") or []
        ],
    }


def slim_pod(p: dict) -> dict:
    meta, spec = p.get("metadata") or {}, p.get("spec") or {}
    return {
        "metadata": {
            "name": meta.get("name", ""),
            "namespace": meta.get("namespace", ""),
            "uid": meta.get("uid", ""),
            "labels": meta.get("labels") or {},
        },
        "spec": {
            "nodeName": spec.get("nodeName"),
            "serviceAccountName": spec.get("serviceAccountName") or "default",
            "hostPID": bool(spec.get("hostPID")),
            "hostIPC": bool(spec.get("hostIPC")),
            "hostNetwork": bool(spec.get("hostNetwork")),
            "securityContext": spec.get("securityContext") or {},
            "containers": [_container(c) for c in spec.get("containers") or []],
            "initContainers": [_container(c) for c in spec.get("initContainers") or []],
            "volumes": [
                {"name": v.get("name"), "hostPath": v["hostPath"]}
                if v.get("hostPath")
                else {"name": v.get("name"), "configMap": {"name": v["configMap"].get("name", "")}}
                for v in spec.get("volumes") or []
                if v.get("hostPath") or v.get("configMap")
            ],
        },
        "status": {"phase": (p.get("status") or {}).get("phase")},
    }


def components_from_pods(pods: list[dict]) -> dict:
    """Versions of the container toolkit, device plugin and GPU Operator from the images of
    their pods on this node (the operator-validator DaemonSet follows the operator's version),
    and the device plugin's DEVICE_LIST_STRATEGY and MIG_STRATEGY."""
    out: dict[str, dict] = {}
    for p in pods:
        for c in p["spec"]["containers"] + p["spec"]["initContainers"]:
            image = c.get("image", "")
            repo = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
            comp = COMPONENT_IMAGES.get(repo)
            if comp is None or comp in out:
                continue
            m = _IMAGE_VERSION.search(image.rsplit("/", 1)[-1])
            ref = f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            entry: dict[str, Any] = {
                "version": m.group(1) if m else None,
                "source": f"image {image} of pod {ref}",
            }
            if comp == "device_plugin":
                env = {e["name"]: e.get("value") for e in c.get("env", [])}
                entry["device_list_strategy"] = [
                    s.strip() for s in (env.get("DEVICE_LIST_STRATEGY") or "envvar").split(",") if s.strip()
                ]
                if env.get("MIG_STRATEGY"):
                    entry["mig_strategy"] = env["MIG_STRATEGY"]
            out[comp] = entry
    return out


def api(kubeconfig: str | None = None):
    """CoreV1Api: from `kubeconfig` when given, else in-cluster (the DaemonSet), else the default
    kubeconfig. Its own client, so the process-wide default configuration stays untouched."""
    from kubernetes import client, config

    if kubeconfig:
        return client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    try:
        cfg = client.Configuration()
        config.load_incluster_config(client_configuration=cfg)
        return client.CoreV1Api(client.ApiClient(cfg))
    except config.ConfigException:
        return client.CoreV1Api(config.new_client_from_config())


def unavailable(call: str, e: BaseException, verb: str, resource: str, scope: str) -> dict:
    """A not-applicable record for a failed read. 403 names the RBAC grant that is missing."""
    from kubernetes.client.exceptions import ApiException

    from scanner.secrets import redact_string

    if isinstance(e, ApiException) and e.status == 403:
        try:
            said = json.loads(e.body or "{}").get("message", "")
        except (ValueError, AttributeError):
            said = ""
        return {
            "not_applicable": "NoPermission",
            "call": call,
            "reason": redact_string(
                f"403 Forbidden: RBAC does not grant verb {verb!r} on {resource!r} {scope}"
                + (f" ({said})" if said else "")
            )[:400],
        }
    why = f"HTTP {e.status} {e.reason}" if isinstance(e, ApiException) else f"{type(e).__name__}: {e}"
    return {"not_applicable": "Unavailable", "call": call, "reason": redact_string(why)[:300]}


TIMEOUT = 15  # seconds per API call: a hung API server must not hang the pass


def _device_plugin_configmap(raw_pods: list[dict]) -> tuple[str, str, str | None] | None:
    """(namespace, ConfigMap, DEFAULT_CONFIG) mounted by the device plugin pod on this node."""
    for p in raw_pods:
        spec = p.get("spec") or {}
        containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
        if not any("k8s-device-plugin" in (c.get("image") or "") for c in containers):
            continue
        default = next(
            (
                e.get("value")
                for c in containers
                for e in c.get("env") or []
                if e.get("name") == "DEFAULT_CONFIG" and e.get("value")
            ),
            None,
        )
        for v in spec.get("volumes") or []:
            name = (v.get("configMap") or {}).get("name")
            if name and name != "kube-root-ca.crt":
                return (p.get("metadata") or {}).get("namespace", ""), name, default
    return None


def _read_device_plugin_config(core, raw_pods: list[dict], labels: dict, override: str | None) -> dict:
    from runtime_monitor.gpu import device_plugin

    found = _device_plugin_configmap(raw_pods)
    if override:
        ns, _, name = override.partition("/")
        found = (ns, name, found[2] if found else None)
    if found is None:
        return {
            "not_applicable": "Unavailable",
            "call": "device plugin ConfigMap",
            "reason": "no device plugin pod on this node mounts a ConfigMap (no sharing configured by file)",
        }
    ns, name, default = found
    call = f"get configmap {ns}/{name}"
    try:
        cm = json.loads(
            core.read_namespaced_config_map(name, ns, _preload_content=False, _request_timeout=TIMEOUT).data
        )
    except Exception as e:
        return unavailable(call, e, "get", "configmaps", f"in namespace {ns!r}")
    data = cm.get("data") or {}
    try:
        key = device_plugin.pick_key(data, labels, default)
        return {"source": f"configmap {ns}/{name} key {key}", "config": device_plugin.parse_config(data[key])}
    except device_plugin.ConfigProblem as e:
        return {"not_applicable": "Invalid", "call": call, "reason": str(e)[:300]}


def read_kubernetes(node_name: str, kubeconfig: str | None = None, device_plugin_config: str | None = None):
    """(node {name, labels[, labels_error]}, slimmed pods on the node or a not-applicable record,
    the device plugin config or a not-applicable record, errors). Raw JSON throughout: the
    client's models are strict and would drop fields a newer API server sends. Each read fails
    on its own: a 403 on nodes still leaves the pods."""
    core = api(kubeconfig)
    errors: list[dict] = []
    node: dict[str, Any] = {"name": node_name, "labels": {}}
    try:
        raw = json.loads(core.read_node(node_name, _preload_content=False, _request_timeout=TIMEOUT).data)
        node["labels"] = (raw.get("metadata") or {}).get("labels") or {}
    except Exception as e:
        node["labels_error"] = unavailable(f"get node {node_name}", e, "get", "nodes", "at the cluster scope")
        errors.append(
            {
                "source": "k8s",
                "reason": node["labels_error"]["reason"],
                "unscanned": "node labels (pool selection, K8S-005, K8S-006)",
            }
        )
    raw_pods: list[dict] = []
    try:
        listed = json.loads(
            core.list_pod_for_all_namespaces(
                field_selector=f"spec.nodeName={node_name}", _preload_content=False, _request_timeout=TIMEOUT
            ).data
        )
        raw_pods = listed.get("items") or []
        pods: Any = [slim_pod(p) for p in raw_pods]
    except Exception as e:
        pods = unavailable(
            f"list pods (fieldSelector spec.nodeName={node_name})", e, "list", "pods", "at the cluster scope"
        )
        errors.append(
            {
                "source": "k8s",
                "reason": pods["reason"],
                "unscanned": "pod specs (K8S-*), tenants of GPU processes",
            }
        )
    dp = _read_device_plugin_config(core, raw_pods, node["labels"], device_plugin_config)
    if dp.get("not_applicable") in ("NoPermission", "Invalid") or (
        dp.get("not_applicable") == "Unavailable" and dp.get("call", "").startswith("get configmap")
    ):
        errors.append(
            {"source": "k8s", "reason": dp["reason"], "unscanned": "device plugin sharing config (K8S-006)"}
        )
    return node, pods, dp, errors
