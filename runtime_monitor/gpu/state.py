"""The monitor's per-node memory between passes: which tenants last used each GPU, so GPU-009
can tell a GPU that changed tenant from one that did not. One small JSON file per node under
--state-dir (default: the user's data directory), written atomically after each pass. It is
the only thing the monitor writes, and it holds tenant names, nothing secret."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

STATE_VERSION = 1


class StateError(ValueError):
    """A state file that cannot be read or written, with the file (and line)."""


def default_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path("mlposture") / "gpu-monitor"


def state_file(directory: str | Path, node: str) -> Path:
    return Path(directory) / f"{re.sub(r'[^A-Za-z0-9._-]', '_', node) or 'node'}.json"


def load_state(directory: str | Path, node: str) -> dict[str, list[str]] | None:
    """GPU UUID -> tenants that last used it; None when there is no file yet (a first pass)."""
    path = state_file(directory, node)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StateError(f"{path}: cannot read: {e.strerror or e}") from e
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise StateError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from e
    if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
        raise StateError(f"{path}:1: not a version {STATE_VERSION} GPU monitor state file")
    gpus = doc.get("gpus")
    if not isinstance(gpus, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in gpus.values()
    ):
        raise StateError(f"{path}:1: gpus must map GPU UUIDs to lists of tenant names")
    return gpus


def merged(previous: dict[str, list[str]] | None, current: dict[str, list[str]]) -> dict[str, list[str]]:
    """An idle GPU keeps the tenants that last used it: the next tenant is judged against them."""
    out = dict(previous or {})
    out.update({uuid: tenants for uuid, tenants in current.items() if tenants})
    return out


def save_state(directory: str | Path, node: str, gpus: dict[str, list[str]]) -> Path:
    path = state_file(directory, node)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": STATE_VERSION, "node": node, "gpus": gpus}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)  # a reader never sees half a file
    except OSError as e:
        raise StateError(f"{path}: cannot write: {e.strerror or e}") from e
    return path
