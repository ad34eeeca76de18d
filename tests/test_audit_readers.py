"""Audit readers: CloudTrail files (whole and streamed, truncated), EventBridge lines, GCP
sink lines and gcloud arrays, Kubernetes audit lines; bad input counted with file and line;
S3 inputs through moto's server; --follow on a growing file; no secret in a report."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtime_monitor.audit import jsonstream
from runtime_monitor.audit.problems import MAX_SAMPLES_PER_REASON, ReadStats
from runtime_monitor.audit.readers import cloudtrail, read
from runtime_monitor.audit.sources import Input, local_inputs
from scanner.cli import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "audit"
DAY7 = FIX / "cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/07"


def _events(provider, path):
    stats = ReadStats()
    return list(read(provider, local_inputs(path), stats)), stats


def _mem(name: str, data: bytes) -> Input:
    return Input(name, lambda: io.BytesIO(data))


def test_cloudtrail_records_file_normalizes_the_event():
    events, stats = _events("aws", DAY7)
    assert stats.problems.counts == {} and stats.files["aws"] == 2
    stolen = [e for e in events if e.source_ip == "203.0.113.45" and e.outcome == "success"]
    e = stolen[0]
    assert e.principal == "arn:aws:iam::111122223333:role/fraud-training"  # the session folds into the role
    assert e.session.startswith("arn:aws:sts::111122223333:assumed-role/fraud-training/i-0f3c")
    assert e.action == "s3:GetObject" and e.log_type == "Data" and e.vpc_endpoint == ""
    assert e.resources[0].startswith("s3://ml-data-prod/credit/applications/part-")
    assert (
        e.bytes_out == 4194304 and e.event_version == "1.10" and e.raw_id and e.line is None and e.record >= 1
    )
    denied = [x for x in events if x.source_ip == "203.0.113.45" and x.outcome == "failure"]
    assert denied and denied[0].error_code == "AccessDenied"


def test_streaming_above_the_whole_file_limit_gives_the_same_events(monkeypatch):
    whole, _ = _events("aws", DAY7)
    monkeypatch.setattr(cloudtrail, "WHOLE_FILE_LIMIT", 1000)
    monkeypatch.setattr(jsonstream, "CHUNK", 777)  # records and keys split across chunks
    streamed, stats = _events("aws", DAY7)
    assert stats.problems.counts == {}
    assert [(e.raw_id, e.time, e.resources) for e in streamed] == [
        (e.raw_id, e.time, e.resources) for e in whole
    ]
    assert all(e.line == 1 for e in streamed)  # delivered files are one line


def test_truncated_gzip_keeps_the_records_before_the_damage():
    recs = [
        json.loads(json.dumps(r))
        for r in json.loads(gzip.decompress(next(DAY7.iterdir()).read_bytes()))["Records"]
    ]
    data = gzip.compress(json.dumps({"Records": recs}).encode())
    stats = ReadStats()
    events = list(read("aws", [_mem("cut.json.gz", data[: len(data) // 2])], stats))
    assert 0 < len(events) < len(recs)
    assert [e.raw_id for e in events] == [r["eventID"] for r in recs[: len(events)]]
    assert stats.problems.counts == {("cloudtrail", "truncated gzip"): 1}
    assert stats.problems.samples[0].file == "cut.json.gz"


def test_eventbridge_lines_and_bad_lines_are_counted_with_their_line():
    lines = (FIX / "cloudtrail/eventbridge/sagemaker-api-calls.jsonl").read_text().splitlines()
    lines.insert(1, '{"detail": {"eventVersion": "1.09"')
    lines.insert(2, '{"version":"0","detail-type":"Scheduled Event","detail":{}}')
    stats = ReadStats()
    events = list(read("aws", [_mem("eb.jsonl", ("\n".join(lines) + "\n").encode())], stats))
    assert len(events) == 4 and events[2].action == "sagemaker:CreatePresignedNotebookInstanceUrl"
    assert events[2].line == 5 and events[2].where == "eb.jsonl:5"
    assert events[2].resources == (
        "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/fraud-research",
    )
    assert [(p.reason, p.line) for p in stats.problems.samples] == [("malformed JSON", 2)]
    assert stats.skipped[("aws", "EventBridge event that is not a CloudTrail record")] == 1


def test_gcp_sink_lines_and_gcloud_array_read_the_same_fields():
    events, stats = _events("gcp", FIX / "gcp")
    assert stats.problems.counts == {}
    eve = [e for e in events if "eve" in e.principal]
    assert {e.principal for e in eve} == {"user:eve@example.com"}
    assert eve[0].resources[0].startswith("gs://ml-data-eu/credit/") and eve[0].log_type == "data_access"
    assert eve[0].line is not None and eve[0].file.endswith("gcloud-logging-read.json")
    assert any(e.outcome == "failure" and e.error_code == "7" for e in eve)
    sa = [e for e in events if e.principal.startswith("serviceAccount:credit-train@")]
    assert len(sa) == 80 and sa[0].source_ip == "10.132.0.14" and sa[0].user_agent.startswith("apitools")


def test_k8s_stages_deduplicate_and_request_objects_are_reduced():
    events, stats = _events("k8s", FIX / "k8s" / "audit.log")
    execs = [e for e in events if e.action == "create pods/exec"]
    assert [e.principal for e in execs] == ["alice@example.com", "dave@example.com"]
    assert stats.skipped[("k8s", "stage RequestReceived")] == 1
    pod = next(e for e in events if e.principal == "ci-deployer")
    assert pod.request == {"privileged": ["main"], "host_path": ["/"]} and pod.log_type == "Request"
    assert pod.resources == ("k8s:credit-prod/pods/debug-node",)
    meta = next(e for e in events if e.principal.endswith("job-controller"))
    assert meta.request == {"logged": False}
    assert stats.problems.counts == {("k8s-audit", "malformed JSON"): 1}


def test_bad_input_of_every_kind_is_counted_and_sampled_boundedly():
    good = json.loads((FIX / "k8s/audit.log").read_text().splitlines()[0])
    lines = ["not json"] * (MAX_SAMPLES_PER_REASON + 5)
    lines += [
        json.dumps({**good, "apiVersion": "audit.k8s.io/v2"}),
        json.dumps({**good, "user": {}}),
        json.dumps(good),
    ]
    stats = ReadStats()
    events = list(read("k8s", [_mem("a.log", "\n".join(lines).encode())], stats))
    assert len(events) == 1
    assert stats.problems.counts[("k8s-audit", "malformed JSON")] == MAX_SAMPLES_PER_REASON + 5
    assert stats.problems.counts[("k8s-audit", "unknown event version")] == 1
    assert stats.problems.counts[("k8s-audit", "record without a principal")] == 1
    errors = stats.problems.scan_errors()
    assert len(errors) == MAX_SAMPLES_PER_REASON + 2 + 1  # samples, then "5 more not listed"
    assert any("5 more not listed" in e.reason for e in errors)


def test_long_lines_are_skipped_not_loaded(monkeypatch):
    monkeypatch.setattr(jsonstream, "MAX_LINE_BYTES", 64)
    stats = ReadStats()
    data = (
        b'{"a": "' + b"x" * 500 + b'"}\n' + (FIX / "k8s/audit.log").read_bytes().splitlines()[0][:0] + b"{}\n"
    )
    list(read("k8s", [_mem("big.log", data)], stats))
    assert stats.problems.counts[("k8s-audit", "line too long")] == 1
    assert stats.problems.counts[("k8s-audit", "unknown event version")] == 1  # the next line was read


def test_s3_inputs_through_moto_server(tmp_path, monkeypatch):
    moto_server = pytest.importorskip("moto.server")
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        for k, v in {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            monkeypatch.setenv(k, v)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="org-trail")
        root = FIX / "cloudtrail"
        for f in sorted((root / "AWSLogs").rglob("*.json.gz")):
            s3.put_object(Bucket="org-trail", Key=str(f.relative_to(root)), Body=f.read_bytes())
        monkeypatch.chdir(FIX.parent.parent)
        local, remote = tmp_path / "local.json", tmp_path / "remote.json"
        base = ["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "-q", "--workers", "2"]
        CliRunner().invoke(
            main, [*base, "--cloudtrail", "fixtures/audit/cloudtrail/AWSLogs", "-o", f"json={local}"]
        )
        res = CliRunner().invoke(
            main, [*base, "--cloudtrail", "s3://org-trail/AWSLogs/", "-o", f"json={remote}"]
        )
        assert res.exit_code == 1, res.output
        a, b = json.loads(local.read_text()), json.loads(remote.read_text())

        def key(d):
            return sorted((f["rule_id"], f["resource"]["uid"], f["evidence"]["path"]) for f in d["findings"])

        assert key(a) == key(b) and key(b)
        assert any(
            f["location"] and f["location"]["file"].startswith("s3://org-trail/AWSLogs/")
            for f in b["findings"]
        )
        assert b["scan"]["sources"][0]["files"] == 18
        # a bucket that does not exist: a scan error naming it, not a crash
        res = CliRunner().invoke(
            main, [*base, "--cloudtrail", "s3://no-such-bucket/x", "-o", f"json={remote}"]
        )
        doc = json.loads(remote.read_text())
        assert (
            res.exit_code == 3 and "cannot list s3://no-such-bucket/x" in doc["scan"]["errors"][0]["reason"]
        )
    finally:
        server.stop()


def test_no_secret_reaches_a_report(tmp_path, monkeypatch):
    monkeypatch.chdir(FIX.parent.parent)
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    line = json.loads((FIX / "k8s/audit.log").read_text().splitlines()[0])
    line.update(user={"username": f"dave-{token}"}, verb="create", objectRef={
        "resource": "pods", "namespace": "fraud-prod", "name": "p", "subresource": "exec"}, responseStatus={"code": 101})  # fmt: skip
    log = tmp_path / "a.log"
    log.write_text(json.dumps(line) + "\n")
    out = tmp_path / "r.json"
    CliRunner().invoke(main, ["monitor", "audit", "--policy", "fixtures/audit/policy.yaml", "--k8s-audit", str(log),
                              "-q", "-o", f"json={out}", "-o", f"sarif={tmp_path / 'r.sarif'}"])  # fmt: skip
    text = out.read_text() + (tmp_path / "r.sarif").read_text()
    assert "audit-k8s-interactive-access-by-non-operator" in text
    assert token not in text
