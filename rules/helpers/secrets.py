"""Findings from the ``secrets`` attribute that normalizers fill while scrubbing config:
one fail per detected secret, naming its kind and attribute path, never its value."""

from __future__ import annotations

from rules.sdk import Verdict, fail
from scanner.model.resource import Resource


def secret_verdicts(r: Resource, *prefixes: str) -> list[Verdict]:
    """A fail for every detected secret whose path starts with one of `prefixes` (all when
    none given). Touching each prefix first makes an unresolved config UNKNOWN, not PASS."""
    for p in prefixes:
        r.a.get(p.split(".")[0].split("[")[0])  # raises UnresolvedAccess when unresolved
    out = []
    for s in r.attrs.get("secrets") or []:
        path = s.get("path", "")
        if prefixes and not any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes):
            continue
        out.append(fail(f"a hard-coded {s.get('kind', 'secret')} is stored at {path}", at=path))
    return out
