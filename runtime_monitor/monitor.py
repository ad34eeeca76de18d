"""One monitor pass: a node snapshot and the declared policy in, a `ScanResult` out, the
same result every scan produces, so every report format and the gate work unchanged.

What a check could not decide ("not applicable": the GPU lacks the feature, the driver is
too old, the agent lacks a privilege, a source was unreachable) follows the policy's
`defaults.not_supported`: fail (a failing finding), warn (an `unknown` finding) or ignore
(no finding). Every one of them is recorded in the result's source entry either way."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from runtime_monitor.gpu.checks import all_checks
from runtime_monitor.gpu.sdk import Check, Outcome
from runtime_monitor.gpu.view import build_view
from runtime_monitor.policy import RuntimePolicy
from scanner import __version__
from scanner.model.finding import (
    Evidence,
    Finding,
    FindingResource,
    Location,
    ScanError,
    ScanResult,
    fingerprint,
)
from scanner.secrets import redact_string

WARN_SEVERITY = "low"  # a "warn" outcome (pending change, unattributed process under warn)


@dataclass
class PassStats:
    """What the metrics endpoint exports after a pass."""

    violations: Counter = field(default_factory=Counter)  # (check, tenant, gpu, severity) -> n
    not_applicable: Counter = field(default_factory=Counter)  # check -> n
    finished_at: float = 0.0
    gpu_tenants: dict[str, list[str]] = field(default_factory=dict)  # GPU UUID -> tenants now (state file)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _resource(node: str, o: Outcome) -> FindingResource:
    s = o.subject
    if s.type == "k8s.pod":
        ns, name = s.id.split("/", 1)
        return FindingResource(f"k8s:{node}/{ns}/Pod/{name}", s.type, s.name, "k8s")
    return FindingResource(f"gpu-node:{node}/{s.id}", s.type, s.name, "nvidia")


def _finding(
    check: Check, o: Outcome, node: str, policy: RuntimePolicy, status: str, severity: str
) -> Finding:
    meta = check.meta
    res = _resource(node, o)
    judged = f" (policy: {o.policy_path})" if o.policy_path else ""
    where = "" if o.subject.type == "runtime.node" else f" on node {node}"
    if status == "unknown":
        message = f"{o.subject.name}{where} could not be checked: {o.reason}{judged}"
    else:
        message = f"{o.subject.name}{where}: {o.reason}{judged}"
    line = policy.line_of(o.policy_path) if o.policy_path else None
    return Finding(
        fingerprint=fingerprint(meta.id, res.uid, o.at),
        rule_id=meta.id,
        title=meta.title,
        severity=severity,
        status=status,
        category=meta.category,
        resource=res,
        message=redact_string(message),
        evidence=Evidence(o.at, o.value),
        source="runtime",
        location=Location(policy.file, line, line) if line else None,
        remediation=dict(meta.remediation),
        references=list(meta.references),
    )


def evaluate(
    snapshot: dict,
    policy: RuntimePolicy,
    *,
    today: str | None = None,
    previous_tenants: dict[str, list[str]] | None = None,
) -> tuple[ScanResult, PassStats]:
    """previous_tenants: GPU UUID -> tenants at the last pass (the state file), None on a first pass."""
    started = _now()
    today = today or started.date().isoformat()
    view = build_view(snapshot, policy, previous_tenants)
    checks = all_checks()
    findings: list[Finding] = []
    stats = PassStats(gpu_tenants=view.tenants_by_gpu())
    na_records: list[dict] = []
    evaluated = passed = 0
    mode = policy.defaults.not_supported
    for c in checks:
        for o in c.fn(view):
            evaluated += 1
            if o.status == "pass":
                passed += 1
                continue
            if o.status == "na":
                stats.not_applicable[c.id] += 1
                na_records.append(
                    {"check": c.id, "subject": o.subject.id, "reason": o.reason, "handled_as": mode}
                )
                if mode == "ignore":
                    continue
                status, severity = (
                    ("fail", c.meta.severity) if mode == "fail" else ("unknown", c.meta.severity)
                )
            else:
                status, severity = "fail", c.meta.severity if o.status == "fail" else WARN_SEVERITY
            f = _finding(c, o, view.node, policy, status, severity)
            if o.pod is not None:
                exc = policy.is_exception(c.id, o.pod[0], o.pod[1], today)
                if exc is not None:
                    f.muted, f.mute_reason = True, f"declared exception ({exc.path}): {exc.reason}"
            if status == "fail" and not f.muted:
                stats.violations[(c.id, o.tenant or "", o.gpu or "", severity)] += 1
            findings.append(f)
    errors = [
        ScanError(source=e.get("source", "gpu"), reason=e.get("reason", ""), unscanned=e.get("unscanned", ""))
        for e in snapshot.get("errors") or []
    ]
    finished = _now()
    stats.finished_at = finished.timestamp()
    result = ScanResult(
        scan_id=str(uuid.uuid4()),
        started_at=_iso(started),
        finished_at=_iso(finished),
        targets=[f"gpu-node:{view.node}"],
        findings=findings,
        errors=errors,
        sources=[
            {
                "dialect": "gpu-node",
                "node": view.node,
                "policy": policy.file,
                "snapshot_taken_at": snapshot.get("taken_at"),
                "resources": len(view.gpus) + len(view.migs) + len(view.pods_by_ref),
                "gpus": len(view.gpus),
                "mig_devices": len(view.migs),
                "gpu_processes": len(view.processes),
                "not_applicable": na_records,
            }
        ],
        resources=len(view.gpus) + len(view.migs) + len(view.pods_by_ref),
        rules_evaluated=len(checks),
        checks=evaluated,
        passed=passed,
        rules={c.id: c.meta.to_json() for c in checks},
        tool_version=__version__,
    )
    return result, stats
