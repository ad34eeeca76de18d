"""The canonical JSON report (schema v1). Every other format can be rendered from it."""

from __future__ import annotations

import json
from collections import Counter

from scanner.model.finding import SEVERITIES, Finding, ScanError, ScanResult

SCHEMA_VERSION = "1.0"


def summary(result: ScanResult) -> dict:
    active = [f for f in result.findings if not f.muted]
    fails = [f for f in active if f.status == "fail"]
    return {
        "resources": result.resources,
        "rules": result.rules_evaluated,
        "checks": result.checks,
        "passed": result.passed,
        "failed": len(fails),
        "unknown": sum(f.status == "unknown" for f in active),
        "error": sum(f.status == "error" for f in active),
        "muted": sum(f.muted for f in result.findings),
        "by_severity": {s: sum(f.severity == s for f in fails) for s in SEVERITIES},
        "by_category": dict(sorted(Counter(f.category for f in fails).items())),
        "by_provider": dict(sorted(Counter(f.resource.provider for f in fails).items())),
        "by_source": dict(sorted(Counter(f.source for f in fails).items())),
        "incomplete": result.incomplete,
    }


def to_dict(result: ScanResult) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlposture", "version": result.tool_version, "information_uri": "https://mlposture.dev"},
        "scan": {
            "id": result.scan_id,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "targets": result.targets,
            "sources": result.sources,
            "errors": [e.to_json() for e in result.errors],
        },
        "summary": summary(result),
        "rules": result.rules,
        "findings": [f.to_json() for f in result.findings],
    }


def render(result: ScanResult) -> str:
    return json.dumps(to_dict(result), indent=2, sort_keys=False) + "\n"


def from_dict(d: dict) -> ScanResult:
    """Load a v1 JSON report back into a ScanResult (for `mlposture report`)."""
    major = str(d.get("schema_version", "")).split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise ValueError(f"unsupported report schema_version {d.get('schema_version')!r}")
    scan, s = d["scan"], d["summary"]
    return ScanResult(
        scan_id=scan["id"], started_at=scan["started_at"], finished_at=scan["finished_at"],
        targets=scan.get("targets", []), findings=[Finding.from_json(f) for f in d.get("findings", [])],
        errors=[ScanError(**e) for e in scan.get("errors", [])], sources=scan.get("sources", []),
        resources=s.get("resources", 0), rules_evaluated=s.get("rules", 0), checks=s.get("checks", 0),
        passed=s.get("passed", 0), rules=d.get("rules", {}), tool_version=d.get("tool", {}).get("version", ""),
    )
