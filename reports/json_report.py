"""The canonical JSON report (schema v1, `reports/schemas/report-v1.schema.json`). Every
other format can be rendered from it: `from_dict` loads it back into a ScanResult."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from importlib import resources

from scanner.model.finding import SEVERITIES, Comparison, Finding, ScanError, ScanResult

from . import dumps, scrub_finding, scrub_tree

SCHEMA_VERSION = "1.0"
INFORMATION_URI = "https://mlposture.dev"


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
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlposture", "version": result.tool_version, "information_uri": INFORMATION_URI},
        "scan": {
            "id": result.scan_id,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "targets": list(result.targets),
            "root": result.root,
            "sources": list(result.sources),
            "errors": scrub_tree([e.to_json() for e in result.errors]),
        },
        "summary": summary(result),
        "rules": result.rules,  # our own catalogue: nothing from scanned input
        "findings": [scrub_finding(f.to_json()) for f in result.findings],
    }
    if result.unused_suppressions is not None:  # rule ids and globs written in scanned input
        doc["scan"]["unused_suppressions"] = scrub_tree(result.unused_suppressions)
    if result.diff_base is not None:
        doc["scan"]["diff_base"] = scrub_tree(result.diff_base)
    if result.notifications is not None:  # our own outcomes; endpoints are origins only
        doc["scan"]["notifications"] = scrub_tree(result.notifications)
    if result.comparison is not None:
        c = result.comparison.to_json()
        c["fixed"] = [scrub_finding(f) for f in c["fixed"]]
        doc["comparison"] = c
    if result.compliance is not None:  # our own framework map and counts: nothing from scanned input
        doc["compliance"] = result.compliance
    return doc


def render(result: ScanResult) -> str:
    return dumps(to_dict(result))


@cache
def schema() -> dict:
    text = resources.files("reports").joinpath("schemas/report-v1.schema.json").read_text("utf-8")
    return json.loads(text)


def validation_errors(doc: dict) -> list[str]:
    """Every way `doc` departs from the v1 schema; empty when it is a valid report."""
    from jsonschema import Draft202012Validator

    v = Draft202012Validator(schema())
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors]


def from_dict(d: dict) -> ScanResult:
    """Load a v1 JSON report back into a ScanResult (for `mlposture report`). Raises
    ValueError when the document is not a valid v1 report."""
    if not isinstance(d, dict):
        raise ValueError("top level must be an object")
    major = str(d.get("schema_version", "")).split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise ValueError(f"unsupported report schema_version {str(d.get('schema_version'))[:40]!r}")
    errors = validation_errors(d)
    if errors:
        raise ValueError(
            "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        )
    scan, s = d["scan"], d["summary"]
    return ScanResult(
        scan_id=scan["id"],
        started_at=scan["started_at"],
        finished_at=scan["finished_at"],
        targets=scan.get("targets", []),
        findings=[Finding.from_json(f) for f in d.get("findings", [])],
        errors=[ScanError(**e) for e in scan.get("errors", [])],
        sources=scan.get("sources", []),
        resources=s.get("resources", 0),
        rules_evaluated=s.get("rules", 0),
        checks=s.get("checks", 0),
        passed=s.get("passed", 0),
        rules=d.get("rules", {}),
        tool_version=d.get("tool", {}).get("version", ""),
        root=scan.get("root", ""),
        comparison=Comparison.from_json(d["comparison"]) if isinstance(d.get("comparison"), dict) else None,
        compliance=d["compliance"] if isinstance(d.get("compliance"), dict) else None,
        unused_suppressions=scan.get("unused_suppressions"),
        diff_base=scan.get("diff_base"),
        notifications=scan.get("notifications"),
    )
