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
                for v in spec.get("volumes") or []
                if v.get("hostPath")
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


def _api():
    from kubernetes import client, config

    try:
        config.load_incluster_config()
    except config.ConfigException:
        config.load_kube_config()
    return client.CoreV1Api()


def read_node_and_pods(node_name: str) -> tuple[dict, list[dict]]:
    """({name, labels}, slimmed pods on the node), as raw JSON (the client's models are
    strict and would drop fields a newer API server sends)."""
    api = _api()
    node = json.loads(api.read_node(node_name, _preload_content=False).data)
    pods = json.loads(
        api.list_pod_for_all_namespaces(
            field_selector=f"spec.nodeName={node_name}", _preload_content=False
        ).data
    )
    meta = node.get("metadata") or {}
    return (
        {"name": meta.get("name", node_name), "labels": meta.get("labels") or {}},
        [slim_pod(p) for p in pods.get("items") or []],
    )
