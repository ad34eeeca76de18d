"""Daily volume from distinct events across runs; Kubernetes findings named with the
cluster; S3 listings and HeadObject as uses of a dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from runtime_monitor.audit.baseline import Baseline
from runtime_monitor.audit.declared import Declared
from runtime_monitor.audit.detections.access import DATA_READS, METADATA_READS
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.readers.cloudtrail import record_event
from runtime_monitor.policy import load_policy
from scanner.cli import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "audit"
DAYS = FIX / "cloudtrail" / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2026" / "11"
VOLUME = "audit-read-volume-above-baseline"


def test_baseline_counts_distinct_events_per_day(tmp_path):
    path = str(tmp_path / "b.sqlite")
    b = Baseline(path)
    b.add_events([("a", 1, "p", 10, 100), ("a", 2, "p", 10, 100)])
    b.close()
    b = Baseline(path)  # a later run: one event again (a replay), one new
    b.add_events([("a", 2, "p", 10, 100), ("a", 3, "p", 10, 50)])
    assert b.days("a", "p") == {10: (3, 250)}
    b.close_days(11)  # day 10 is folded into its total; its ids are dropped
    b.add_events([("a", 4, "p", 10, 1)])  # a straggler for a closed day is not counted
    assert b.days("a", "p") == {10: (3, 250)}
    b.close()


def _volume(args, tmp_path):
    out = tmp_path / "r.json"
    CliRunner().invoke(main, ["monitor", "audit", "--policy", str(FIX / "policy.yaml"), *args, "-q", "-o",
                              f"json={out}", "--workers", "1"])  # fmt: skip
    return [f["evidence"]["value"] for f in json.loads(out.read_text())["findings"] if f["rule_id"] == VOLUME]


def test_a_day_split_across_runs_adds_up_and_a_replay_adds_nothing(tmp_path):
    whole = _volume(["--cloudtrail", str(DAYS)], tmp_path)
    assert len(whole) == 1 and whole[0]["requests"] == 400
    early, part1, part2 = tmp_path / "early", tmp_path / "p1", tmp_path / "p2"
    for d in ("01", "02", "03", "04", "05", "06", "07"):
        shutil.copytree(DAYS / d, early / d)
    day8 = sorted((DAYS / "08").glob("*mlpos.json.gz"))
    assert len(day8) == 2
    part1.mkdir(), part2.mkdir()
    shutil.copy(day8[0], part1), shutil.copy(day8[1], part2)
    store = ["--baseline-store", str(tmp_path / "b.sqlite")]
    _volume(["--cloudtrail", str(early), *store], tmp_path)
    first = _volume(["--cloudtrail", str(part1), *store], tmp_path)
    assert first and first[0]["requests"] < 400  # half the day's reads so far
    second = _volume(["--cloudtrail", str(part2), *store], tmp_path)
    assert second[0]["requests"] == 400  # the two halves of the day, summed
    again = _volume(["--cloudtrail", str(part2), *store], tmp_path)
    assert again[0]["requests"] == 400  # a replay is not counted twice


def _k8s_subjects(tmp_path, *args, policy=FIX / "policy.yaml"):
    out = tmp_path / "k.json"
    CliRunner().invoke(main, ["monitor", "audit", "--policy", str(policy), "--k8s-audit",
                              str(FIX / "k8s" / "audit.log"), *args, "-q", "-o", f"json={out}"])  # fmt: skip
    return {
        f["resource"]["uid"]
        for f in json.loads(out.read_text())["findings"]
        if f["resource"]["uid"].startswith("k8s:")
    }


def test_kubernetes_findings_use_the_live_scan_uids(tmp_path):
    from scanner.normalize.k8s.namespace import namespace_uid

    assert _k8s_subjects(tmp_path) >= {"k8s:audit/fraud-prod/Namespace/fraud-prod"}
    named = _k8s_subjects(tmp_path, "--k8s-cluster", "prod-eks")
    assert namespace_uid("prod-eks", "fraud-prod") in named
    assert not [u for u in named if u.startswith("k8s:audit/")]
    text = (
        (FIX / "policy.yaml")
        .read_text()
        .replace(
            "k8s: {path: /var/log/kubernetes/audit.log, min_level: Request}",
            "k8s: {path: /var/log/kubernetes/audit.log, min_level: Request, cluster: gke-eu}",
        )
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    assert namespace_uid("gke-eu", "credit-prod") in _k8s_subjects(tmp_path, policy=policy)
    # the flag wins over the policy
    assert namespace_uid("cli", "credit-prod") in _k8s_subjects(
        tmp_path, "--k8s-cluster", "cli", policy=policy
    )


def _record(name, params):
    return {"eventVersion": "1.10", "eventTime": "2026-11-02T10:00:00Z", "eventSource": "s3.amazonaws.com",
            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "10.0.0.1", "userAgent": "x",
            "requestParameters": params, "eventID": "e1", "eventCategory": "Data", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/lister", "accountId": "111122223333"}}  # fmt: skip


def test_listings_and_head_object_are_uses_of_the_assets_they_touch():
    declared = Declared(load_policy(str(FIX / "policy.yaml")))
    stats = ReadStats()

    def assets(name, params):
        ev = record_event(_record(name, params), "f.json", None, 1, stats)
        return ev.action, sorted(d.asset.id for d, _ in declared.event_assets(ev))

    assert assets("ListObjects", {"bucketName": "ml-data-prod", "prefix": "credit/2026/"}) == (
        "s3:ListObjects", ["credit-applications"])  # fmt: skip
    assert assets("ListObjectsV2", {"bucketName": "ml-data-prod", "prefix": "fraud/"})[1] == [
        "fraud-transactions"
    ]
    assert assets("ListObjects", {"bucketName": "ml-data-prod"})[1] == []  # the whole bucket: no one asset
    assert assets("HeadObject", {"bucketName": "ml-data-prod", "key": "fraud/a.parquet"})[1] == [
        "fraud-transactions"
    ]
    # metadata reads are uses, but move no data: volume and network do not judge them
    assert {"s3:ListObjects", "s3:ListObjectsV2", "s3:HeadObject"} <= METADATA_READS
    assert not METADATA_READS & DATA_READS
