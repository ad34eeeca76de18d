"""Inline suppressions written as comments in Terraform files:

    # mlposture:ignore <rule-id> reason="..." expires=YYYY-MM-DD     (also // ...)
    #checkov:skip=CKV_AWS_20:the reason

A suppression applies to the resource whose block contains it, or that starts on the
line directly below it."""

from __future__ import annotations

import re

from scanner.model.resource import Suppression

_OURS = re.compile(r"(?:#|//)\s*mlposture:ignore\s+(?P<rule>[A-Za-z0-9_.:*-]+)(?P<rest>.*)$")
_CHECKOV = re.compile(r"(?:#|//)\s*checkov:skip\s*=\s*(?P<rule>[A-Za-z0-9_.-]+)(?::(?P<reason>.*))?$")
_REASON = re.compile(r"""reason\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))""")
_EXPIRES = re.compile(r"expires\s*=\s*[\"']?(?P<date>\d{4}-\d{2}-\d{2})")


def find_suppressions(text: str) -> list[tuple[int, Suppression]]:
    """Every suppression comment in a file, with its 1-based line."""
    if "mlposture:ignore" not in text and "checkov:skip" not in text:
        return []  # the common case: no per-line work at all
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        m = _OURS.search(line)
        if m:
            rest = m.group("rest")
            r = _REASON.search(rest)
            reason = (r.group("dq") or r.group("sq") or r.group("bare") or "") if r else ""
            e = _EXPIRES.search(rest)
            out.append((n, Suppression(m.group("rule"), reason, e.group("date") if e else None, n)))
            continue
        m = _CHECKOV.search(line)
        if m:
            out.append((n, Suppression(m.group("rule"), (m.group("reason") or "").strip(), None, n)))
    return out


def suppressions_for(
    found: list[tuple[int, Suppression]], start: int | None, end: int | None
) -> list[Suppression]:
    if not found or start is None:
        return []
    last = end if end is not None else start
    return [s for line, s in found if start - 1 <= line <= last]
