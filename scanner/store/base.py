"""What SQLite and PostgreSQL stores share: migrations, writing a scan, and the history
queries (list, show, diff, trend). Backends supply a connection, a transaction, the
parameter style and the JSON column type; every statement here is written with `?`."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.model.finding import SEVERITIES
from scanner.store.migrations import MIGRATIONS


class StoreError(Exception):
    """The history store cannot be used: a bad URL, a connection or write failure, an
    unknown scan id. The CLI turns it into exit 2."""


SCAN_COLUMNS = (
    "id",
    "started_at",
    "finished_at",
    "recorded_at",
    "targets",
    "tool_version",
    "summary",
    "incomplete",
    "shard",
)
FINDING_COLUMNS = (
    "scan_id",
    "seq",
    "fingerprint",
    "rule_id",
    "title",
    "severity",
    "category",
    "status",
    "muted",
    "mute_reason",
    "resource_uid",
    "resource_name",
    "resource_type",
    "resource_provider",
    "file",
    "start_line",
    "end_line",
    "message",
    "evidence",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _parse_time(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _json_value(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


def _failing(f: dict) -> bool:
    """What history compares, like a baseline: failing and not muted."""
    return f["status"] == "fail" and not f["muted"]


class Store:
    json_type = "TEXT"
    display = ""

    # -- backend -------------------------------------------------------------------------
    def _execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager:
        raise NotImplementedError

    def _lock_migrations(self) -> None:
        """Serialize concurrent migrators inside the current transaction."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply every migration not yet recorded, in version order; returns those applied."""
        self._execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = []
        for version, name, statements in sorted(MIGRATIONS):
            with self._transaction():
                self._lock_migrations()
                done = self._execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,))
                if done:
                    continue
                for stmt in statements:
                    self._execute(stmt.replace("{json}", self.json_type))
                self._execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )
                applied.append(version)
        return applied

    def migrations(self) -> list[tuple[int, str]]:
        rows = self._execute("SELECT version, name FROM schema_migrations ORDER BY version")
        return [(int(v), n) for v, n in rows]

    # -- write ---------------------------------------------------------------------------
    def save(self, result, shard: str | None = None) -> str:
        """Store a ScanResult: its summary and findings as the JSON report has them (evidence
        already redacted). Saving the same scan id again replaces it."""
        from reports.json_report import to_dict

        doc = to_dict(result)
        scan, summary = doc["scan"], doc["summary"]
        rows = []
        for i, f in enumerate(doc["findings"]):
            res, loc = f.get("resource") or {}, f.get("location") or {}
            rows.append(
                (
                    scan["id"],
                    i,
                    f["fingerprint"],
                    f["rule_id"],
                    f.get("title", ""),
                    f["severity"],
                    f.get("category", ""),
                    f["status"],
                    int(bool(f.get("muted"))),
                    f.get("mute_reason"),
                    res.get("uid", ""),
                    res.get("name"),
                    res.get("type"),
                    res.get("provider"),
                    loc.get("file"),
                    loc.get("start_line"),
                    loc.get("end_line"),
                    f.get("message", ""),
                    json.dumps(f.get("evidence")),
                )
            )
        cols = ", ".join(FINDING_COLUMNS)
        marks = ", ".join("?" * len(FINDING_COLUMNS))
        with self._transaction():
            self._execute("DELETE FROM findings WHERE scan_id = ?", (scan["id"],))
            self._execute("DELETE FROM scans WHERE id = ?", (scan["id"],))
            self._execute(
                f"INSERT INTO scans ({', '.join(SCAN_COLUMNS)}) VALUES ({', '.join('?' * len(SCAN_COLUMNS))})",
                (
                    scan["id"],
                    scan["started_at"],
                    scan["finished_at"],
                    _now(),
                    json.dumps(scan.get("targets", [])),
                    doc["tool"].get("version", ""),
                    json.dumps(summary),
                    int(bool(summary.get("incomplete"))),
                    shard,
                ),
            )
            if rows:
                self._executemany(f"INSERT INTO findings ({cols}) VALUES ({marks})", rows)
        return scan["id"]

    # -- read ----------------------------------------------------------------------------
    def _scan_dict(self, row: tuple) -> dict:
        d = dict(zip(SCAN_COLUMNS, row, strict=True))
        d["targets"] = _json_value(d["targets"])
        d["summary"] = _json_value(d["summary"])
        d["incomplete"] = bool(d["incomplete"])
        return d

    def _finding_dict(self, row: tuple) -> dict:
        d = dict(zip(FINDING_COLUMNS, row, strict=True))
        d["muted"] = bool(d["muted"])
        d["evidence"] = _json_value(d["evidence"])
        return d

    def list_scans(self, limit: int | None = 20, shard: str | None = None) -> list[dict]:
        """Scans newest first, each with its summary and counts."""
        sql = f"SELECT {', '.join(SCAN_COLUMNS)} FROM scans"
        params: list = []
        if shard is not None:
            sql += " WHERE shard = ?"
            params.append(shard)
        sql += " ORDER BY started_at DESC, recorded_at DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        scans = [self._scan_dict(r) for r in self._execute(sql, params)]
        counts = {}
        if scans:
            marks = ", ".join("?" * len(scans))
            for scan_id, n in self._execute(
                f"SELECT scan_id, COUNT(*) FROM findings WHERE scan_id IN ({marks}) GROUP BY scan_id",
                [s["id"] for s in scans],
            ):
                counts[scan_id] = int(n)
        for s in scans:
            s["findings"] = counts.get(s["id"], 0)
        return scans

    def resolve(self, scan_id: str) -> str:
        """A full scan id from an id or a unique prefix of one."""
        if self._execute("SELECT 1 FROM scans WHERE id = ?", (scan_id,)):
            return scan_id
        prefix = scan_id.replace("\\", "").replace("%", "").replace("_", "")
        rows = (
            self._execute("SELECT id FROM scans WHERE id LIKE ? ORDER BY id", (prefix + "%",))
            if prefix
            else []
        )
        if len(rows) == 1:
            return rows[0][0]
        if not rows:
            raise StoreError(f"no scan {scan_id!r} in the history store")
        raise StoreError(f"scan id prefix {scan_id!r} is ambiguous ({len(rows)} scans)")

    def get_scan(self, scan_id: str) -> dict:
        """One scan with its findings (in report order)."""
        scan_id = self.resolve(scan_id)
        rows = self._execute(f"SELECT {', '.join(SCAN_COLUMNS)} FROM scans WHERE id = ?", (scan_id,))
        scan = self._scan_dict(rows[0])
        scan["findings"] = self.findings(scan_id)
        return scan

    def findings(self, scan_id: str) -> list[dict]:
        rows = self._execute(
            f"SELECT {', '.join(FINDING_COLUMNS)} FROM findings WHERE scan_id = ? ORDER BY seq", (scan_id,)
        )
        return [self._finding_dict(r) for r in rows]

    def diff(self, base: str | None = None, head: str | None = None, shard: str | None = None) -> dict:
        """Failing, unmuted findings of `head` against `base` by fingerprint: new, fixed and
        persisting. Without ids: the two latest scans (of `shard`, when given)."""
        if base is None or head is None:
            latest = self.list_scans(limit=2, shard=shard)
            if head is None and base is None:
                if len(latest) < 2:
                    raise StoreError(f"history diff needs two stored scans; the store has {len(latest)}")
                head, base = latest[0]["id"], latest[1]["id"]
            else:
                raise StoreError("history diff takes two scan ids or none")
        base, head = self.resolve(base), self.resolve(head)
        before = {f["fingerprint"]: f for f in self.findings(base) if _failing(f)}
        after = {f["fingerprint"]: f for f in self.findings(head) if _failing(f)}
        return {
            "base": base,
            "head": head,
            "new": [f for fp, f in after.items() if fp not in before],
            "fixed": [f for fp, f in before.items() if fp not in after],
            "persisting": [f for fp, f in after.items() if fp in before],
        }

    def trend(self, days: int | None = None, shard: str | None = None, now: datetime | None = None) -> dict:
        """Per scan (oldest first): failing, unmuted counts by severity. Per fingerprint seen
        in those scans: first seen, last seen, and for one no longer in the latest scan,
        `fixed_at` (the first scan after its last appearance) and `time_to_fix_s`
        (fixed_at - first seen, in seconds)."""
        sql = f"SELECT {', '.join(SCAN_COLUMNS)} FROM scans"
        clauses, params = [], []
        if days is not None:
            since = (now or datetime.now(UTC)) - timedelta(days=days)
            clauses.append("started_at >= ?")
            params.append(since.isoformat(timespec="seconds").replace("+00:00", "Z"))
        if shard is not None:
            clauses.append("shard = ?")
            params.append(shard)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY started_at, recorded_at"
        scans = [self._scan_dict(r) for r in self._execute(sql, params)]
        per_scan, lives = [], {}
        for idx, s in enumerate(scans):
            failing = [f for f in self.findings(s["id"]) if _failing(f)]
            per_scan.append(
                {
                    "id": s["id"],
                    "started_at": s["started_at"],
                    "shard": s["shard"],
                    "incomplete": s["incomplete"],
                    "failed": len(failing),
                    "by_severity": {sev: sum(f["severity"] == sev for f in failing) for sev in SEVERITIES},
                }
            )
            for f in failing:
                life = lives.setdefault(
                    f["fingerprint"],
                    {
                        "fingerprint": f["fingerprint"],
                        "rule_id": f["rule_id"],
                        "severity": f["severity"],
                        "resource_uid": f["resource_uid"],
                        "first_seen": s["started_at"],
                        "first_scan": s["id"],
                    },
                )
                life["last_seen"], life["_last"] = s["started_at"], idx
        fingerprints = []
        for life in lives.values():
            last = life.pop("_last")
            if last == len(scans) - 1:
                life.update(state="open", fixed_at=None, fixed_scan=None, time_to_fix_s=None)
            else:
                fixed = scans[last + 1]
                ttf = _parse_time(fixed["started_at"]) - _parse_time(life["first_seen"])
                life.update(
                    state="fixed",
                    fixed_at=fixed["started_at"],
                    fixed_scan=fixed["id"],
                    time_to_fix_s=int(ttf.total_seconds()),
                )
            fingerprints.append(life)
        fingerprints.sort(key=lambda x: (x["first_seen"], x["fingerprint"]))
        return {"days": days, "scans": per_scan, "fingerprints": fingerprints}
