"""Reporters only format a ScanResult; they never decide pass or fail."""

from __future__ import annotations

import importlib
from typing import Any

# format name -> module with `render(result) -> str`
FORMATS = {
    "json": "reports.json_report",
    "sarif": "reports.sarif",
    "html": "reports.html",
    "md": "reports.markdown",
    "junit": "reports.junit",
    "ocsf": "reports.ocsf",
}


def render(fmt: str, result) -> str:
    if fmt not in FORMATS:
        raise KeyError(fmt)
    return importlib.import_module(FORMATS[fmt]).render(result)


# No well-known secret format is shorter than this; shorter strings need no look.
_MIN_SECRET_LEN = 12


def scrub_tree(value: Any) -> Any:
    """Redact any well-known secret left in any string of a report tree. Normalizers and
    the engine already scrub; this is the last line before bytes leave the process. Call it
    on what came from scanned input (findings, errors), not on our own rule catalogue."""
    from scanner.secrets import redact_string

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return redact_string(v) if len(v) >= _MIN_SECRET_LEN else v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)


# Finding fields that can carry text from scanned input; the rest is our own rule metadata.
_UNTRUSTED_FINDING_FIELDS = ("message", "resource", "evidence", "location", "mute_reason", "path")


def scrub_finding(d: dict) -> dict:
    """`scrub_tree` on the parts of a finding's JSON that came from scanned input."""
    out = dict(d)
    for k in _UNTRUSTED_FINDING_FIELDS:
        if k in out:
            out[k] = scrub_tree(out[k])
    return out


def dumps(doc: Any) -> str:
    """Indented JSON, fast: orjson where it is installed, the standard library otherwise."""
    try:
        import orjson
    except ImportError:  # pragma: no cover
        import json

        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
