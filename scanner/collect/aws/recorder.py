"""Counts every API call a scan makes, through botocore's own event system (`before-call`
fires once per operation, before retries), so the read-only guarantee and the call rate
are measured on the wire path, not on what the collectors think they called."""

from __future__ import annotations

import threading
from collections import Counter


class CallRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()

    def before_call(self, model, **_kwargs) -> None:
        key = (model.service_model.service_name, model.name)
        with self._lock:
            self.calls[key] += 1

    def attach(self, session) -> None:
        """Register on a boto3 Session before any client is made from it (clients copy the
        session's handlers when they are created)."""
        session.events.register("before-call", self.before_call)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())
