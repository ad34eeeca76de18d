"""--follow: keep reading what is appended to local files, in a bounded poll loop.

JSON-lines files (Kubernetes audit, EventBridge, GCP sink exports) are read on from where
the last poll stopped, up to their last complete line; a file that shrank was rotated
and is read again from the start. Gzipped and single-document files (CloudTrail as
delivered) are immutable once written: each is read once, when it appears. Findings are
reported when the loop ends (after --follow-duration, or on Ctrl-C), so run it in windows
(a CronJob every few minutes) for a steady stream of reports."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from runtime_monitor.audit.run import AuditOptions, run_audit
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


def batches(tailer: Tailer, interval: float, duration: float | None) -> Iterator[list[tuple[str, Input]]]:
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while True:
            got = tailer.poll()
            if got:
                print(f"mlposture: read {len(got)} new input(s)", file=sys.stderr)
            yield got
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
    except KeyboardInterrupt:
        return


def follow_audit(
    policy: RuntimePolicy, opts: AuditOptions, interval: float, duration: float | None
) -> ScanResult:
    tailer = Tailer(opts.specs())
    return run_audit(policy, opts, file_batches=batches(tailer, interval, duration))
