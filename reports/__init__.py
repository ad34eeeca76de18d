"""Reporters only format a ScanResult; they never decide pass or fail."""

from __future__ import annotations

import importlib

# format name -> module with `render(result) -> str`
FORMATS = {
    "json": "reports.json_report",
    "sarif": "reports.sarif",
}


def render(fmt: str, result) -> str:
    if fmt not in FORMATS:
        raise KeyError(fmt)
    return importlib.import_module(FORMATS[fmt]).render(result)
