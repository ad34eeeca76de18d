"""Bad input is counted and reported with its file and line; reading goes on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanner.model.finding import ScanError
from scanner.secrets import redact_string

MAX_SAMPLES_PER_REASON = 20  # a million malformed lines must not make a million errors


@dataclass(slots=True)
class Problem:
    source: str  # cloudtrail | gcp-audit | k8s-audit
    file: str
    line: int | None
    reason: str  # a short, stable category: "malformed JSON", "truncated gzip", ...
    detail: str = ""
    record: int | None = None  # position in a record array (CloudTrail files are one line)

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file}#record{self.record}" if self.record is not None else self.file

    @property
    def unscanned(self) -> str:
        if self.line is not None or self.record is not None:
            return f"the record at {self.where}"
        return f"what {self.file} holds after the damage" if "truncated" in self.reason else self.file


@dataclass
class Problems:
    counts: Counter = field(default_factory=Counter)  # (source, reason) -> n
    samples: list[Problem] = field(default_factory=list)
    _per_reason: Counter = field(default_factory=Counter)

    def add(
        self,
        source: str,
        file: str,
        line: int | None,
        reason: str,
        detail: str = "",
        record: int | None = None,
    ) -> None:
        self.counts[(source, reason)] += 1
        if self._per_reason[(source, reason)] < MAX_SAMPLES_PER_REASON:
            self._per_reason[(source, reason)] += 1
            self.samples.append(Problem(source, file, line, reason, redact_string(detail[:200]), record))

    def merge(self, other: Problems) -> None:
        self.counts.update(other.counts)
        for p in other.samples:
            if self._per_reason[(p.source, p.reason)] < MAX_SAMPLES_PER_REASON:
                self._per_reason[(p.source, p.reason)] += 1
                self.samples.append(p)

    def __len__(self) -> int:
        return sum(self.counts.values())

    def scan_errors(self) -> list[ScanError]:
        """One ScanError per sample, then one per (source, reason) saying how many more."""
        out = [
            ScanError(
                p.source,
                f"{p.reason} at {p.where}" + (f": {p.detail}" if p.detail else ""),
                p.file,
                unscanned=p.unscanned,
            )
            for p in self.samples
        ]
        shown = Counter((p.source, p.reason) for p in self.samples)
        for (source, reason), n in sorted(self.counts.items()):
            if n > shown[(source, reason)]:
                more = n - shown[(source, reason)]
                out.append(ScanError(source, f"{reason}: {more} more not listed", None, f"{more} records"))
        return out


@dataclass
class ReadStats:
    """What the readers saw: files, records, events by provider, records skipped on purpose
    (not an audit record, an intermediate stage) and problems (bad input)."""

    files: Counter = field(default_factory=Counter)  # provider -> files read
    records: Counter = field(default_factory=Counter)  # provider -> records read
    events: Counter = field(default_factory=Counter)  # provider -> events produced
    skipped: Counter = field(default_factory=Counter)  # (provider, why) -> n; not errors
    problems: Problems = field(default_factory=Problems)
    first_time: float | None = None
    last_time: float | None = None

    def merge(self, other: ReadStats) -> None:
        self.files.update(other.files)
        self.records.update(other.records)
        self.events.update(other.events)
        self.skipped.update(other.skipped)
        self.problems.merge(other.problems)
        for t in (other.first_time, other.last_time):
            if t is not None:
                self.seen(t)

    def seen(self, t: float) -> None:
        if self.first_time is None or t < self.first_time:
            self.first_time = t
        if self.last_time is None or t > self.last_time:
            self.last_time = t
