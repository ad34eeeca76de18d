"""--since: an RFC 3339 time, a date, or an age before now (90m, 24h, 7d)."""

from __future__ import annotations

import re
import time

from runtime_monitor.audit.event import parse_time

_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float | None = None) -> float:
    text = text.strip()
    m = _AGE.match(text)
    if m:
        return (time.time() if now is None else now) - float(m.group(1)) * _UNIT[m.group(2)]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00Z"
    t = parse_time(text)
    if t is None:
        raise ValueError(f"--since: {text!r} is not a time (2026-11-01T00:00:00Z, 2026-11-01, 24h, 7d)")
    return t
