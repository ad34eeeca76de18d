"""Records every call a scan puts on the wire (each attempt, retries included), so a test or
an auditor can check that a scan only reads."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Recorded:
    method: str  # discovery method id or gRPC method
    verb: str  # GET/POST or "grpc"
    target: str  # URI (REST) or the request's resource name (gRPC)


class CallRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[Recorded] = []

    def add(self, method: str, verb: str, target: str) -> None:
        with self._lock:
            self.calls.append(Recorded(method, verb, target))

    def methods(self) -> set[str]:
        with self._lock:
            return {c.method for c in self.calls}
