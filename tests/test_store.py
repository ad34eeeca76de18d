"""Scan history (`--store`, `mlposture history`) in SQLite and in a real PostgreSQL.

PostgreSQL: a session-scoped temporary cluster (initdb + pg_ctl, as a non-root user when
the tests run as root) on 127.0.0.1 with a free port and a unix socket in a temp dir. When
it cannot be started, the PostgreSQL cases SKIP with the reason; they never pass silently."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_result, make_finding

from scanner.cli import main
from scanner.store import StoreError, check_url, open_store
from scanner.store.migrations import MIGRATIONS

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
ROOT_RULE = "sagemaker-notebook-root-access-disabled"


def cli(*args: str):
    return CliRunner(env={"COLUMNS": "250"}).invoke(main, list(args), catch_exceptions=False)


# -- a temporary PostgreSQL cluster -------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return Path(dirs[-1]) if dirs and (Path(dirs[-1]) / "initdb").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    def __init__(self) -> None:
        self.bin = _pg_bin()
        if self.bin is None:
            raise RuntimeError("initdb/pg_ctl not found (apt-get install postgresql; .ci/run does)")
        self.dir = Path(tempfile.mkdtemp(prefix="mlposture-pg-"))
        self.data, self.sock, self.log = self.dir / "data", self.dir / "sock", self.dir / "log"
        self.sock.mkdir()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
            if user is None or not shutil.which("runuser"):
                raise RuntimeError("running as root with no 'postgres'/'nobody' user or runuser")
            self.prefix = ["runuser", "-u", user, "--"]
            uid = pwd.getpwnam(user).pw_uid
            for p in (self.dir, self.sock):
                os.chown(p, uid, -1)
        self.port = _free_port()
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "mlp",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -F"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
        )

    def _run(self, *cmd: str) -> None:
        p = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            log = self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {(p.stderr or p.stdout)[-800:]} {log}")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://mlp@127.0.0.1:{self.port}/{db}"

    def create_database(self) -> str:
        import psycopg

        name = "h_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = _Cluster()
    except Exception as e:  # noqa: BLE001 - any reason is a reason to skip, shown to the user
        pytest.skip(f"PostgreSQL could not be started, PostgreSQL history tests skipped: {e}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return request.getfixturevalue("pg_cluster").create_database()


# -- migrations ---------------------------------------------------------------------------------


def test_migrations_are_versioned_and_apply_once(store_url):
    versions = [v for v, _, _ in MIGRATIONS]
    assert versions == sorted(versions) and len(set(versions)) == len(versions) and versions[0] == 1
    with open_store(store_url) as st:
        assert st.migrations() == [(v, name) for v, name, _ in MIGRATIONS]
        assert st.migrate() == []  # nothing left to apply
    with open_store(store_url) as st:  # a second connection applies nothing again
        assert st.migrate() == []
        rows = st._execute(
            "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version"
        )
        assert [(int(v), int(n)) for v, n in rows] == [(v, 1) for v in versions]


# -- the demo, stored twice ---------------------------------------------------------------------


def _demo_copies(tmp_path: Path) -> tuple[Path, Path]:
    """Two checkouts of the demo: the second fixes the root access of the research notebook
    and adds a new notebook with direct internet access."""
    before, after = tmp_path / "before" / "demo", tmp_path / "after" / "demo"
    shutil.copytree(DEMO, before)
    shutil.copytree(DEMO, after)
    tf = after / "terraform" / "sagemaker.tf"
    text = tf.read_text()
    fixed = text.replace('root_access            = "Enabled"', 'root_access            = "Disabled"', 1)
    assert fixed != text
    fixed += (
        '\nresource "aws_sagemaker_notebook_instance" "scratch" {\n'
        '  name                   = "scratch"\n'
        "  role_arn               = aws_iam_role.ml_execution.arn\n"
        '  instance_type          = "ml.t3.medium"\n'
        '  direct_internet_access = "Enabled"\n'
        '  root_access            = "Disabled"\n'
        "  tags                   = local.common_tags\n"
        "}\n"
    )
    tf.write_text(fixed)
    return before, after


def _scan_and_store(path: Path, url: str, out: Path) -> dict:
    cwd = os.getcwd()
    os.chdir(path.parent)  # same relative paths in both copies, as in a CI checkout
    try:
        res = cli("scan", "iac", "demo", "-q", "-o", f"json={out}", "--store", url)
    finally:
        os.chdir(cwd)
    assert res.exit_code == 1, res.output  # the demo has high findings
    return json.loads(out.read_text())


def _failing(report: dict) -> set[str]:
    return {f["fingerprint"] for f in report["findings"] if f["status"] == "fail" and not f["muted"]}


def test_demo_stored_twice_diff_new_fixed_persisting(store_url, tmp_path):
    before, after = _demo_copies(tmp_path)
    r1 = _scan_and_store(before, store_url, tmp_path / "1.json")
    r2 = _scan_and_store(after, store_url, tmp_path / "2.json")
    a, b = _failing(r1), _failing(r2)

    res = cli("history", "diff", "--store", store_url, "--format", "json")  # default: two latest
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert (d["base"], d["head"]) == (r1["scan"]["id"], r2["scan"]["id"])
    new = {f["fingerprint"] for f in d["new"]}
    fixed = {f["fingerprint"] for f in d["fixed"]}
    persisting = {f["fingerprint"] for f in d["persisting"]}
    assert new == b - a and fixed == a - b and persisting == a & b
    assert persisting and len(persisting) > len(new)
    assert [f["rule_id"] for f in d["fixed"]] == [ROOT_RULE]
    assert d["fixed"][0]["resource_uid"].endswith("aws_sagemaker_notebook_instance.research")
    assert new and all(f["resource_uid"].endswith(".scratch") for f in d["new"])

    # explicit ids (and unique prefixes) give the same; reversed, new and fixed swap
    rev = json.loads(
        cli(
            "history",
            "diff",
            r2["scan"]["id"][:8],
            r1["scan"]["id"],
            "--store",
            store_url,
            "--format",
            "json",
        ).stdout
    )
    assert {f["fingerprint"] for f in rev["new"]} == fixed
    assert {f["fingerprint"] for f in rev["fixed"]} == new
    table = cli("history", "diff", "--store", store_url)
    assert table.exit_code == 0 and f"{len(new)} new, 1 fixed, {len(persisting)} persisting" in table.stdout

    # the stored finding is the report's: redacted evidence, location, muted flag
    with open_store(store_url) as st:
        stored = st.get_scan(r1["scan"]["id"])
    assert len(stored["findings"]) == len(r1["findings"])
    by_fp = {f["fingerprint"]: f for f in stored["findings"]}
    for f in r1["findings"]:
        s = by_fp[f["fingerprint"]]
        assert s["evidence"] == f["evidence"] and s["message"] == f["message"]
        assert (s["file"], s["start_line"]) == (
            f.get("location", {}).get("file"),
            f.get("location", {}).get("start_line"),
        )
    assert "AKIAMLPOSTUREDEMO7QX" not in json.dumps(stored)


def test_list_and_show_via_cli(store_url, tmp_path):
    before, after = _demo_copies(tmp_path)
    r1 = _scan_and_store(before, store_url, tmp_path / "1.json")
    r2 = _scan_and_store(after, store_url, tmp_path / "2.json")

    res = cli("history", "list", "--store", store_url, "--format", "json")
    assert res.exit_code == 0, res.output
    scans = json.loads(res.stdout)
    assert [s["id"] for s in scans] == [r2["scan"]["id"], r1["scan"]["id"]]  # newest first
    assert scans[0]["summary"]["failed"] == r2["summary"]["failed"]
    assert scans[0]["findings"] == len(r2["findings"])
    assert scans[0]["targets"] == ["demo"] and scans[0]["incomplete"] is False
    assert (
        len(
            json.loads(
                cli("history", "list", "--store", store_url, "--limit", "1", "--format", "json").stdout
            )
        )
        == 1
    )
    table = cli("history", "list", "--store", store_url)
    assert table.exit_code == 0 and r1["scan"]["id"] in table.stdout and "2 scans" in table.stdout

    show = cli("history", "show", r1["scan"]["id"], "--store", store_url, "--format", "json")
    assert show.exit_code == 0
    doc = json.loads(show.stdout)
    assert doc["summary"] == r1["summary"] and len(doc["findings"]) == len(r1["findings"])
    table = cli("history", "show", r1["scan"]["id"][:10], "--store", store_url)
    assert table.exit_code == 0 and r1["scan"]["id"] in table.stdout
    assert f"{len(r1['findings'])} findings" in table.stdout

    missing = cli("history", "show", "no-such-scan", "--store", store_url)
    assert missing.exit_code == 2 and "no scan" in missing.output


# -- trend --------------------------------------------------------------------------------------


def _result_at(when: datetime, keep: list[str], scan_id: str):
    r = build_result()
    r.scan_id = scan_id
    r.started_at = r.finished_at = when.isoformat(timespec="seconds").replace("+00:00", "Z")
    extra = {
        "c": make_finding(
            "sagemaker-notebook-no-direct-internet", "tf:aws_sagemaker_notebook_instance.c", "x"
        ),
        "d": make_finding(
            "sagemaker-notebook-no-direct-internet", "tf:aws_sagemaker_notebook_instance.d", "x"
        ),
    }
    r.findings = [f for f in r.findings if f.status != "fail" or f.muted] + [extra[k] for k in keep]
    return r, {k: extra[k].fingerprint for k in extra}


def test_trend_first_seen_and_time_to_fix(store_url):
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
    with open_store(store_url) as st:
        for i, (offset, keep) in enumerate([(0, ["c"]), (2, ["c", "d"]), (5, ["d"]), (9, ["d"])]):
            r, fps = _result_at(t0 + timedelta(days=offset, hours=i), keep, f"scan-{i}")
            st.save(r)
        t = st.trend()
        assert [s["id"] for s in t["scans"]] == ["scan-0", "scan-1", "scan-2", "scan-3"]
        assert [s["by_severity"]["high"] for s in t["scans"]] == [1, 2, 1, 1]
        lives = {f["fingerprint"]: f for f in t["fingerprints"]}
        c, d = lives[fps["c"]], lives[fps["d"]]
        assert c["first_seen"] == (t0).isoformat().replace("+00:00", "Z")
        assert c["state"] == "fixed" and c["fixed_scan"] == "scan-2"
        assert c["time_to_fix_s"] == int(timedelta(days=5, hours=2).total_seconds())
        assert d["first_seen"] == (t0 + timedelta(days=2, hours=1)).isoformat().replace("+00:00", "Z")
        assert d["state"] == "open" and d["time_to_fix_s"] is None
        # --days: only the last scans; c is outside the window entirely
        recent = st.trend(days=6)
        assert [s["id"] for s in recent["scans"]] == ["scan-2", "scan-3"]
        assert fps["c"] not in {f["fingerprint"] for f in recent["fingerprints"]}

    res = cli("history", "trend", "--store", store_url, "--format", "json")
    assert res.exit_code == 0 and len(json.loads(res.stdout)["scans"]) == 4
    table = cli("history", "trend", "--store", store_url)
    assert table.exit_code == 0 and "5d 2h 0m" in table.stdout and "fixed" in table.stdout


def test_shards_are_kept_apart(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with open_store(url) as st:
        for i, shard in enumerate(["acct-a", "acct-b", "acct-a"]):
            r, _ = _result_at(datetime(2025, 1, 1 + i, tzinfo=UTC), ["c"], f"s{i}")
            st.save(r, shard=shard)
        assert [s["id"] for s in st.list_scans(shard="acct-a")] == ["s2", "s0"]
        d = st.diff(shard="acct-a")
        assert (d["base"], d["head"]) == ("s0", "s2")
        st.save(_result_at(datetime(2025, 1, 1, tzinfo=UTC), [], "s0")[0], shard="acct-a")  # replaced
        assert len(st.diff("s0", "s2")["new"]) == 1


# -- URLs, defaults, failures -------------------------------------------------------------------


def test_bad_store_urls_exit_2(tmp_path):
    for url in ("mysql://u@h/db", "sqlite://"):
        res = cli("scan", "iac", str(DEMO), "-q", "--store", url)
        assert res.exit_code == 2, (url, res.output)
        assert "store" in res.output
    res = cli("history", "list", "--store", "postgresql://nobody@127.0.0.1:1/none")
    assert res.exit_code == 2 and "cannot connect" in res.output
    with pytest.raises(StoreError):
        check_url("ftp://x")


def test_write_failure_exits_2_after_the_reports(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    out = tmp_path / "r.json"
    res = cli("scan", "iac", str(DEMO), "-q", "-o", f"json={out}", "--store", f"sqlite:///{blocker}/h.db")
    assert res.exit_code == 2
    assert "not recorded" in res.output
    assert json.loads(out.read_text())["findings"]  # the report was written first


def test_default_store_in_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    inv = tmp_path / "inv.json"
    assert cli("scan", "iac", str(DEMO), "-q", "--save-inventory", str(inv)).exit_code == 1
    res = cli("scan", "inventory", str(inv), "-q", "--store")  # a bare --store: the default store
    assert res.exit_code == 1, res.output
    assert (tmp_path / "data" / "mlposture" / "history.db").is_file()
    scans = json.loads(cli("history", "list", "--format", "json").stdout)
    assert len(scans) == 1 and scans[0]["targets"] == [str(inv)]


def test_sqlite_store_never_imports_the_postgres_driver(tmp_path):
    code = (
        "import sys; from scanner.store import open_store\n"
        f"open_store('sqlite:///{tmp_path / 'h.db'}').close()\n"
        "print('PG', 'psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "PG False" in out
