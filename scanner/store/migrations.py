"""The history schema as VERSIONED migrations, applied in order, each once, in its own
transaction, and recorded in `schema_migrations` (version, name, applied_at). Never edit a
released migration: add the next version. `{json}` is TEXT in SQLite and JSONB in PostgreSQL."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "scans and findings",
        [
            """CREATE TABLE scans (
                id TEXT PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                targets {json} NOT NULL,
                tool_version TEXT NOT NULL,
                summary {json} NOT NULL,
                incomplete INTEGER NOT NULL,
                shard TEXT
            )""",
            """CREATE TABLE findings (
                scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                title TEXT NOT NULL,
                severity TEXT NOT NULL,
                category TEXT NOT NULL,
                status TEXT NOT NULL,
                muted INTEGER NOT NULL,
                mute_reason TEXT,
                resource_uid TEXT NOT NULL,
                resource_name TEXT,
                resource_type TEXT,
                resource_provider TEXT,
                file TEXT,
                start_line INTEGER,
                end_line INTEGER,
                message TEXT NOT NULL,
                evidence {json},
                PRIMARY KEY (scan_id, seq)
            )""",
        ],
    ),
    (
        2,
        "indexes for history list, diff and trend",
        [
            # list/trend/latest: scans newest first, optionally per shard
            "CREATE INDEX scans_started_idx ON scans (started_at, recorded_at)",
            "CREATE INDEX scans_shard_started_idx ON scans (shard, started_at)",
            # diff/show: one scan's findings by fingerprint; trend: one fingerprint across scans
            "CREATE INDEX findings_scan_fp_idx ON findings (scan_id, fingerprint)",
            "CREATE INDEX findings_fp_idx ON findings (fingerprint)",
        ],
    ),
]

LATEST = MIGRATIONS[-1][0]
