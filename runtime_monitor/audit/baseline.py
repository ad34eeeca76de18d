"""The learned baseline, kept between runs in a SQLite file (standard library): when
learning started, which principals, actions and networks each asset has seen, the daily
read volume per asset and principal, and when each principal last used each asset.

Time is event time, not the clock: replaying old logs learns and judges them the same way
as reading them live, and tests are reproducible. One writer at a time (WAL, busy timeout),
like the history store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (
    asset TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (asset, dim, value));
CREATE TABLE IF NOT EXISTS volume (
    asset TEXT NOT NULL, principal TEXT NOT NULL, day INTEGER NOT NULL,
    requests INTEGER NOT NULL, bytes INTEGER NOT NULL,
    PRIMARY KEY (asset, principal, day));
"""
VERSION = "1"
DAY = 86400.0


class BaselineError(Exception):
    pass


class Baseline:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        try:
            if path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, timeout=30)
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)
            v = self._meta("version")
            if v is None:
                self._set_meta("version", VERSION)
            elif v != VERSION:
                raise BaselineError(f"{path}: baseline store version {v}, expected {VERSION}")
            self.conn.commit()
        except sqlite3.Error as e:
            raise BaselineError(f"cannot open the baseline store {path}: {e}") from e

    def close(self) -> None:
        self.conn.close()

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- the learning window -----------------------------------------------------------
    def learning_start(self, first_event: float | None) -> float | None:
        """When learning started: stored by the first run that saw an event."""
        v = self._meta("learning_start")
        if v is not None:
            return float(v)
        if first_event is not None:
            self._set_meta("learning_start", repr(first_event))
            self.conn.commit()
        return first_event

    def last_event(self) -> float | None:
        v = self._meta("last_event")
        return float(v) if v is not None else None

    def set_last_event(self, t: float) -> None:
        prev = self.last_event()
        if prev is None or t > prev:
            self._set_meta("last_event", repr(t))
            self.conn.commit()

    # -- first seen ----------------------------------------------------------------------
    def known(self, asset: str, dim: str, value: str) -> bool:
        q = "SELECT 1 FROM seen WHERE asset = ? AND dim = ? AND value = ?"
        return self.conn.execute(q, (asset, dim, value)).fetchone() is not None

    def remember(self, rows: list[tuple[str, str, str, float, float, int]]) -> None:
        """(asset, dim, value, first, last, n) seen in this run."""
        self.conn.executemany(
            """INSERT INTO seen (asset, dim, value, first_seen, last_seen, n) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (asset, dim, value) DO UPDATE SET
                 first_seen = MIN(first_seen, excluded.first_seen),
                 last_seen = MAX(last_seen, excluded.last_seen), n = n + excluded.n""",
            rows,
        )
        self.conn.commit()

    def last_seen(self, asset: str, dim: str) -> dict[str, float]:
        q = "SELECT value, last_seen FROM seen WHERE asset = ? AND dim = ?"
        return dict(self.conn.execute(q, (asset, dim)).fetchall())

    # -- volume ----------------------------------------------------------------------------
    def days(self, asset: str, principal: str) -> dict[int, tuple[int, int]]:
        q = "SELECT day, requests, bytes FROM volume WHERE asset = ? AND principal = ?"
        return {d: (r, b) for d, r, b in self.conn.execute(q, (asset, principal)).fetchall()}

    def add_days(self, rows: list[tuple[str, str, int, int, int]]) -> None:
        """A day's volume, kept as the largest any run saw: replaying the same logs is
        idempotent; a day split across runs is undercounted (documented)."""
        self.conn.executemany(
            """INSERT INTO volume (asset, principal, day, requests, bytes) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (asset, principal, day) DO UPDATE SET
                 requests = MAX(requests, excluded.requests), bytes = MAX(bytes, excluded.bytes)""",
            rows,
        )
        self.conn.commit()
