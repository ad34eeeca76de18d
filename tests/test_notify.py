"""Notifications (`--notify-webhook`, `--notify-slack`) against a real HTTP receiver on
loopback, and our own deployment manifests scanned by our own rules."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import json_report_errors, make_finding

from scanner.cli import main
from scanner.model.finding import ScanResult
from scanner.notify import MAX_LISTED, Target, notify, slack_payload

ROOT = Path(__file__).parent.parent
NB_RULE = "sagemaker-notebook-no-direct-internet"
FLAWED_NB = (
    'resource "aws_sagemaker_notebook_instance" "{name}" {{\n'
    '  name          = "{name}"\n  role_arn      = "arn:aws:iam::123456789012:role/x"\n'
    '  instance_type = "ml.t3.medium"\n  direct_internet_access = "Enabled"\n}}\n'
)


class Receiver:
    """A ThreadingHTTPServer on 127.0.0.1:0 that records every request body."""

    def __init__(self, status: int = 200, location: str | None = None):
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                outer.paths.append(self.path)
                outer.bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/SECRET-TOKEN"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("MLPOSTURE_STORE", raising=False)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _tree(tmp_path, *names):
    tf = tmp_path / "tf"
    tf.mkdir(exist_ok=True)
    for n in names:
        (tf / f"{n}.tf").write_text(FLAWED_NB.format(name=n))
    return tf


def test_generic_json_shape_and_severity_filter(tmp_path):
    tf = _tree(tmp_path, "a")
    out = tmp_path / "r.json"
    with Receiver() as rx:
        r = run("scan", "iac", str(tf), "-q", "--notify-webhook", rx.url, "-o", f"json={out}")
        r_med = run(
            "scan", "iac", str(tf), "-q", "--notify-webhook", rx.url, "--notify-min-severity", "medium"
        )
    assert r.exit_code == 1 and r_med.exit_code == 1
    assert len(rx.bodies) == 2
    body = rx.bodies[0]
    assert set(body) >= {"tool", "scan_id", "summary", "findings"}
    assert body["tool"]["name"] == "mlposture"
    assert [f["rule_id"] for f in body["findings"]] == [NB_RULE]  # default: high and above
    f = body["findings"][0]
    assert set(f) == {"fingerprint", "rule_id", "severity", "resource", "location", "message"}
    assert f["location"]["file"].endswith("a.tf")
    sevs = {f["severity"] for f in rx.bodies[1]["findings"]}
    assert sevs == {"high", "medium"}
    doc = json.loads(out.read_text())
    assert json_report_errors(doc) == []
    (n,) = doc["scan"]["notifications"]
    assert n["status"] == "delivered" and n["http_status"] == 200 and n["kind"] == "webhook"
    assert "SECRET-TOKEN" not in out.read_text()  # the webhook path is a credential


def test_slack_format_escapes_and_bounds():
    fs = [
        make_finding(NB_RULE, "tf:aws_sagemaker_notebook_instance.<script>alert(1)</script>&x", "p"),
        *(make_finding(NB_RULE, f"tf:aws_sagemaker_notebook_instance.n{i}", "p") for i in range(60)),
    ]
    res = ScanResult("scan-1", "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", ["x"], fs, [], [], 1, 1, 1, 0)
    with Receiver() as rx:
        (o,) = notify(res, [Target("slack", rx.url)], "high")
    assert o["status"] == "delivered"
    (body,) = rx.bodies
    assert set(body) == {"text", "blocks"}
    text = json.dumps(body)
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp;x" in text
    lines = [ln for b in body["blocks"][1:] if b["type"] == "section" for ln in b["text"]["text"].split("\n")]
    assert len(lines) == MAX_LISTED
    assert body["blocks"][-1]["elements"][0]["text"] == "and 11 more"
    assert len(body["blocks"]) <= 50 and all(
        len(b.get("text", {}).get("text", "")) <= 3000 for b in body["blocks"]
    )
    assert slack_payload(res, [], "high")["blocks"][0]["text"]["text"].startswith("*mlposture")


def test_only_new_findings_against_baseline(tmp_path):
    tf = _tree(tmp_path, "a")
    first = tmp_path / "first.json"
    run("scan", "iac", str(tf), "-q", "-o", f"json={first}")
    _tree(tmp_path, "b")
    with Receiver() as rx:
        r = run("scan", "iac", str(tf), "-q", "--baseline", str(first), "--notify-webhook", rx.url)
    assert r.exit_code == 1
    (body,) = rx.bodies
    assert [f["resource"]["name"] for f in body["findings"]] == ["b"]


def test_only_new_findings_against_previous_stored_scan(tmp_path):
    tf = _tree(tmp_path, "a")
    store = f"sqlite:///{tmp_path / 'h.db'}"
    with Receiver() as rx:
        run("scan", "iac", str(tf), "-q", "--store", store, "--notify-webhook", rx.url)
        _tree(tmp_path, "b")
        run("scan", "iac", str(tf), "-q", "--store", store, "--notify-webhook", rx.url)
        run("scan", "iac", str(tf), "-q", "--store", store, "--notify-webhook", rx.url)
    names = [[f["resource"]["name"] for f in b["findings"]] for b in rx.bodies]
    assert names == [["a"], ["b"], []]


def test_receiver_500_keeps_exit_code_and_records_failure(tmp_path):
    tf = _tree(tmp_path, "a")
    out = tmp_path / "r.json"
    with Receiver(status=500) as rx:
        r = CliRunner().invoke(
            main, ["scan", "iac", str(tf), "-q", "--notify-slack", rx.url, "-o", f"json={out}"]
        )
    assert r.exit_code == 1  # the findings decide, not the webhook
    assert len(rx.bodies) == 1  # no retry loop
    assert "notification" in r.output and "failed" in r.output
    (n,) = json.loads(out.read_text())["scan"]["notifications"]
    assert n["status"] == "failed" and n["http_status"] == 500 and n["kind"] == "slack"
    # and a clean tree still passes with a failing webhook
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "x.tf").write_text("")
    with Receiver(status=500) as rx:
        assert run("scan", "iac", str(clean), "-q", "--notify-webhook", rx.url).exit_code == 0


def test_unreachable_port_fails_quickly(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    tf = _tree(tmp_path, "a")
    out = tmp_path / "r.json"
    t0 = time.monotonic()
    r = CliRunner().invoke(
        main,
        ["scan", "iac", str(tf), "-q", "--notify-webhook", f"http://127.0.0.1:{port}/x", "-o", f"json={out}"],
    )
    assert time.monotonic() - t0 < 10
    assert r.exit_code == 1
    (n,) = json.loads(out.read_text())["scan"]["notifications"]
    assert n["status"] == "failed" and n["http_status"] is None and n["error"]


def test_redirects_are_not_followed_and_requests_are_bounded(tmp_path):
    tf = _tree(tmp_path, "a")
    out = tmp_path / "r.json"
    with Receiver(status=302, location="file:///etc/passwd") as rx:
        url = rx.url
        r = run(
            "scan",
            "iac",
            str(tf),
            "-q",
            "--notify-webhook",
            url,
            "--notify-webhook",
            url,
            "-o",
            f"json={out}",
        )
    assert r.exit_code == 1
    assert len(rx.bodies) == 2  # one POST per URL, nothing followed
    ns = json.loads(out.read_text())["scan"]["notifications"]
    assert [n["http_status"] for n in ns] == [302, 302] and {n["status"] for n in ns} == {"failed"}


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "http://"])
def test_only_http_urls(tmp_path, url):
    tf = _tree(tmp_path, "a")
    assert run("scan", "iac", str(tf), "-q", "--notify-webhook", url).exit_code == 2


def test_mlposture_store_env_is_the_default_store(tmp_path, monkeypatch):
    tf = _tree(tmp_path, "a")
    db = tmp_path / "env.db"
    monkeypatch.setenv("MLPOSTURE_STORE", f"sqlite:///{db}")
    run("scan", "iac", str(tf), "-q")
    r = run("history", "list", "--format", "json")
    assert len(json.loads(r.output)) == 1


# -- deploy/: eat our own cooking ---------------------------------------------------------------


def test_our_deployment_passes_our_kubernetes_rules(tmp_path):
    out = tmp_path / "deploy.json"
    r = run("scan", "iac", str(ROOT / "deploy" / "k8s"), "-q", "-o", f"json={out}", "--fail-on", "high")
    doc = json.loads(out.read_text())
    assert doc["summary"]["resources"] >= 2 and not doc["scan"]["errors"]
    bad = [f["rule_id"] for f in doc["findings"] if f["severity"] in ("critical", "high")]
    assert bad == [] and r.exit_code == 0
    docs = [
        d for p in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")) for d in yaml.safe_load_all(p.read_text())
    ]
    kinds = {d["kind"] for d in docs}
    assert {"CronJob", "Job", "ServiceAccount"} <= kinds
    sa = next(d for d in docs if d["kind"] == "ServiceAccount")
    assert "eks.amazonaws.com/role-arn" in sa["metadata"]["annotations"]
    job = next(d for d in docs if d["kind"] == "Job")
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] >= 2
    args = job["spec"]["template"]["spec"]["containers"][0]["args"]
    # each pod scans its own shard of the organization's accounts: --shard INDEX/completions
    assert args[:2] == ["scan", "aws"]
    assert args[args.index("--shard") + 1] == f"$(JOB_COMPLETION_INDEX)/{job['spec']['completions']}"


def test_nightly_workflow_parses():
    wf = yaml.safe_load((ROOT / "deploy" / "github" / "nightly.yml").read_text())
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads `on` as true
    assert on["schedule"][0]["cron"]
    steps = wf["jobs"]["scan"]["steps"]
    assert any("upload-sarif" in s.get("uses", "") for s in steps)
    assert any("mlposture scan" in s.get("run", "") for s in steps)
