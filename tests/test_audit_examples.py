"""Every audit detection's own examples (runtime_monitor/audit/detections/examples) give
the outcome they declare, and every detection has a passing and a failing example."""

from __future__ import annotations

import pytest

from runtime_monitor.audit.detections import DETECTIONS
from runtime_monitor.audit.examples import load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.detection.meta.id}:{c.name}" for c in CASES])
def test_example(case):
    hits = run_case(case)
    if case.expect == "pass":
        assert hits == [], [h.reason for h in hits]
    else:
        assert hits, f"{case.name}: expected {case.expect}, got nothing"
        assert {h.status for h in hits} == {case.expect}, [(h.status, h.reason) for h in hits]
        for h in hits:
            assert h.reason and h.at and h.subject


def test_every_detection_has_examples_of_both_outcomes():
    names = {d.meta.id: set() for d in DETECTIONS}
    for c in CASES:
        names[c.detection.meta.id].add("pass" if c.expect == "pass" else "fail")
    missing = {k: {"pass", "fail"} - v for k, v in names.items() if {"pass", "fail"} - v}
    # audit-log-coverage-gap only ever says unknown; its "pass" is the fixture set's covered buckets
    missing.pop("audit-log-coverage-gap", None)
    assert not missing, missing


def test_detection_metadata_follows_rule_conventions():
    from rules.sdk import ID_RE

    ids = [d.meta.id for d in DETECTIONS]
    assert len(ids) == len(set(ids))
    for d in DETECTIONS:
        assert ID_RE.match(d.meta.id) and d.meta.id.startswith("audit-")
        assert d.meta.title[0].isupper() and not d.meta.title.endswith(".")
        assert d.check.startswith(("AUD-", "K8S-"))
        assert d.meta.remediation, d.meta.id
