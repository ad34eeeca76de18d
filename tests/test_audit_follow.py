"""--follow reports continuously: a growing audit log in a subprocess, its JSON lines read as
they arrive; SIGTERM ends it cleanly with the reports written and the store committed."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIX = REPO / "fixtures" / "audit"
LINES = (FIX / "k8s" / "audit.log").read_text().splitlines()
BENIGN = LINES[0]
DAVE = next(x for x in LINES if "dave@example.com" in x and "ResponseComplete" in x)
WAIT = 60  # generous: a deadline for a line to arrive, not a timing claim


class Follower:
    def __init__(self, tmp_path: Path, log: Path, *more: str) -> None:
        self.report = tmp_path / "r.json"
        cmd = [sys.executable, "-m", "scanner.cli", "monitor", "audit", "--policy", "fixtures/audit/policy.yaml",
               "--k8s-audit", str(log), "--follow", "--poll-interval", "0.05", "--workers", "1",
               "-o", f"json={self.report}", *more]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def until(self, pred) -> list[dict]:
        """Lines up to and including the first that satisfies pred."""
        got = []
        while True:
            doc = self.lines.get(timeout=WAIT)
            assert doc is not None, f"stream ended early: {got} {self.proc.stderr.read()}"
            got.append(doc)
            if pred(doc):
                return got

    def stop(self, sig=signal.SIGTERM) -> tuple[int, list[dict]]:
        self.proc.send_signal(sig)
        rest = []
        while (doc := self.lines.get(timeout=WAIT)) is not None:
            rest.append(doc)
        return self.proc.wait(timeout=WAIT), rest


@pytest.fixture()
def follower(tmp_path):
    made = []

    def start(*args, **kw):
        f = Follower(tmp_path, *args, **kw)
        made.append(f)
        return f

    yield start
    for f in made:
        if f.proc.poll() is None:
            f.proc.kill()
            f.proc.wait()


def _append(log: Path, text: str) -> None:
    with log.open("a") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def test_each_new_finding_is_a_json_line_as_soon_as_it_is_read(tmp_path, follower):
    log = tmp_path / "audit.log"
    log.write_text(BENIGN + "\n")
    store = tmp_path / "base.sqlite"
    f = follower(log, "--baseline-store", str(store))
    first = f.until(lambda d: d["type"] == "pass")  # the benign line: blind spots only
    assert not [d for d in first if d["type"] == "finding" and d["status"] == "fail"]
    assert first[-1]["final"] is False and first[-1]["inputs_read"] == 1
    # half a line is not read (never a malformed-JSON error); completed, it is a finding
    _append(log, DAVE[: len(DAVE) // 2])
    _append(log, DAVE[len(DAVE) // 2 :] + "\n")
    got = f.until(lambda d: d["type"] == "pass" and d["new"] > 0)
    exec_ = [
        d
        for d in got
        if d["type"] == "finding" and d["rule_id"] == "audit-k8s-interactive-access-by-non-operator"
    ]
    assert len(exec_) == 1 and exec_[0]["location"]["start_line"] == 2  # numbered as in the file
    assert exec_[0]["evidence"]["path"] == "exec[dave@example.com]"
    assert not [d for d in got if d["type"] == "error"]
    # the same session again is not a new finding: a pass line with nothing new
    _append(log, BENIGN + "\n")
    again = f.until(lambda d: d["type"] == "pass")
    assert again[-1]["new"] == 0 and not [d for d in again if d["type"] == "finding"]
    # a malformed line is an error line with its file and line, and reading goes on
    _append(log, '{"kind":"Event", "auditID": \n')
    bad = f.until(lambda d: d["type"] == "pass")
    errors = [d for d in bad if d["type"] == "error"]
    assert len(errors) == 1 and f"{log}:4" in errors[0]["reason"]
    code, rest = f.stop()
    assert code == 0  # SIGTERM is a clean end, whatever was found
    assert rest[-1]["type"] == "pass" and rest[-1]["final"] is True
    doc = json.loads(f.report.read_text())  # the report written at the end
    assert any(x["rule_id"] == "audit-k8s-interactive-access-by-non-operator" for x in doc["findings"])
    assert store.exists()


def test_sigint_ends_cleanly_and_reports_are_rewritten_on_interval(tmp_path, follower):
    log = tmp_path / "audit.log"
    log.write_text(BENIGN + "\n" + DAVE + "\n")
    f = follower(log, "--report-interval", "1")
    f.until(
        lambda d: d["type"] == "finding" and d["rule_id"] == "audit-k8s-interactive-access-by-non-operator"
    )
    # the periodic rewrite happens while it runs, before any signal
    while not f.report.exists():
        _append(log, BENIGN + "\n")
        f.until(lambda d: d["type"] == "pass")
    assert json.loads(f.report.read_text())["findings"]
    code, rest = f.stop(signal.SIGINT)
    assert code == 0 and rest[-1]["final"] is True


def test_follow_duration_ends_with_the_gate_code(tmp_path):
    log = tmp_path / "audit.log"
    log.write_text(BENIGN + "\n" + DAVE + "\n")
    res = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "monitor", "audit", "--policy", "fixtures/audit/policy.yaml",
         "--k8s-audit", str(log), "--follow", "--follow-duration", "0", "--poll-interval", "0.05"],
        cwd=REPO, capture_output=True, text=True, timeout=WAIT,
    )  # fmt: skip
    assert res.returncode == 1, res.stderr  # a high finding, not ended by a signal
    docs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [d["type"] for d in docs].count("pass") == 2 and docs[-1]["final"] is True
    assert {d["rule_id"] for d in docs if d["type"] == "finding"} >= {
        "audit-k8s-interactive-access-by-non-operator"
    }


def test_follow_refuses_a_report_on_stdout():
    from click.testing import CliRunner

    from scanner.cli import main

    res = CliRunner().invoke(main, ["monitor", "audit", "--policy", str(FIX / "policy.yaml"), "--k8s-audit",
                                    str(FIX / "k8s"), "--follow", "-o", "json=-"])  # fmt: skip
    assert res.exit_code == 2 and "JSON lines to stdout" in res.output
    res = CliRunner().invoke(main, ["monitor", "audit", "--policy", str(FIX / "policy.yaml"), "--k8s-audit",
                                    str(FIX / "k8s"), "--report-interval", "5"])  # fmt: skip
    assert res.exit_code == 2 and "for --follow" in res.output
