"""Readers: one per log, each turning records into `AuditEvent`s and bad input into counted
problems (`ReadStats`). `read(provider, inputs, stats)` picks the reader."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from runtime_monitor.audit.event import AuditEvent
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.sources import Input


def read(provider: str, inputs: Iterable[Input], stats: ReadStats, want=None) -> Iterator[AuditEvent]:
    """`want` (CloudTrail only: `cloudtrail.Want`) skips building events nobody reads."""
    from runtime_monitor.audit.readers import cloudtrail, gcp_audit, k8s_audit

    reader = {"aws": cloudtrail.read_input, "gcp": gcp_audit.read_input, "k8s": k8s_audit.read_input}[
        provider
    ]
    more = (want,) if provider == "aws" and want is not None else ()
    for inp in inputs:
        stats.files[provider] += 1
        yield from reader(inp, stats, *more)
