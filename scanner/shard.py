"""Splitting a scan's scope (projects, accounts) over several runs: `--shard INDEX/COUNT`.

A key belongs to shard `sha256(key) % COUNT`, so the split is stable across runs, machines
and list order (a project added to the scope moves no other project), and the shards of
one COUNT are disjoint and together cover every key. It agrees with the AWS scanner's
account split (scanner.collect.aws.session.in_shard), so one INDEX/COUNT means the same
thing for both."""

from __future__ import annotations

import hashlib
import re

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_shard(text: str) -> tuple[int, int]:
    """ "1/3" -> (1, 3); INDEX counts from 0, so 0 <= INDEX < COUNT."""
    m = _SHARD.fullmatch(text or "")
    if not m:
        raise ValueError(f"expected INDEX/COUNT such as 0/3, not {text!r}")
    index, count = int(m.group(1)), int(m.group(2))
    if count < 1 or index >= count:
        raise ValueError(f"expected 0 <= INDEX < COUNT, not {text!r}")
    return index, count


def shard_of(key: str, count: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % count


def in_shard(key: str, index: int, count: int) -> bool:
    return shard_of(key, count) == index
