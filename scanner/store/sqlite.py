"""The SQLite history store (standard library): one file, safe for one writer at a time
(WAL journal, a busy timeout for concurrent scheduled scans)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from scanner.store.base import Store, StoreError


class SQLiteStore(Store):
    json_type = "TEXT"

    def __init__(self, path: str) -> None:
        self.path = path
        self.display = f"sqlite:///{path}"
        try:
            if path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the history store {self.display}: {e}") from e

    def _execute(self, sql, params=()):
        return self.conn.execute(sql, tuple(params)).fetchall()

    def _executemany(self, sql, rows):
        self.conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
