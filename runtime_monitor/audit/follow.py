"""--follow: keep reading what is appended to local files, in a bounded poll loop, and
report continuously.

JSON-lines files (Kubernetes audit, EventBridge, GCP sink exports) are read on from where
the last poll stopped, up to their last complete line; a file that shrank was rotated
and is read again from the start. Gzipped and single-document files (CloudTrail as
delivered) are immutable once written: each is read once, when it appears.

After every poll that read something, stdout gets one JSON line per finding not reported
before (``{"type": "finding", ...}``), per finding no longer found (``"cleared"``: a blind
spot the logs now cover, an unused grant now used), per new input problem (``"error"``),
then a ``{"type": "pass", ...}`` summary. Reports (-o) are rewritten every
``report_interval`` seconds when given, and always at the end. SIGTERM and SIGINT end the
loop after the current poll; the baseline store is committed and the reports written."""

from __future__ import annotations

import io
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from runtime_monitor.audit.run import AuditOptions, AuditRun
from runtime_monitor.audit.sources import Input, local_inputs
from runtime_monitor.policy import RuntimePolicy
from scanner.model.finding import ScanResult


@dataclass
class _Position:
    offset: int = 0
    lines: int = 0
    done: bool = False  # a whole-file input already read


@dataclass
class Tailer:
    specs: list[tuple[str, str]]
    positions: dict[str, _Position] = field(default_factory=dict)

    def poll(self) -> list[tuple[str, Input]]:
        out = []
        for provider, spec in self.specs:
            for inp in local_inputs(spec):
                got = self._new_data(Path(inp.name))
                if got is not None:
                    out.append((provider, got))
        return out

    def _new_data(self, path: Path) -> Input | None:
        pos = self.positions.setdefault(str(path), _Position())
        try:
            size = path.stat().st_size
            if pos.done or size == pos.offset:
                return None
            with path.open("rb") as f:
                head = f.read(2)
                if head == b"\x1f\x8b" or path.suffix == ".gz":
                    pos.done = True
                    data = head + f.read()
                    return Input(str(path), lambda: io.BytesIO(data))
                if size < pos.offset:  # rotated or truncated: start again
                    pos.offset, pos.lines = 0, 0
                f.seek(pos.offset)
                data = f.read(size - pos.offset)
        except OSError:
            return None  # gone between listing and reading; the next poll sees it again
        cut = data.rfind(b"\n") + 1  # only complete lines; the rest waits for the next poll
        if cut == 0:
            return None
        data = data[:cut]
        first = pos.lines + 1
        pos.offset += cut
        pos.lines += data.count(b"\n")
        return Input(str(path), lambda: io.BytesIO(data), first_line=first)


def _key(f) -> tuple:
    return (f.rule_id, f.resource.uid, f.evidence.path, f.status)


@dataclass
class Stream:
    """The JSON lines of --follow: each finding and error once, when first seen."""

    out: TextIO
    reported: dict[tuple, object] = field(default_factory=dict)  # finding key -> finding
    errors: set[str] = field(default_factory=set)
    passes: int = 0

    def update(self, result: ScanResult, inputs: int, events: int, final: bool = False) -> None:
        now = {_key(f): f for f in result.findings}
        new = [f for k, f in now.items() if k not in self.reported]
        cleared = [k for k in self.reported if k not in now]
        for f in new:
            self._line({"type": "finding", "scan_id": result.scan_id, **f.to_json()})
        for rule, uid, path, status in cleared:
            self._line(
                {"type": "cleared", "rule_id": rule, "resource": uid, "evidence_path": path, "status": status}
            )
        for e in result.errors:
            if e.reason not in self.errors:
                self.errors.add(e.reason)
                self._line({"type": "error", **e.to_json()})
        self.reported = now
        self.passes += 1
        self._line(
            {
                "type": "pass",
                "pass": self.passes,
                "final": final,
                "scan_id": result.scan_id,
                "finished_at": result.finished_at,
                "inputs_read": inputs,
                "relevant_events": events,
                "findings": len(now),
                "new": len(new),
                "cleared": len(cleared),
                "errors": len(result.errors),
            }
        )
        self.out.flush()

    def _line(self, doc: dict) -> None:
        self.out.write(json.dumps(doc, default=str) + "\n")


class _Stop:
    """SIGTERM and SIGINT set a flag the loop checks between polls (restored on exit)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: str | None = None
        self._old: dict = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, _frame) -> None:
        self.signal = signal.Signals(signum).name
        self.event.set()

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def write_reports(result: ScanResult, outputs: list[tuple[str, str]]) -> None:
    """Rewrite each report whole (a temporary file renamed over it), so a reader polling
    the report never sees half of one."""
    import os

    from reports import render

    for fmt, dest in outputs:
        path = Path(dest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(render(fmt, result), encoding="utf-8")
        os.replace(tmp, path)


@dataclass
class FollowOutcome:
    result: ScanResult
    stopped_by: str | None  # the signal's name, None when --follow-duration ran out


def follow_audit(
    policy: RuntimePolicy,
    opts: AuditOptions,
    interval: float,
    duration: float | None,
    write_reports: Callable[[ScanResult], None] | None = None,
    report_interval: float | None = None,
    out: TextIO | None = None,
) -> FollowOutcome:
    stream = Stream(out or sys.stdout)
    tailer = Tailer(opts.specs())
    run = AuditRun(policy, opts)
    deadline = None if duration is None else time.monotonic() + duration
    last_report = time.monotonic()
    try:
        with _Stop() as stop:
            while True:
                got = tailer.poll()
                if got:
                    events = run.feed(got)
                    snap = run.snapshot()
                    stream.update(snap, len(got), events)
                    if (
                        write_reports
                        and report_interval
                        and time.monotonic() - last_report >= report_interval
                    ):
                        write_reports(snap)
                        last_report = time.monotonic()
                if stop.event.is_set() or (deadline is not None and time.monotonic() >= deadline):
                    break
                wait = interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
                stop.event.wait(wait)
                if stop.event.is_set():
                    break
    except BaseException:
        run.abort()
        raise
    result = run.close()
    stream.update(result, 0, 0, final=True)
    return FollowOutcome(result, stop.signal)
