"""The realistic corpora (fixtures/corpora): each scan gives exactly the findings in its
expected.yaml, every finding is explained, and every planted flaw that a rule covers is found.

Regenerate after rules change: `.venv/bin/python fixtures/corpora/update_expected.py`, then
review each `why: NEW - review` (fixtures/corpora/README.md)."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from conftest import REPO

CORPORA_DIR = REPO / "fixtures" / "corpora"
_spec = importlib.util.spec_from_file_location("corpora_update_expected", CORPORA_DIR / "update_expected.py")
ue = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = ue  # dataclasses look their module up by name
_spec.loader.exec_module(ue)

REGENERATE = ".venv/bin/python fixtures/corpora/update_expected.py"


def _line(e: dict) -> str:
    muted = " (muted)" if e.get("muted") else ""
    return f"  {e.get('status', ''):7} {e.get('rule')}  {e.get('resource')}  {e.get('path')}{muted}"


@pytest.fixture(scope="module")
def scanned() -> dict[str, tuple[list[dict], set[str]]]:
    return {name: ue.scan_with_uids(name) for name in ue.CORPORA}


@pytest.fixture(scope="module")
def scans(scanned) -> dict[str, list[dict]]:
    return {name: entries for name, (entries, _) in scanned.items()}


@pytest.mark.parametrize("name", ue.CORPORA)
def test_scan_matches_expected_exactly(name, scans):
    actual = {ue._key(e): e for e in scans[name]}
    expected = {ue._key(e): e for e in ue.load_expected(name)}
    assert expected, f"{name}/expected.yaml is missing or empty: run {REGENERATE}"
    new = [actual[k] for k in sorted(actual.keys() - expected.keys())]
    lost = [expected[k] for k in sorted(expected.keys() - actual.keys())]
    muted_changed = [
        actual[k]
        for k in sorted(actual.keys() & expected.keys())
        if bool(actual[k].get("muted")) != bool(expected[k].get("muted"))
    ]
    report = []
    if new:
        report += ["findings the scan reports that expected.yaml does not list (new, or false positives):"]
        report += [_line(e) for e in new]
    if lost:
        report += ["findings expected.yaml lists that the scan no longer reports (lost):"]
        report += [_line(e) for e in lost]
    if muted_changed:
        report += ["findings whose muted state changed:"] + [_line(e) for e in muted_changed]
    assert not report, (
        f"{name}: scan differs from expected.yaml\n"
        + "\n".join(report)
        + (f"\nIf the change is intended: {REGENERATE}, then review every 'why: NEW - review'.")
    )


@pytest.mark.parametrize("name", ue.CORPORA)
def test_every_expected_finding_is_reviewed(name):
    pending = [
        e for e in ue.load_expected(name) if not str(e.get("why") or "").strip() or e.get("why") == ue.NEW
    ]
    assert not pending, f"{name}: entries awaiting review (why: {ue.NEW}):\n" + "\n".join(map(_line, pending))


@pytest.mark.parametrize("name", ue.CORPORA)
def test_unplanned_findings_are_accepted_or_tracked_false_positives(name):
    """A finding that reports no planted flaw is either an accepted true positive or a false
    positive kept in expected.yaml and described in the README."""
    flaws = ue.load_intended(name)
    bad = []
    for e in ue.load_expected(name):
        why = str(e.get("why", ""))
        planted = any(ue.matches(f, e) for f in flaws)
        same_target = any(f.get("rule") == e["rule"] and f.get("resource") == e["resource"] for f in flaws)
        if planted:
            ok = why.startswith("intended")
        elif same_target and why.startswith("intended"):
            ok = True  # a planted flaw reported as UNKNOWN: counts against recall, not as a false positive
        else:
            ok = why.startswith("accepted") or (
                e.get("false_positive") is True and why.startswith("false positive")
            )
        if not ok:
            bad.append(f"{_line(e)}\n      why: {why}")
    assert not bad, (
        f"{name}: each finding that matches a planted flaw says 'intended: ...'; any other says "
        "'accepted: ...' or 'false positive ...' with false_positive: true\n" + "\n".join(bad)
    )


def test_false_positives_are_described_in_the_readme():
    text = (CORPORA_DIR / "README.md").read_text()
    section = text.split("## Known false positives", 1)[1] if "## Known false positives" in text else ""
    missing = sorted(
        {
            f"{name}: {e['rule']}"
            for name in ue.CORPORA
            for e in ue.load_expected(name)
            if e.get("false_positive") and f"`{e['rule']}`" not in section
        }
    )
    assert not missing, (
        "false positives not described under 'Known false positives' in the README:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("name", ue.CORPORA)
def test_intended_flaws_with_a_rule_are_found(name, scans):
    """Recall: every planted flaw whose rule is in the catalogue is reported as a failure."""
    s = ue.stats(name, scans[name])
    assert s.intended > 0
    allowed = {
        f"{f.get('id')} ({f.get('rule')})"
        for f in ue.load_intended(name)
        if any(
            f.get("rule") == e.get("rule")
            and f.get("resource") == e.get("resource")
            and str(e.get("why", "")).startswith("intended")
            for e in ue.load_expected(name)
        )
    }
    missed = [m for m in s.missed if m not in allowed]
    assert not missed, f"{name}: planted flaws not reported (recall {s.recall:.0%}): {missed}"


@pytest.mark.parametrize("name", ue.CORPORA)
def test_intended_flaws_name_real_resources(name, scanned):
    """An intended flaw names a resource the scan read (a typo would silently lower recall)."""
    uids = scanned[name][1]
    unknown = [
        f"{f.get('id')}: {f.get('resource')}" for f in ue.load_intended(name) if f.get("resource") not in uids
    ]
    assert not unknown, f"{name}: intended flaws name resources not in the scan: {unknown}"


def test_readme_statistics_are_current():
    table = ue.stats_table([ue.stats(n, ue.load_expected(n)) for n in ue.CORPORA])
    text = (CORPORA_DIR / "README.md").read_text()
    m = re.search(re.escape(ue.STATS_BEGIN) + r"\n(.*?)\n" + re.escape(ue.STATS_END), text, re.S)
    assert m, "README.md lacks the statistics markers"
    assert m.group(1) == table, f"README statistics are stale: run {REGENERATE}"
