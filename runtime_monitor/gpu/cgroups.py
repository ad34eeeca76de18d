"""Host PID -> pod UID (and container id) through /proc/<pid>/cgroup. NVML reports host
PIDs whatever the PID namespace, so this is how a GPU process finds its pod. Handles
cgroup v1 and v2, the systemd and cgroupfs drivers, and containerd, CRI-O and Docker
scopes (the shapes dcgm-exporter's pidmapper and nvitop's recognizer accept)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# pod<uid>: dashes with cgroupfs, underscores with systemd; static pods carry a 32-hex hash
_POD = re.compile(
    r"pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})(?![0-9a-f])"
)
_CONTAINER = re.compile(r"(?:cri-containerd-|crio-|docker-|containerd-)?([0-9a-f]{64})(?:\.scope)?$")


@dataclass(frozen=True, slots=True)
class CgroupOwner:
    pod_uid: str | None  # None: not a Kubernetes pod (a host process or a bare container)
    container_id: str | None
    path: str  # the cgroup path that decided it


def parse_cgroup(text: str) -> CgroupOwner:
    """The pod and container a process belongs to, from the contents of /proc/<pid>/cgroup."""
    best = CgroupOwner(None, None, "")
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        path = parts[2].strip()
        pod = None
        for m in _POD.finditer(path):
            pod = m.group(1).replace("_", "-")
        leaf = path.rstrip("/").rsplit("/", 1)[-1]
        c = _CONTAINER.search(leaf)
        owner = CgroupOwner(pod, c.group(1) if c else None, path)
        if pod:
            return owner  # v1 lists every controller; the first with a pod decides
        if owner.container_id and not best.container_id or not best.path:
            best = owner
    return best


def read_cgroups(pids, proc: Path = Path("/proc")) -> dict[str, str | None]:
    """Raw /proc/<pid>/cgroup text per PID (None when the process is gone or unreadable),
    recorded as-is in the snapshot so parsing can be replayed and fixed later."""
    out: dict[str, str | None] = {}
    for pid in sorted(set(pids)):
        try:
            out[str(pid)] = (proc / str(pid) / "cgroup").read_text(encoding="utf-8", errors="replace")[:65536]
        except OSError:
            out[str(pid)] = None
    return out
