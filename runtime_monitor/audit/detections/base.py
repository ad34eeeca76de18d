"""What a detection is: rule metadata (the same `RuleMeta` as static rules, so reports and
SARIF describe it the same way), the reference check it implements (AUD-00x), and a
detector that sees the relevant events of one run and returns hits at the end.

Detectors aggregate: one hit per (subject, what happened), carrying the count, the first
and last time and where the first event is, never one finding per log line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rules.sdk import RuleMeta
from runtime_monitor.audit.declared import Declared, DeclaredAsset
from runtime_monitor.audit.event import AuditEvent, iso

AUDIT_TYPES = ("audit.aws", "audit.gcp", "audit.k8s")


@dataclass
class Hit:
    rule_id: str
    subject: str  # the resource uid the finding is about (an asset, a namespace, a notebook ARN)
    subject_type: str  # policy.asset | aws.sagemaker.notebook_instance | k8s.namespace | ...
    subject_name: str
    provider: str
    reason: str
    at: str  # evidence path: what about the subject (the principal, the network, the location)
    value: Any = None
    status: str = "fail"
    file: str | None = None
    line: int | None = None
    account: str | None = None
    region: str | None = None


@dataclass
class Context:
    declared: Declared
    providers: set[str]  # the logs given: aws, gcp, k8s
    granted: Any = None  # granted.Granted, when an inventory was given
    baseline: Any = None  # baseline.Baseline, when a store is used
    stats: Any = None  # problems.ReadStats of the run
    inventory: Any = None
    cluster: str | None = None  # the Kubernetes cluster's name in uids; "audit" when not given
    # Filled by the joiner for coverage: (asset uid, location) -> log types seen for it
    # (CloudTrail Data/Management, GCP data_access/activity, the K8s audit level), and
    # tenant namespaces where pod writes were logged without their requestObject.
    observed: dict = field(default_factory=dict)
    unlogged_pod_specs: dict = field(default_factory=dict)  # namespace -> (count, file, line)


class Detector:
    """Override `observe` (events that touch a declared asset, a tenant namespace or a
    watched action), `hits` (what is found so far: called after every poll in --follow,
    so it must not change what a later call sees) and, for detectors that learn,
    `commit` (write what was learned to the baseline store, once, at the end)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def observe(self, ev: AuditEvent, assets: list[tuple[DeclaredAsset, str]]) -> None:
        return None

    def hits(self) -> list[Hit]:
        return []

    def commit(self) -> None:
        return None

    def finish(self) -> list[Hit]:
        out = self.hits()
        self.commit()
        return out


@dataclass(frozen=True)
class Detection:
    meta: RuleMeta
    check: str  # the reference's check id (AUD-001 ...)
    factory: Callable[[Context], Detector]
    examples: str = ""  # the examples file beside the detections


DETECTIONS: list[Detection] = []


def detection(*, check: str, **meta: Any):
    """Register a Detector class with its metadata (id, title, severity, category, ...)."""

    def deco(cls):
        m = RuleMeta(
            applies_to=AUDIT_TYPES,
            provider="runtime",
            maturity=meta.pop("maturity", "incubating"),
            remediation=dict(meta.pop("remediation", {})),
            references=tuple(meta.pop("references", ())),
            aliases=tuple(meta.pop("aliases", ())),
            tags=("runtime", "audit", check),
            description=meta.pop("description", "") or (cls.__doc__ or "").strip(),
            **meta,
        )
        DETECTIONS.append(Detection(m, check, cls, f"{m.id}.yaml"))
        cls.meta = m
        return cls

    return deco


@dataclass
class Tally:
    """Aggregate of the events behind one hit."""

    count: int = 0
    first: float = 0.0
    last: float = 0.0
    where: tuple[str, int | None] = ("", None)
    actions: set = field(default_factory=set)
    addresses: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)

    def add(self, ev: AuditEvent) -> None:
        if self.count == 0 or ev.time < self.first:
            self.first = ev.time
            self.where = (ev.file, ev.line)
        self.last = max(self.last, ev.time)
        self.count += 1
        if len(self.actions) < 20:
            self.actions.add(ev.action)
        if len(self.addresses) < 20 and ev.source_ip:
            self.addresses.add(ev.source_ip)

    def evidence(self, **more: Any) -> dict:
        return {
            "events": self.count,
            "first_seen": iso(self.first),
            "last_seen": iso(self.last),
            "actions": sorted(self.actions),
            "source_addresses": sorted(self.addresses),
            **more,
        }
