"""Hits become ordinary Findings (source "runtime"), with messages and evidence scrubbed
of secrets like every other finding."""

from __future__ import annotations

from typing import Any

from rules.sdk import RuleMeta
from runtime_monitor.audit.detections.base import Hit
from scanner.model.finding import Evidence, Finding, FindingResource, Location, fingerprint
from scanner.secrets import redact_string


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact_string(value[:500])
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple | set):
        return [scrub(v) for v in list(value)[:50]]
    return value


def to_finding(hit: Hit, meta: RuleMeta) -> Finding:
    return Finding(
        fingerprint=fingerprint(meta.id, hit.subject, hit.at),
        rule_id=meta.id,
        title=meta.title,
        severity=meta.severity,
        status=hit.status,
        category=meta.category,
        resource=FindingResource(
            hit.subject, hit.subject_type, hit.subject_name, hit.provider, hit.account, hit.region
        ),
        message=redact_string(hit.reason),
        evidence=Evidence(hit.at, scrub(hit.value)),
        source="runtime",
        location=Location(hit.file, hit.line, hit.line) if hit.file else None,
        compliance=list(meta.compliance),
        remediation=dict(meta.remediation),
        references=list(meta.references),
        aliases=list(meta.aliases),
    )
