"""The audit fixtures (fixtures/audit, README.md tells their stories) produce exactly their
expected findings and errors, through the CLI, in every report format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scanner.cli import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "audit"
ARGS = [
    "monitor", "audit", "--policy", "fixtures/audit/policy.yaml",
    "--cloudtrail", "fixtures/audit/cloudtrail", "--gcp-audit", "fixtures/audit/gcp",
    "--k8s-audit", "fixtures/audit/k8s/audit.log", "--inventory", "fixtures/audit/inventory.json",
]  # fmt: skip


@pytest.fixture()
def in_repo(monkeypatch):
    monkeypatch.chdir(FIX.parent.parent)


def _run(args, tmp_path, *more):
    out = tmp_path / "scan.json"
    res = CliRunner().invoke(main, [*args, "-o", f"json={out}", "-q", *more])
    doc = json.loads(out.read_text()) if out.exists() else None
    return res, doc


def _keys(doc):
    return sorted(
        (f["rule_id"], f["resource"]["uid"], f["evidence"]["path"], f["status"]) for f in doc["findings"]
    )


def test_fixtures_give_exactly_the_expected_findings_and_errors(in_repo, tmp_path):
    expected = yaml.safe_load((FIX / "expected.yaml").read_text())
    res, doc = _run(ARGS, tmp_path, "--workers", "1")
    assert res.exit_code == 1, res.output  # high findings
    want = sorted((e["rule"], e["subject"], e["evidence"], e["status"]) for e in expected["findings"])
    assert _keys(doc) == want
    errors = sorted((e["source"], e["reason"].split(" at ")[0], e["file"]) for e in doc["scan"]["errors"])
    assert errors == sorted((e["source"], e["reason"], e["file"]) for e in expected["errors"])
    # every error says where: a line (JSON lines) or a record (one-line CloudTrail files)
    assert all(" at fixtures/audit/" in e["reason"] for e in doc["scan"]["errors"])
    assert any(
        e["reason"].startswith("malformed JSON at fixtures/audit/k8s/audit.log:6")
        for e in doc["scan"]["errors"]
    )


def test_parallel_reading_gives_the_same_result(in_repo, tmp_path):
    _, one = _run(ARGS, tmp_path, "--workers", "1")
    _, two = _run(ARGS, tmp_path, "--workers", "2")
    assert _keys(one) == _keys(two)
    assert one["scan"]["sources"] == two["scan"]["sources"]


def test_stories_carry_their_evidence(in_repo, tmp_path):
    _, doc = _run(ARGS, tmp_path)
    by = {(f["rule_id"], f["evidence"]["path"]): f for f in doc["findings"]}
    stolen = by[
        ("audit-undeclared-asset-access", "principals[arn:aws:iam::111122223333:role/fraud-training]")
    ]
    assert stolen["evidence"]["value"]["source_addresses"] == ["203.0.113.45"]
    assert stolen["evidence"]["value"]["events"] == 12
    assert stolen["evidence"]["value"]["granted"] == "allow"  # the inventory's grant is broader than declared
    assert stolen["location"]["file"].endswith("20261107T1200Z_61mlpos.json.gz")
    assert stolen["source"] == "runtime" and stolen["category"] == "anomaly"
    exec_ = by[("audit-k8s-interactive-access-by-non-operator", "exec[dave@example.com]")]
    assert exec_["evidence"]["value"]["events"] == 1  # ResponseStarted and ResponseComplete: one session
    assert exec_["location"] == {"file": "fixtures/audit/k8s/audit.log", "start_line": 37, "end_line": 37}
    gaps = [f for f in doc["findings"] if f["rule_id"] == "audit-log-coverage-gap"]
    assert {f["status"] for f in gaps} == {"unknown"}
    assert any("does not log SageMaker InvokeEndpoint" in f["message"] for f in gaps)
    assert any("ml-archive-prod" in f["message"] and "data events" in f["message"] for f in gaps)
    # the salvaged start of the truncated delivery was read, not dropped
    ct = doc["scan"]["sources"][0]
    assert ct["dialect"] == "cloudtrail" and ct["files"] == 19 and ct["problems"] == 3
    assert ct["records"] > ct["events"] >= 1000


@pytest.mark.parametrize("fmt", ["sarif", "html", "md", "junit", "ocsf"])
def test_every_report_format_renders_the_audit(in_repo, tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    res = CliRunner().invoke(main, [*ARGS, "-o", f"{fmt}={out}", "-q"])
    assert res.exit_code == 1, res.output
    text = out.read_text().replace("\\", "")  # Markdown escapes punctuation
    assert "audit-undeclared-asset-access" in text or "Only the principals a policy declares" in text
    assert "fraud-training" in text


def test_exit_codes(in_repo, tmp_path):
    # only the coverage gaps and medium findings: below critical, but the input had errors -> 3
    res, _ = _run(ARGS, tmp_path, "--fail-on", "critical")
    assert res.exit_code == 3
    clean = tmp_path / "clean"
    (clean / "k8s").mkdir(parents=True)
    (clean / "k8s" / "audit.log").write_text((FIX / "k8s" / "audit.log").read_text().splitlines()[0] + "\n")
    res, doc = _run(["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "--k8s-audit",
                     str(clean / "k8s")], tmp_path)  # fmt: skip
    assert res.exit_code == 0, res.output  # only unknown blind spots: they never gate
    assert doc["findings"] and {f["status"] for f in doc["findings"]} == {"unknown"}
    res, _ = _run(["monitor", "audit", "--policy", "fixtures/audit/policy.yaml"], tmp_path)
    assert res.exit_code == 2 and "at least one" in res.output
    res, _ = _run(
        ["monitor", "audit", "--policy", "fixtures/audit/inventory.json", "--k8s-audit", "x"], tmp_path
    )
    assert res.exit_code == 2
    res, _ = _run(
        ["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "--k8s-audit", "nope/"], tmp_path
    )
    assert res.exit_code == 2 and "no such file" in res.output


def test_baseline_store_keeps_the_learning_window_between_runs(in_repo, tmp_path):
    days = FIX / "cloudtrail" / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2026" / "11"
    early, late = tmp_path / "early", tmp_path / "late"
    for d in ("01", "02", "03"):
        shutil.copytree(days / d, early / d)
    for d in ("07",):
        shutil.copytree(days / d, late / d)
    store = tmp_path / "baseline.sqlite"
    base = ["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "--baseline-store", str(store)]
    _, first = _run([*base, "--cloudtrail", str(early)], tmp_path)
    assert not [f for f in first["findings"] if f["rule_id"] == "audit-first-seen-asset-access"]
    _, second = _run([*base, "--cloudtrail", str(late)], tmp_path)
    seen = {
        f["evidence"]["path"] for f in second["findings"] if f["rule_id"] == "audit-first-seen-asset-access"
    }
    assert seen == {
        "first_seen.network[203.0.113.0/24]",
        "first_seen.principal[arn:aws:iam::111122223333:role/fraud-training]",
    }
    # without the store, day 7 alone is a learning window of its own: nothing is "new"
    _, alone = _run(
        ["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "--cloudtrail", str(late)], tmp_path
    )
    assert not [f for f in alone["findings"] if f["rule_id"] == "audit-first-seen-asset-access"]
    # and a replay of the same logs is not new again
    _, again = _run([*base, "--cloudtrail", str(late)], tmp_path)
    assert not [f for f in again["findings"] if f["rule_id"] == "audit-first-seen-asset-access"]


def test_since_drops_older_events(in_repo, tmp_path):
    _, doc = _run([*ARGS, "--since", "2026-11-07T12:00:00Z"], tmp_path)
    rules = {f["rule_id"] for f in doc["findings"]}
    assert "audit-undeclared-asset-access" in rules  # eve's GCS reads are on the 7th at 20:05
    assert not [f for f in doc["findings"] if "fraud-training" in f["evidence"]["path"] and
                f["rule_id"] == "audit-undeclared-asset-access"]  # fmt: skip
