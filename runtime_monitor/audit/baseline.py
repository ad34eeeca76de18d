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
CREATE TABLE IF NOT EXISTS volume_event (
    asset TEXT NOT NULL, eid INTEGER NOT NULL, principal TEXT NOT NULL, day INTEGER NOT NULL,
    bytes INTEGER NOT NULL, PRIMARY KEY (asset, eid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS volume_event_day ON volume_event (asset, principal, day);
"""
# 2: daily volume from distinct events (volume_event) instead of the largest day a run saw;
# a version-1 store's days are kept as closed days.
VERSION = "2"
OPEN_DAYS = 7  # days behind the newest event whose event ids are kept for deduplication
DAY = 86400.0
SCRATCH_CACHE_KB = 2048  # what a scratch store holds in memory before it spills to its file


class BaselineError(Exception):
    pass


class Baseline:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        try:
            if path not in (":memory:", ""):
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, timeout=30)
            if path == "":  # scratch: nobody else reads it, a crash loses nothing worth keeping
                self.conn.execute("PRAGMA journal_mode = OFF")
                self.conn.execute("PRAGMA synchronous = OFF")
                self.conn.execute(f"PRAGMA cache_size = -{SCRATCH_CACHE_KB}")
            elif path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.executescript(SCHEMA)
            v = self._meta("version")
            if v is None or v == "1":  # 1 -> 2 only adds tables
                self._set_meta("version", VERSION)
            elif v != VERSION:
                raise BaselineError(f"{path}: baseline store version {v}, expected {VERSION}")
            self.conn.commit()
        except sqlite3.Error as e:
            raise BaselineError(f"cannot open the baseline store {path}: {e}") from e

    @classmethod
    def scratch(cls) -> Baseline:
        """A store for one run: SQLite's private temporary database, which lives in its page
        cache and spills to an unlinked file beyond it, so the event ids of data reads (one
        row each) do not grow the process; gone when closed, or when the process dies."""
        return cls("")

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
        """day -> (requests, bytes): closed days as stored, open days counted from their
        distinct events."""
        q = "SELECT day, requests, bytes FROM volume WHERE asset = ? AND principal = ?"
        out = {d: (r, b) for d, r, b in self.conn.execute(q, (asset, principal)).fetchall()}
        q = """SELECT day, COUNT(*), SUM(bytes) FROM volume_event WHERE asset = ? AND principal = ?
               GROUP BY day"""
        for d, r, b in self.conn.execute(q, (asset, principal)).fetchall():
            old = out.get(d, (0, 0))
            out[d] = (old[0] + r, old[1] + b)
        return out

    def add_events(self, rows: list[tuple[str, int, str, int, int]]) -> None:
        """(asset, event id hash, principal, day, bytes) of data reads; an event already
        stored (a replay, a duplicate delivery) is not counted again, nor one of a day
        already closed."""
        self.conn.executemany(
            """INSERT OR IGNORE INTO volume_event (asset, eid, principal, day, bytes)
               SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (
                 SELECT 1 FROM volume WHERE asset = ?1 AND principal = ?3 AND day = ?4)""",
            rows,
        )
        self.conn.commit()

    def close_days(self, before_day: int) -> None:
        """Fold the event ids of days before `before_day` into per-day totals: the table of
        ids stays bounded; an event of a closed day that arrives later is not counted."""
        self.conn.execute(
            """INSERT INTO volume (asset, principal, day, requests, bytes)
               SELECT asset, principal, day, COUNT(*), SUM(bytes) FROM volume_event WHERE day < ?
               GROUP BY asset, principal, day
               ON CONFLICT (asset, principal, day) DO UPDATE SET
                 requests = requests + excluded.requests, bytes = bytes + excluded.bytes""",
            (before_day,),
        )
        self.conn.execute("DELETE FROM volume_event WHERE day < ?", (before_day,))
        self.conn.commit()
