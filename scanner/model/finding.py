"""Findings and the result of a scan: the one output of every analysis (rules, graph,
runtime). Reporters only format a ScanResult; the gate alone reads it for an exit code."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info=0 .. critical=4
STATUSES = ("fail", "unknown", "error")
CATEGORIES = (
    "iam",
    "network",
    "secrets",
    "logging",
    "encryption",
    "isolation",
    "privilege-path",
    "anomaly",
    "supply-chain",
    "availability",
    "governance",
)
CONFIDENCES = ("certain", "conditional", "requires-resource")


def _fields(obj) -> dict:
    """The fields of a slotted dataclass as a shallow dict."""
    return {name: getattr(obj, name) for name in obj.__slots__}


def fingerprint(rule_id: str, resource_uid: str, evidence_path: str) -> str:
    """Stable across runs and line moves: it hashes what the problem is, not where it sits."""
    h = hashlib.sha256(f"{rule_id}\x1f{resource_uid}\x1f{evidence_path}".encode())
    return h.hexdigest()[:32]


@dataclass(slots=True)
class Location:
    file: str
    start_line: int | None = None
    end_line: int | None = None


@dataclass(slots=True)
class Evidence:
    path: str  # attribute path on the resource, e.g. containers[0].security_context.privileged
    value: Any = None  # the observed value; secrets already redacted
    provenance: str = "explicit"  # explicit | default | unresolved


@dataclass(slots=True)
class PathStep:
    """One step of a privilege path: a node and the edge that leads on from it."""

    node: str
    node_type: str = ""
    technique: str | None = None
    permissions: list[str] = field(default_factory=list)
    location: Location | None = None
    note: str = ""


def split_paths(steps: list) -> list[list]:
    """The paths of a privilege-path finding. `Finding.path` lists every distinct shortest
    path from one start, one after another; each begins again at the start node. Works on
    `PathStep`s and on their JSON dicts."""

    def node(s):
        return s["node"] if isinstance(s, dict) else s.node

    paths: list[list] = []
    for s in steps:
        if not paths or node(s) == node(steps[0]):
            paths.append([])
        paths[-1].append(s)
    return paths


@dataclass(slots=True)
class FindingResource:
    uid: str
    type: str
    name: str
    provider: str
    account: str | None = None
    region: str | None = None


@dataclass(slots=True)
class Finding:
    fingerprint: str
    rule_id: str
    title: str
    severity: str
    status: str
    category: str
    resource: FindingResource
    message: str
    evidence: Evidence
    source: str  # iac | live | runtime
    location: Location | None = None
    path: list[PathStep] = field(default_factory=list)
    confidence: str = "certain"
    muted: bool = False
    mute_reason: str | None = None
    compliance: list[str] = field(default_factory=list)
    remediation: dict[str, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # With --diff-base: whether the finding's file changed since the base (only those gate);
    # None when the scan was not diff-aware.
    in_diff: bool | None = None

    def to_json(self) -> dict:
        # Built by hand: dataclasses.asdict deep-copies every value and dominated report time.
        d = {
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "category": self.category,
            "resource": _fields(self.resource),
            "message": self.message,
            "evidence": _fields(self.evidence),
            "source": self.source,
        }
        if self.location is not None:
            d["location"] = _fields(self.location)
        if self.path:
            d["path"] = [
                {**_fields(s), "location": _fields(s.location) if s.location else None} for s in self.path
            ]
        d.update(
            confidence=self.confidence,
            muted=self.muted,
            mute_reason=self.mute_reason,
            compliance=list(self.compliance),
            remediation=dict(self.remediation),
            references=list(self.references),
            aliases=list(self.aliases),
        )
        if self.in_diff is not None:
            d["in_diff"] = self.in_diff
        return d

    @classmethod
    def from_json(cls, d: dict) -> Finding:
        d = dict(d)
        d["resource"] = FindingResource(**d["resource"])
        d["evidence"] = Evidence(**d["evidence"])
        if d.get("location"):
            d["location"] = Location(**d["location"])
        steps = []
        for s in d.get("path") or []:
            s = dict(s)
            if s.get("location"):
                s["location"] = Location(**s["location"])
            steps.append(PathStep(**s))
        d["path"] = steps
        return cls(**d)


@dataclass(slots=True)
class ScanError:
    """Something the scan could not see: a file that did not parse, an API that denied
    access. `unscanned` names exactly what was left out, so it never counts as passing."""

    source: str  # terraform | cloudformation | kubernetes | terraform-plan | discovery | aws | ...
    reason: str
    file: str | None = None
    unscanned: str = ""

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None,)}


@dataclass
class Comparison:
    """This scan against a baseline, by fingerprint: what is new, what was fixed (gone
    since the baseline), and what persists. Fixed findings are kept as the baseline
    recorded them (JSON), since the current scan no longer has them."""

    baseline: str  # where the baseline came from (a path) or its scan id
    new: list[str] = field(default_factory=list)
    persisting: list[str] = field(default_factory=list)
    fixed: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "baseline": self.baseline,
            "new": self.new,
            "persisting": self.persisting,
            "fixed": self.fixed,
        }

    @classmethod
    def from_json(cls, d: dict) -> Comparison:
        return cls(
            d.get("baseline", ""),
            list(d.get("new", [])),
            list(d.get("persisting", [])),
            list(d.get("fixed", [])),
        )


@dataclass
class ScanResult:
    scan_id: str
    started_at: str
    finished_at: str
    targets: list[str]
    findings: list[Finding]
    errors: list[ScanError]
    sources: list[dict]  # [{"dialect": "terraform", "files": n, "resources": n}]
    resources: int
    rules_evaluated: int
    checks: int  # (rule, resource) pairs evaluated
    passed: int
    rules: dict[str, dict] = field(default_factory=dict)  # rule id -> metadata (for SARIF, reports)
    tool_version: str = ""
    # The directory that finding and error files are relative to: POSIX, relative to the
    # working directory of the scan (the repository root in CI), or absolute when outside it.
    root: str = ""
    comparison: Comparison | None = None  # against a baseline, when one was given
    # With --compliance: per-requirement status (rules.compliance.requirement_status)
    compliance: dict | None = None
    # With --report-unused-suppressions: suppressions that matched no finding
    # ({kind, rule, resource, where, expires?}, scanner.suppress.unused_suppressions)
    unused_suppressions: list[dict] | None = None
    # With --diff-base: the git ref the scan was compared with; only findings with
    # in_diff true gate
    diff_base: str | None = None
    # With --notify-*: per webhook, delivered or failed (scanner.notify)
    notifications: list[dict] | None = None

    @property
    def incomplete(self) -> bool:
        return bool(self.errors) or any(f.status == "error" for f in self.findings)
