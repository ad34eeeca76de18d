"""Baselines: what a scan has that an earlier one did not, by stable fingerprint.

A baseline is either a full JSON report of an earlier scan or a baseline file made from one
(`{"baseline_version": "1", "findings": [{fingerprint, rule_id, resource, ...}]}`, no
evidence values). Only failing, unmuted findings count: a finding that was muted or unknown
in the baseline and fails now is new."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.model.finding import Comparison, ScanResult

BASELINE_VERSION = "1"
# What a baseline keeps of each finding: enough to show what was fixed, no evidence values.
_KEPT = ("fingerprint", "rule_id", "title", "severity", "category", "resource", "location", "message")


class BaselineError(ValueError):
    pass


def baseline_entries(report: dict) -> list[dict]:
    """The failing, unmuted findings of a v1 JSON report or a baseline file, trimmed."""
    if "baseline_version" in report:
        if str(report["baseline_version"]) != BASELINE_VERSION:
            raise BaselineError(f"unsupported baseline_version {report['baseline_version']!r}")
        return [dict(f) for f in report.get("findings", []) if isinstance(f, dict) and f.get("fingerprint")]
    if "schema_version" in report and "findings" in report:
        return [
            {k: f[k] for k in _KEPT if k in f}
            for f in report["findings"]
            if isinstance(f, dict)
            and f.get("status") == "fail"
            and not f.get("muted")
            and f.get("fingerprint")
        ]
    raise BaselineError("neither a mlposture JSON report nor a baseline file")


def load_baseline(path: str | Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BaselineError(f"{path}: cannot read baseline: {e}") from e
    if not isinstance(data, dict):
        raise BaselineError(f"{path}: a baseline is a JSON object")
    try:
        return baseline_entries(data)
    except BaselineError as e:
        raise BaselineError(f"{path}: {e}") from e


def make_baseline(report: dict) -> dict:
    """A baseline file from a JSON report (`mlposture baseline create`)."""
    if not isinstance(report, dict):
        raise BaselineError("a JSON report is an object")
    return {
        "baseline_version": BASELINE_VERSION,
        "scan_id": report.get("scan", {}).get("id"),
        "findings": baseline_entries(report),
    }


def compare(result: ScanResult, entries: list[dict], label: str) -> Comparison:
    """Set `result.comparison` from baseline entries, and return it."""
    before = {e["fingerprint"]: e for e in entries}
    now = [f.fingerprint for f in result.findings if f.status == "fail" and not f.muted]
    now_set = set(now)
    comp = Comparison(
        baseline=label,
        new=[fp for fp in now if fp not in before],
        persisting=[fp for fp in now if fp in before],
        fixed=[e for fp, e in before.items() if fp not in now_set],
    )
    result.comparison = comp
    return comp
