"""Counts of what a scan has read so far, per service, for a progress line on a terminal.
It only counts and formats; the caller decides where the line goes (a rich status on
stderr when stderr is a terminal, nothing in CI logs)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable


class ScanProgress:
    def __init__(self, sink: Callable[[str], None], calls: Callable[[], int], every_s: float = 0.1):
        self._sink = sink
        self._calls = calls  # the recorder's running total
        self._every = every_s
        self._lock = threading.Lock()
        self._last = 0.0
        self.read: Counter[str] = Counter()  # service -> records read
        self.units_done = 0
        self.units_total = 0

    def planned(self, n: int) -> None:
        with self._lock:
            self.units_total += n
        self._show(force=True)

    def emitted(self, service: str, _kind: str) -> None:
        with self._lock:
            self.read[service] += 1
        self._show()

    def unit_done(self) -> None:
        with self._lock:
            self.units_done += 1
        self._show(force=True)

    def line(self) -> str:
        with self._lock:
            per = " · ".join(f"{s} {n}" for s, n in sorted(self.read.items(), key=lambda kv: -kv[1]))
            head = f"aws: {self.units_done}/{self.units_total} units, {self._calls()} calls"
        return f"{head} | {per}" if per else head

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._every:
            return
        self._last = now
        self._sink(self.line())
