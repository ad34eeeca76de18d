"""The fast paths of the audit monitor change nothing it reports: the CloudTrail prefilter
(records no detection reads never become events, yet are validated and counted), the
hand-parsed CloudTrail timestamps, the scratch baseline store and batched parallel reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_monitor.audit import run as audit_run
from runtime_monitor.audit.baseline import Baseline
from runtime_monitor.audit.declared import Declared
from runtime_monitor.audit.event import _parse_time, parse_time
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.readers import read
from runtime_monitor.audit.readers.cloudtrail import record_event
from runtime_monitor.audit.sources import inputs
from runtime_monitor.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "audit"


@pytest.mark.parametrize(
    "s",
    [
        "2026-11-02T08:15:00Z",
        "2026-11-02T23:59:59Z",
        "1969-12-31T23:59:59Z",
        "2024-02-29T12:00:00Z",
        "2026-11-02T24:00:00Z",  # invalid hour
        "2026-11-02T08:60:00Z",
        "2026-11-02T08:15:60Z",
        "2026-02-30T01:00:00Z",  # invalid date
        "2026-11-02T+1:15:00Z",
        "2026-11-02T\u0668\u0668:15:00Z",  # non-ASCII digits
        "2026-11-02T08:15:00z",
        "2026-11-02 08:15:00Z",
        "2026-11-02T08:15:00+02:00",
        "2026-11-02T08:15:00.123456789Z",
    ],
)
def test_cloudtrail_time_fast_path_agrees_with_fromisoformat(s):
    for _ in range(2):  # the second time the day is cached
        assert parse_time(s) == _parse_time(s)


def _records():
    return [
        {"eventVersion": "1.09", "eventTime": "2026-11-02T08:15:00Z", "eventSource": "ec2.amazonaws.com",
         "eventName": "DescribeInstances", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}},
        {"eventVersion": "2.0", "eventTime": "2026-11-02T08:15:00Z"},  # unknown version
        {"eventVersion": "1.09", "eventTime": "2026-11-02T08:15:00Z", "userIdentity": {}},  # no principal
        {"eventVersion": "1.09", "eventTime": "yesterday", "userIdentity": {"type": "IAMUser", "arn": "a"}},
        "not a record",
        {"eventVersion": "1.09", "eventTime": "2026-11-05T00:00:01Z", "eventSource": "s3.amazonaws.com",
         "eventName": "GetObject", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"},
         "requestParameters": {"bucketName": "elsewhere", "key": "k"}},
    ]  # fmt: skip


def test_records_nobody_reads_are_still_validated_and_counted():
    full, skipped = ReadStats(), ReadStats()
    built = [record_event(r, "f.json", None, i, full) for i, r in enumerate(_records(), 1)]
    none = [
        record_event(r, "f.json", None, i, skipped, lambda a, r: False) for i, r in enumerate(_records(), 1)
    ]
    assert sum(e is not None for e in built) == 2 and none == [None] * 6
    assert (full.records, full.events, full.first_time, full.last_time) == (
        skipped.records,
        skipped.events,
        skipped.first_time,
        skipped.last_time,
    )
    assert full.problems.counts == skipped.problems.counts and len(full.problems) == 4


def test_prefilter_keeps_every_relevant_cloudtrail_event():
    declared = Declared(load_policy(str(FIX / "policy.yaml")))
    want = audit_run.wanted(declared)
    spec = str(FIX / "cloudtrail")
    full, filtered = ReadStats(), ReadStats()
    every = list(read("aws", inputs(spec), full))
    kept = list(read("aws", inputs(spec), filtered, want))
    assert len(kept) < len(every)  # the fixtures hold records no detection reads
    relevant = list(audit_run.relevant_events(every, declared, None))
    assert relevant == list(audit_run.relevant_events(kept, declared, None))
    assert (full.records, full.events, full.first_time, full.last_time, full.problems.counts) == (
        filtered.records,
        filtered.events,
        filtered.first_time,
        filtered.last_time,
        filtered.problems.counts,
    )


def test_scratch_store_learns_like_a_file_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    b = Baseline.scratch()
    rows = [("a", 1, "p", 20000, 10), ("a", 1, "p", 20000, 10), ("a", 2, "p", 20000, 5)]
    b.add_events(rows)
    b.add_events(rows[:1])  # a replay is not counted again
    assert b.days("a", "p") == {20000: (2, 15)}
    b.close()
    assert list(tmp_path.iterdir()) == []


def test_batched_parallel_reading_keeps_file_order(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(audit_run, "BATCH_FILES", 1)
    policy = load_policy("fixtures/audit/policy.yaml")

    def result(workers):
        opts = audit_run.AuditOptions(
            cloudtrail=["fixtures/audit/cloudtrail"], k8s=["fixtures/audit/k8s/audit.log"], workers=workers
        )
        r = audit_run.run_audit(policy, opts)
        return [f.to_json() for f in r.findings], r.sources, [e.reason for e in r.errors]

    assert result(1) == result(3)


def test_parallel_reading_reads_the_inputs_given_not_the_files_again(tmp_path):
    # --follow hands over the appended tail of a file; a worker must not read it whole
    import io

    from runtime_monitor.audit.sources import Input

    src = (FIX / "k8s" / "audit.log").read_bytes().splitlines(keepends=True)
    files = []
    for n in range(2):
        f = tmp_path / f"audit-{n}.log"
        f.write_bytes(b"".join(src))
        tail = b"".join(src[10:])
        files.append(("k8s", Input(str(f), lambda tail=tail: io.BytesIO(tail), first_line=11)))
    policy = load_policy(str(FIX / "policy.yaml"))

    def result(workers):
        r = audit_run.AuditRun(policy, audit_run.AuditOptions(k8s=[str(tmp_path)], workers=workers))
        r.feed(files)
        out = r.close()
        return [f.to_json() for f in out.findings], out.sources, [e.reason for e in out.errors]

    one = result(1)
    assert one == result(2)
    assert one[1][0]["records"] == 2 * (len(src) - 10)
