"""Reporters only format a ScanResult; they never decide pass or fail."""

from __future__ import annotations

import importlib
from typing import Any

# format name -> module with `render(result) -> str`
FORMATS = {
    "json": "reports.json_report",
    "sarif": "reports.sarif",
}


def render(fmt: str, result) -> str:
    if fmt not in FORMATS:
        raise KeyError(fmt)
    return importlib.import_module(FORMATS[fmt]).render(result)


def scrub_tree(value: Any) -> Any:
    """Redact any well-known secret left in any string of a report tree. Normalizers and
    the engine already scrub; this is the last line before bytes leave the process."""
    from scanner.secrets import redact_string

    if isinstance(value, str):
        return redact_string(value)
    if isinstance(value, dict):
        return {k: scrub_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_tree(v) for v in value]
    return value
