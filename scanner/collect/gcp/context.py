"""The state one GCP scan collects into: raw API records, what could not be read, and the
quieter notes (APIs not enabled). Each collector works in `unit`s: a unit that fails is
reported with exactly what it left unscanned, and what it read before failing is kept
(listings are consumed as they arrive, so a later page that fails costs only what it held)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scanner.model.finding import ScanError

from .faults import ApiDisabled, Denied, GcpCallError, NotFound, PageFailed


@dataclass
class Raw:
    kind: str  # e.g. "run.service", "crm.policy"
    project: str  # project id the record was read from ("" for folders and organizations)
    data: dict
    region: str | None = None
    policy: dict | None = None  # the resource's IAM policy, when read
    policy_error: str | None = None  # why it could not be read (the rule then says UNKNOWN)
    extra: dict = field(default_factory=dict)


class ScanContext:
    def __init__(self, settings, rest, iam, recorder):
        self.settings = settings
        self.rest = rest
        self.iam = iam
        self.recorder = recorder
        self.raws: list[Raw] = []
        self.errors: list[ScanError] = []
        self.notes: list[dict] = []
        self.remarks: list[str] = []  # how the scan adapted (a fallback taken), for the report
        self._lock = threading.Lock()

    def remark(self, text: str) -> None:
        with self._lock:
            self.remarks.append(text)

    def add(self, raw: Raw) -> None:
        with self._lock:
            self.raws.append(raw)

    def error(self, reason: str, unscanned: str) -> None:
        with self._lock:
            self.errors.append(ScanError(source="gcp", reason=reason, unscanned=unscanned))

    def note(self, project: str, api: str, unscanned: str) -> None:
        """One note per project and API, naming everything it left unread."""
        with self._lock:
            for n in self.notes:
                if n["project"] == project and n["api"] == api:
                    n["unscanned"] = "; ".join(sorted({*n["unscanned"].split("; "), unscanned}))
                    return
            self.notes.append({"project": project, "api": api, "unscanned": unscanned})

    @contextmanager
    def unit(
        self, unscanned: str, project: str = "", api: str = "", missing_ok: bool = False
    ) -> Iterator[None]:
        """Run one unit of collection; a failure becomes an error naming `unscanned`."""
        try:
            yield
        except PageFailed as e:  # what the earlier pages held was added: name only the rest
            self.error(str(e)[:500], f"{unscanned}: those after the first {e.kept} listed")
        except ApiDisabled as e:
            self.note(project, e.service or api, unscanned)
        except Denied as e:
            perm = f"permission '{e.permission}' denied" if e.permission else "permission denied"
            self.error(f"{perm} ({str(e)[:300]})", unscanned)
        except NotFound as e:
            if not missing_ok:
                self.error(f"not found: {str(e)[:300]}", unscanned)
        except GcpCallError as e:
            self.error(str(e)[:500], unscanned)

    def policy_of(self, read, unscanned: str) -> tuple[dict | None, str | None]:
        """A resource's IAM policy, or why it could not be read: never an empty policy in
        its place. An unreadable policy is also a scan error (the scan is incomplete)."""
        try:
            return read() or {}, None
        except Denied as e:
            why = f"permission '{e.permission}' denied" if e.permission else "permission denied"
        except GcpCallError as e:
            why = str(e)[:200]
        self.error(f"IAM policy not readable: {why}", unscanned)
        return None, f"IAM policy not readable: {why}"
