"""A node snapshot: everything the GPU checks read (NVML, kubelet allocations, the cgroups of
GPU processes, the node's pods and labels, toolkit configuration, component versions), as
JSON. `take_snapshot` records it live; `load_snapshot` reads a recorded or hand-written one
and replays its NVML section through `FakeNvml` and the live adapter, so a replayed pass
runs the same code as a live one. A source that cannot be read is recorded as not
applicable, with the reason, and as a scan error; nothing is dropped."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "gpu-snapshot.schema.json"
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 50  # listed in an error; a snapshot with thousands of bad GPUs says how many more


class SnapshotError(ValueError):
    """A snapshot that cannot be used, with every problem and its line."""

    def __init__(self, file: str, problems: list[tuple[int | None, str]]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}:{line or '?'}: {msg}" for line, msg in problems))


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(doc: Any, file: str, lines: dict[str, int] | None = None) -> None:
    from jsonschema import Draft202012Validator

    from runtime_monitor.policy import json_path

    lines = lines or {}
    problems = []
    for err in sorted(
        Draft202012Validator(schema()).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
    ):
        path = json_path(err.absolute_path)
        probe, line = path, None
        while probe and line is None:
            line = lines.get(probe)
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        problems.append((line or 1, f"{path or '(document)'}: {err.message[:300]}"))
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], (None, f"and {more} more problems not listed")]
    if problems:
        raise SnapshotError(file, problems)


def load_snapshot(path: str | Path, *, replay_nvml: bool = True) -> dict:
    """A validated snapshot. With replay_nvml its `nvml` section is re-read through the
    live adapter over a FakeNvml, which also fills in what a hand-written snapshot left
    out as not applicable."""
    from runtime_monitor.policy import _line_map
    from scanner.collect.iac.yaml_loader import YamlLimitError, load_one

    file = str(path)
    try:
        if Path(path).stat().st_size > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(file, [(None, f"larger than {MAX_SNAPSHOT_BYTES} bytes")])
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SnapshotError(file, [(None, f"cannot read: {getattr(e, 'strerror', None) or e}")]) from e
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise SnapshotError(file, [(e.lineno, f"not valid JSON: {e.msg}")]) from e
    except RecursionError as e:  # the stdlib decoder recurses: a hostile nest
        raise SnapshotError(file, [(None, "not valid JSON: nested too deeply")]) from e
    if "\\u" in text:  # an escaped lone surrogate is no text: no report could be written with it
        try:
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as e:
            raise SnapshotError(file, [(None, "not valid JSON: a string holds a lone surrogate")]) from e
    try:
        lines = _line_map(load_one(text))  # JSON is YAML: the bounded loader gives lines for errors
    except (YamlLimitError, Exception):
        lines = {}
    validate(doc, file, lines)
    if replay_nvml:
        doc = replay(doc)
    return doc


def replay(doc: dict) -> dict:
    from runtime_monitor.gpu.fake_nvml import FakeNvml
    from runtime_monitor.gpu.nvml import collect_nvml

    return {**doc, "nvml": collect_nvml(FakeNvml(doc["nvml"]))}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unavailable(call: str, e: BaseException) -> dict:
    from scanner.secrets import redact_string

    return {
        "not_applicable": "Unavailable",
        "call": call,
        "reason": redact_string(f"{type(e).__name__}: {e}")[:300],
    }


def _gpu_pids(nvml: dict) -> set[int]:
    pids: set[int] = set()

    def add(holder: dict) -> None:
        for kind in ("compute", "graphics", "mps"):
            got = (holder.get("processes") or {}).get(kind)
            if isinstance(got, list):
                pids.update(p["pid"] for p in got)

    for gpu in nvml.get("gpus") or []:
        add(gpu)
        for mig in gpu.get("mig_devices") or [] if isinstance(gpu.get("mig_devices"), list) else []:
            add(mig)
        if isinstance(gpu.get("accounting_pids"), list):
            pids.update(gpu["accounting_pids"])
    return pids


def take_snapshot(
    *,
    node_name: str | None = None,
    proc: str = "/proc",
    pod_resources_socket: str | None = None,
    toolkit_config: str | None = None,
    with_kubernetes: bool = True,
    kubeconfig: str | None = None,
    device_plugin_config: str | None = None,
    nvml_module=None,
    xid_wait_ms: int = 100,
) -> dict:
    """Read this node. NVML must be present (the caller reports a missing driver); every
    other source is optional and recorded as not applicable when it cannot be read.
    nvml_module replaces pynvml (a FakeNvml: the seam that runs this path without a GPU)."""
    from runtime_monitor.gpu import cgroups, kube, nvml, podresources, toolkit

    errors: list[dict] = []
    snap: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "taken_at": _now()}
    node_name = node_name or os.environ.get("NODE_NAME") or os.uname().nodename
    snap["nvml"] = nvml.collect_live(nvml_module, xid_wait_ms=xid_wait_ms)
    snap["node"] = {"name": node_name, "labels": {}}
    if with_kubernetes:
        try:
            snap["node"], snap["pods"], snap["device_plugin_config"], k8s_errors = kube.read_kubernetes(
                node_name, kubeconfig, device_plugin_config
            )
            errors += k8s_errors
        except Exception as e:  # no kubeconfig, no in-cluster credentials
            snap["pods"] = _unavailable("list pods on the node", e)
            errors.append(
                {
                    "source": "k8s",
                    "reason": snap["pods"]["reason"],
                    "unscanned": "pod specs (K8S-*), tenants of GPU processes",
                }
            )
    else:
        snap["pods"] = {
            "not_applicable": "Unavailable",
            "call": "list pods on the node",
            "reason": "--no-kubernetes",
        }
    try:
        snap["pod_resources"] = podresources.list_pod_resources(pod_resources_socket or podresources.SOCKET)
    except Exception as e:
        snap["pod_resources"] = _unavailable("kubelet PodResources List", e)
        errors.append(
            {
                "source": "podresources",
                "reason": snap["pod_resources"]["reason"],
                "unscanned": "allocations (GPU-005, GPU-006)",
            }
        )
    snap["cgroups"] = cgroups.read_cgroups(_gpu_pids(snap["nvml"]), Path(proc))
    snap["toolkit"] = toolkit.read_toolkit(toolkit_config or toolkit.CONFIG_PATH)
    snap["components"] = kube.components_from_pods(snap["pods"]) if isinstance(snap["pods"], list) else {}
    snap["errors"] = errors
    return snap
