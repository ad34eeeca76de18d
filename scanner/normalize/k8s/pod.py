"""One pod spec (wherever the workload keeps it) -> the canonical pod template of
`k8s.workload` (see scanner/model/types.py), with the line of every attribute it writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Unresolved
from scanner.secrets import Detection, scrub_mapping

from .values import (
    NormalizeError,
    as_bool,
    as_int,
    as_list,
    as_map,
    as_str,
    key_line,
    start_line,
    str_map,
    unresolved,
)

# Extended resources that are whole accelerators. Intel's plugin also publishes shares
# (millicores, memory, tiles) under the same prefix: those are not device counts.
GPU_RESOURCES = {"nvidia.com/gpu", "nvidia.com/gpu.shared", "amd.com/gpu"}
_INTEL_SHARES = ("gpu.intel.com/millicores", "gpu.intel.com/memory", "gpu.intel.com/tiles")


def is_gpu_resource(name: str) -> bool:
    if name in GPU_RESOURCES or name.startswith("nvidia.com/mig-"):
        return True
    return name.startswith("gpu.intel.com/") and not name.startswith(_INTEL_SHARES)


@dataclass
class Collected:
    """What normalizing one object gathers besides attrs: lines, provenance, secrets."""

    lines: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    secrets: list[Detection] = field(default_factory=list)

    def line(self, path: str, line: int | None) -> None:
        if line is not None and path not in self.lines:
            self.lines[path] = line

    def default(self, path: str) -> None:
        self.provenance[path] = "default"


def gpu_count(quantities: Mapping) -> int | Unresolved:
    """Sum of GPU devices in a requests/limits map; Unresolved when one cannot be read."""
    total = 0
    for name, raw in quantities.items():
        if not is_gpu_resource(str(name)):
            continue
        n = as_int(raw)
        if n is None:
            continue
        if isinstance(n, Unresolved) or n < 0:
            return n if isinstance(n, Unresolved) else unresolved(raw, "non-negative integer")
        total += n
    return total


def _capability(c: Any) -> str:
    s = str(c).strip().upper()
    return s[4:] if s.startswith("CAP_") else s


def _env(container: Mapping, cpath: str, where: str, out: Collected) -> tuple[dict, list[str]]:
    """Literal env values (scrubbed) and the names of the Secrets env is read from."""
    literal: dict[str, Any] = {}
    lines: dict[str, int] = {}
    secret_refs: list[str] = []
    for i, item in enumerate(as_list(container.get("env"), f"{where}.env")):
        item = as_map(item, f"{where}.env[{i}]")
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise NormalizeError(f"{where}.env[{i}] has no name")
        value_from = as_map(item.get("valueFrom"), f"{where}.env[{i}].valueFrom")
        if value_from:
            ref = as_map(value_from.get("secretKeyRef"), f"{where}.env[{i}].valueFrom.secretKeyRef")
            if isinstance(ref.get("name"), str):
                secret_refs.append(ref["name"])
            continue
        value = item.get("value", "")
        literal[name] = value if isinstance(value, str) else ("" if value is None else str(value))
        if (ln := key_line(item, "value") or start_line(item)) is not None:
            lines[name] = ln
    for i, item in enumerate(as_list(container.get("envFrom"), f"{where}.envFrom")):
        ref = as_map(
            as_map(item, f"{where}.envFrom[{i}]").get("secretRef"), f"{where}.envFrom[{i}].secretRef"
        )
        if isinstance(ref.get("name"), str):
            secret_refs.append(ref["name"])
    env, dets = scrub_mapping(literal, f"{cpath}.env", lines)
    out.secrets.extend(dets)
    for name, ln in lines.items():
        out.line(f"{cpath}.env.{name}", ln)
    out.line(f"{cpath}.env", key_line(container, "env"))
    return env, sorted(set(secret_refs))


def normalize_container(
    c: Any, role: str, cpath: str, where: str, pod_sc: Mapping, out: Collected, default_name: str = ""
) -> dict:
    """`where` is the manifest path (for messages); `cpath` the canonical attribute path."""
    c = as_map(c, where)
    sc = as_map(c.get("securityContext"), f"{where}.securityContext")
    caps = as_map(sc.get("capabilities"), f"{where}.securityContext.capabilities")
    res = as_map(c.get("resources"), f"{where}.resources")
    requests = str_map(res.get("requests"), f"{where}.resources.requests")
    limits = str_map(res.get("limits"), f"{where}.resources.limits")
    env, secret_refs = _env(c, cpath, where, out)

    gpu_limit = gpu_count(as_map(res.get("limits"), ""))
    if any(is_gpu_resource(k) for k in requests):
        gpu_request = gpu_count(as_map(res.get("requests"), ""))
    else:  # Kubernetes defaults an extended resource's request to its limit
        gpu_request = gpu_limit
        out.default(f"{cpath}.gpu_request")

    # The pod-level securityContext applies where the container does not say.
    effective: dict[str, Any] = {}
    for attr, key, conv in (
        ("run_as_non_root", "runAsNonRoot", as_bool),
        ("run_as_user", "runAsUser", as_int),
    ):
        if sc.get(key) is not None:
            effective[attr] = conv(sc[key])
            out.line(f"{cpath}.{attr}", key_line(sc, key))
        else:
            effective[attr] = conv(pod_sc.get(key))
            out.line(f"{cpath}.{attr}", key_line(pod_sc, key))

    mounts = []
    for i, m in enumerate(as_list(c.get("volumeMounts"), f"{where}.volumeMounts")):
        m = as_map(m, f"{where}.volumeMounts[{i}]")
        mounts.append(
            {
                "name": as_str(m.get("name")),
                "mount_path": as_str(m.get("mountPath")),
                "read_only": as_bool(m.get("readOnly")) or False,
            }
        )

    container = {
        "name": as_str(c.get("name")) or default_name,
        "image": as_str(c.get("image")),
        "storage_uri": as_str(c.get("storageUri")),  # KServe model containers: where the model comes from
        "role": role,
        "privileged": as_bool(sc.get("privileged")),
        "allow_privilege_escalation": as_bool(sc.get("allowPrivilegeEscalation")),
        "run_as_non_root": effective["run_as_non_root"],
        "run_as_user": effective["run_as_user"],
        "read_only_root_filesystem": as_bool(sc.get("readOnlyRootFilesystem")),
        "capabilities_add": [_capability(x) for x in as_list(caps.get("add"), f"{where}.capabilities.add")],
        "capabilities_drop": [
            _capability(x) for x in as_list(caps.get("drop"), f"{where}.capabilities.drop")
        ],
        "env": env,
        "env_secret_refs": secret_refs,
        "requests": requests,
        "limits": limits,
        "gpu_request": gpu_request,
        "gpu_limit": gpu_limit,
        "volume_mounts": mounts,
    }
    out.line(cpath, start_line(c))
    out.line(f"{cpath}.name", key_line(c, "name"))
    out.line(f"{cpath}.image", key_line(c, "image"))
    out.line(f"{cpath}.storage_uri", key_line(c, "storageUri"))
    for attr, key in (
        ("privileged", "privileged"),
        ("allow_privilege_escalation", "allowPrivilegeEscalation"),
        ("read_only_root_filesystem", "readOnlyRootFilesystem"),
    ):
        out.line(f"{cpath}.{attr}", key_line(sc, key))
    out.line(f"{cpath}.capabilities_add", key_line(caps, "add"))
    out.line(f"{cpath}.capabilities_drop", key_line(caps, "drop"))
    out.line(f"{cpath}.requests", key_line(res, "requests"))
    out.line(f"{cpath}.limits", key_line(res, "limits"))
    out.line(f"{cpath}.gpu_limit", key_line(res, "limits"))
    out.line(f"{cpath}.gpu_request", key_line(res, "requests") or key_line(res, "limits"))
    out.line(f"{cpath}.volume_mounts", key_line(c, "volumeMounts"))
    return container


def _volume(v: Any, where: str) -> dict:
    v = as_map(v, where)
    host = as_map(v.get("hostPath"), f"{where}.hostPath")
    secret = as_map(v.get("secret"), f"{where}.secret")
    cm = as_map(v.get("configMap"), f"{where}.configMap")
    return {
        "name": as_str(v.get("name")),
        "host_path": as_str(host.get("path")) if host else None,
        "secret": as_str(secret.get("secretName")) if secret else None,
        "config_map": as_str(cm.get("name")) if cm else None,
        "empty_dir": "emptyDir" in v,
    }


def normalize_pod_spec(
    spec: Any, role: str, where: str, tpath: str, out: Collected, model_containers: list[tuple[str, Any]] = ()
) -> dict:
    """`where` is the manifest path of the pod spec, `tpath` its canonical path
    (``pod_templates[i]``). `model_containers` are extra containers written outside
    ``containers`` (KServe's ``predictor.model``), as (manifest path, dict)."""
    spec = as_map(spec, where)
    pod_sc = as_map(spec.get("securityContext"), f"{where}.securityContext")
    seccomp = as_map(pod_sc.get("seccompProfile"), f"{where}.securityContext.seccompProfile")

    raw: list[tuple[str, str, Any]] = [(p, "container", c) for p, c in model_containers]
    for key, role_name in (("containers", "container"), ("initContainers", "init")):
        for i, c in enumerate(as_list(spec.get(key), f"{where}.{key}")):
            raw.append((f"{where}.{key}[{i}]", role_name, c))
    if not raw:
        raise NormalizeError(f"{where} has no containers")
    containers = [
        normalize_container(
            c,
            crole,
            f"{tpath}.containers[{j}]",
            cwhere,
            pod_sc,
            out,
            default_name="kserve-container" if j < len(model_containers) else "",
        )
        for j, (cwhere, crole, c) in enumerate(raw)
    ]

    volumes = [
        _volume(v, f"{where}.volumes[{i}]")
        for i, v in enumerate(as_list(spec.get("volumes"), f"{where}.volumes"))
    ]
    for i, v in enumerate(spec.get("volumes") or []):
        out.line(f"{tpath}.volumes[{i}]", start_line(v))
        out.line(f"{tpath}.volumes[{i}].host_path", key_line(v, "hostPath"))

    sa = spec.get("serviceAccountName") or spec.get("serviceAccount")
    template = {
        "role": role,
        "path": where,
        "service_account": as_str(sa) if sa else "default",
        "automount_service_account_token": as_bool(spec.get("automountServiceAccountToken")),
        "host_network": as_bool(spec.get("hostNetwork")),
        "host_pid": as_bool(spec.get("hostPID")),
        "host_ipc": as_bool(spec.get("hostIPC")),
        "runtime_class_name": as_str(spec.get("runtimeClassName")),
        "node_selector": str_map(spec.get("nodeSelector"), f"{where}.nodeSelector"),
        "security_context": {
            "run_as_non_root": as_bool(pod_sc.get("runAsNonRoot")),
            "run_as_user": as_int(pod_sc.get("runAsUser")),
            "seccomp_profile": as_str(seccomp.get("type")),
        },
        "volumes": volumes,
        "containers": containers,
    }
    if not sa:
        out.default(f"{tpath}.service_account")
    for attr, key in (("host_network", "hostNetwork"), ("host_pid", "hostPID"), ("host_ipc", "hostIPC")):
        if template[attr] is None:
            template[attr] = False
            out.default(f"{tpath}.{attr}")
        out.line(f"{tpath}.{attr}", key_line(spec, key))
    out.line(tpath, start_line(spec))
    out.line(
        f"{tpath}.service_account", key_line(spec, "serviceAccountName") or key_line(spec, "serviceAccount")
    )
    out.line(f"{tpath}.automount_service_account_token", key_line(spec, "automountServiceAccountToken"))
    out.line(f"{tpath}.runtime_class_name", key_line(spec, "runtimeClassName"))
    out.line(f"{tpath}.security_context", key_line(spec, "securityContext"))
    out.line(f"{tpath}.volumes", key_line(spec, "volumes"))
    return template
