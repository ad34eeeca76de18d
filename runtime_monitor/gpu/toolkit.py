"""The NVIDIA container toolkit's configuration on the node: whether an unprivileged
container may pick GPUs through NVIDIA_VISIBLE_DEVICES, whether volume mounts are accepted,
and the runtime mode (legacy hooks vs CDI, which CVE-2024-0132 does not affect)."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG_PATH = "/etc/nvidia-container-runtime/config.toml"
KEYS = (
    "accept-nvidia-visible-devices-envvar-when-unprivileged",
    "accept-nvidia-visible-devices-as-volume-mounts",
)


def parse_config(text: str) -> dict:
    """The settings the checks read; the toolkit's defaults where a key is absent."""
    doc = tomllib.loads(text)
    runtime = doc.get("nvidia-container-runtime") or {}
    features = doc.get("features") or {}
    return {
        KEYS[0]: bool(doc.get(KEYS[0], True)),  # the toolkit's default is true: the bypass is open
        KEYS[1]: bool(doc.get(KEYS[1], False)),
        "mode": str(runtime.get("mode", "auto")),
        "disable-cuda-compat-lib-hook": bool(features.get("disable-cuda-compat-lib-hook", False)),
    }


def read_toolkit(path: str = CONFIG_PATH) -> dict:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        return {
            "config_path": path,
            "config": {
                "not_applicable": "Unavailable",
                "call": f"read {path}",
                "reason": e.strerror or str(e),
            },
        }
    try:
        return {"config_path": path, "config": parse_config(text)}
    except tomllib.TOMLDecodeError as e:
        return {
            "config_path": path,
            "config": {"not_applicable": "Invalid", "call": f"parse {path}", "reason": str(e)},
        }
