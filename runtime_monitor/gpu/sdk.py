"""How a GPU-node check is declared: a small pure function over the pass's `NodeView` with
the same metadata as a static rule (`rules.sdk.RuleMeta`), so SARIF and HTML carry rule
help for runtime findings too. A check yields an `Outcome` per subject it looked at, passes
included, so a pass can count what it checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rules.sdk import RuleMeta
from scanner.model.finding import CATEGORIES, SEVERITIES

SUBJECT_TYPES = ("runtime.node", "runtime.gpu", "runtime.mig_device", "runtime.gpu_process", "k8s.pod")


@dataclass(frozen=True, slots=True)
class Subject:
    type: str  # one of SUBJECT_TYPES
    id: str  # GPU/MIG UUID, node name, PID, namespace/name
    name: str


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # pass | fail | warn | na
    subject: Subject
    reason: str = ""
    at: str = ""  # snapshot path of the evidence
    value: Any = None
    policy_path: str = ""  # what in the policy it was judged against
    tenant: str | None = None
    gpu: str | None = None  # GPU UUID, for per-GPU metrics
    pod: tuple[str, str] | None = None  # (namespace, name): declared exceptions apply to pods


def passed(subject: Subject, **kw) -> Outcome:
    return Outcome("pass", subject, **kw)


def failed(subject: Subject, reason: str, **kw) -> Outcome:
    return Outcome("fail", subject, reason, **kw)


def warned(subject: Subject, reason: str, **kw) -> Outcome:
    return Outcome("warn", subject, reason, **kw)


def not_applicable(subject: Subject, record: dict, at: str, **kw) -> Outcome:
    """The call behind the check could not answer (record: a nvml.na() dict)."""
    from runtime_monitor.gpu.nvml import na_reason

    return Outcome("na", subject, na_reason(record) if "call" in record else str(record), at, record, **kw)


@dataclass(frozen=True)
class Check:
    meta: RuleMeta
    fn: Callable[..., Iterable[Outcome]]
    sources: tuple[str, ...]  # N (NVML), P (PodResources), K (Kubernetes API), F (node files)

    @property
    def id(self) -> str:
        return self.meta.id


CHECKS: list[Check] = []


def check(
    *,
    id: str,
    title: str,
    severity: str,
    category: str = "isolation",
    sources: str,
    remediation: dict[str, str],
    risk: str = "",
    references: tuple[str, ...] = (),
    applies_to: tuple[str, ...] = ("runtime.gpu",),
):
    if severity not in SEVERITIES or category not in CATEGORIES:
        raise ValueError(f"{id}: bad severity or category")

    def deco(fn):
        meta = RuleMeta(
            id=id,
            title=title,
            severity=severity,
            category=category,
            applies_to=applies_to,
            description=(fn.__doc__ or "").strip(),
            risk=risk,
            remediation=dict(remediation),
            references=tuple(references),
            provider="runtime",
            tags=("runtime", "gpu"),
        )
        CHECKS.append(Check(meta, fn, tuple(sources)))
        return fn

    return deco
