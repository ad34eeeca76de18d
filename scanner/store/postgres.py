"""The PostgreSQL history store through psycopg 3, imported only when a postgresql:// URL
is used (so SQLite users and `mlposture --version` never load it)."""

from __future__ import annotations

from scanner.store.base import Store, StoreError


class PostgresStore(Store):
    json_type = "JSONB"

    def __init__(self, url: str, display: str = "") -> None:
        self.display = display or "postgresql://..."
        try:
            import psycopg
        except ImportError as e:  # pragma: no cover - a dependency of mlposture
            raise StoreError("the PostgreSQL store needs psycopg: pip install 'psycopg[binary]'") from e
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise StoreError(f"cannot connect to the history store {self.display}: {_first_line(e)}") from e

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _execute(self, sql, params=()):
        cur = self.conn.execute(self._sql(sql), tuple(params) if params else None)
        return cur.fetchall() if cur.description else []

    def _executemany(self, sql, rows):
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def _transaction(self):
        return self.conn.transaction()

    def _lock_migrations(self) -> None:
        # Two scans that start together against a fresh database migrate one after the other.
        self._execute("LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE")

    def close(self) -> None:
        self.conn.close()


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
