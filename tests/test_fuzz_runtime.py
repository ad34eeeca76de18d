"""Property tests for every runtime reader: the audit-log readers (CloudTrail delivered files
and EventBridge lines, GCP sink lines and `gcloud logging read` arrays, Kubernetes audit
lines), the declared runtime policy and GPU node snapshots. No input crashes the monitor;
every bad record is counted and reported with its file and line (or record number), the
good records around it are still read, and nothing unread passes as "no anomaly".

Inputs are mutations of the fixtures (cut, spliced, bytes flipped, truncated gzip), odd
JSON values dropped into valid skeletons (a list for `eventTime`, a string for
`userIdentity`, null for `protoPayload`, huge strings, deep nesting), and arbitrary bytes.
The example budget is small in CI; `MLPOSTURE_FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz_runtime.py` (or `bench/fuzz.sh`, every fuzz file) runs a long campaign.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import math
import os
import tempfile
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime_monitor.audit.event import AuditEvent
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.readers import read
from runtime_monitor.audit.run import AuditOptions, run_audit
from runtime_monitor.audit.sources import Input
from runtime_monitor.gpu.snapshot import SnapshotError, load_snapshot
from runtime_monitor.monitor import evaluate
from runtime_monitor.policy import TEMPLATE_PATH, PolicyError, load_policy, parse_policy
from scanner.cli import main
from scanner.gate import exit_code

EXAMPLES = int(os.environ.get("MLPOSTURE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

REPO = Path(__file__).resolve().parent.parent
AUDIT = REPO / "fixtures" / "audit"
DAY7 = AUDIT / "cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/07"
SNAPS = REPO / "fixtures" / "runtime" / "snapshots"
GPU_POLICY = REPO / "fixtures" / "runtime" / "policies" / "platform.yaml"
AUDIT_POLICY = AUDIT / "policy.yaml"

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)
# what lands in a valid skeleton: any JSON value, a huge string, a deep nest
ODD_VALUES = st.one_of(
    JSON_VALUES,
    st.just("x" * 200_000),
    st.integers(1, 400).map(lambda n: json.loads("[" * n + "]" * n)),
    st.sampled_from(["2026-13-45T99:99:99Z", "2026-11-07T01:13:00+99:00", "", "Z" * 30, "\udcff"]),
)


def _mutate(seed: bytes | str):
    """Cut, splice, flip, truncate and duplicate: realistic damage to a valid input."""
    n = len(seed)
    noise = st.binary(max_size=40) if isinstance(seed, bytes) else st.text(max_size=40)
    cut = st.tuples(st.integers(0, n), st.integers(0, n)).map(lambda ab: seed[: min(ab)] + seed[max(ab) :])
    insert = st.tuples(st.integers(0, n), noise).map(lambda t: seed[: t[0]] + t[1] + seed[t[0] :])
    truncate = st.integers(0, n).map(lambda i: seed[:i])
    dup = st.tuples(st.integers(0, n), st.integers(0, n)).map(
        lambda ab: seed[: max(ab)] + seed[min(ab) : max(ab)] + seed[max(ab) :]
    )
    if isinstance(seed, bytes) and n:
        flip = st.tuples(st.integers(0, n - 1), st.integers(1, 255)).map(
            lambda t: seed[: t[0]] + bytes([seed[t[0]] ^ t[1]]) + seed[t[0] + 1 :]
        )
        return st.one_of(cut, insert, truncate, dup, flip)
    return st.one_of(cut, insert, truncate, dup)


def _paths(node, prefix=()):
    """Every path into a JSON value (keys and indexes), the root included."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _replace(doc, path, value, delete=False):
    """A copy of `doc` with the value at `path` replaced (or deleted)."""
    if not path:
        return value
    out = copy.deepcopy(doc)
    node = out
    for p in path[:-1]:
        node = node[p]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def _odd_skeleton(seed):
    """`seed` with one value (or key) anywhere in it replaced by an odd one, or deleted."""
    paths = list(_paths(seed))
    return st.tuples(st.sampled_from(paths), ODD_VALUES, st.booleans()).map(
        lambda t: _replace(seed, t[0], t[1], delete=t[2] and bool(t[0]))
    )


# ================================================================== audit-log readers


def _valid_lines(path: Path) -> list[str]:
    """The fixture's lines that are whole JSON (the fixtures hold a half-written line on purpose)."""
    out = []
    for ln in path.read_text().splitlines():
        try:
            json.loads(ln)
        except ValueError:
            continue
        out.append(ln)
    return out


CT_RECORDS = json.loads(gzip.decompress(sorted(DAY7.iterdir())[0].read_bytes()))["Records"][:6]
EB_LINES = _valid_lines(AUDIT / "cloudtrail/eventbridge/sagemaker-api-calls.jsonl")
GCP_LINES = _valid_lines(AUDIT / "gcp/cloudaudit-sink.jsonl")[:6]
GCP_ARRAY = json.loads((AUDIT / "gcp/gcloud-logging-read.json").read_text())[:3]
K8S_LINES = [
    ln
    for ln in _valid_lines(AUDIT / "k8s/audit.log")
    if '"exec"' not in ln and '"attach"' not in ln and '"portforward"' not in ln  # no stage dedup
][:6]

CT_FILE = json.dumps({"Records": CT_RECORDS}).encode()
CT_FILE_GZ = gzip.compress(CT_FILE, mtime=0)
# (provider, file name, seed bytes)
SEEDS = {
    "cloudtrail-file": ("aws", "d.json.gz", CT_FILE_GZ),
    "cloudtrail-file-plain": ("aws", "d.json", CT_FILE),
    "eventbridge": ("aws", "eb.jsonl", "\n".join(EB_LINES).encode() + b"\n"),
    "gcp-lines": ("gcp", "sink.jsonl", "\n".join(GCP_LINES).encode() + b"\n"),
    "gcp-lines-gz": ("gcp", "sink.jsonl.gz", gzip.compress("\n".join(GCP_LINES).encode(), mtime=0)),
    "gcp-array": ("gcp", "gcloud.json", json.dumps(GCP_ARRAY, indent=2).encode()),
    "k8s": ("k8s", "audit.log", "\n".join(K8S_LINES).encode() + b"\n"),
    "k8s-gz": ("k8s", "audit.log.gz", gzip.compress("\n".join(K8S_LINES).encode(), mtime=0)),
}
SOURCE = {"aws": "cloudtrail", "gcp": "gcp-audit", "k8s": "k8s-audit"}
WHOLE_INPUT_REASONS = {"malformed JSON", "truncated gzip", "unreadable input"}
_STR_FIELDS = [
    f.name for f in fields(AuditEvent) if f.type in ("str", str) and f.name not in ("provider", "outcome")
]


def _mem(name: str, data: bytes) -> Input:
    return Input(name, lambda: io.BytesIO(data))


def _plain(data: bytes) -> bytes | None:
    """The decompressed bytes, None where the gzip is damaged."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, Exception):
        return None


def read_checked(provider: str, name: str, data: bytes):
    """Read one input; it must not raise, and what it gives must hold together."""
    stats = ReadStats()
    events = list(read(provider, [_mem(name, data)], stats))
    assert stats.files[provider] == 1
    for ev in events:  # a well-typed event whatever the record held
        assert ev.provider == provider and ev.outcome in ("success", "failure", "unknown")
        assert isinstance(ev.time, float | int) and math.isfinite(ev.time)
        for f in _STR_FIELDS:
            assert isinstance(getattr(ev, f), str), (f, getattr(ev, f))
        assert isinstance(ev.resources, tuple) and all(isinstance(r, str) for r in ev.resources)
        assert ev.principal and ev.file == name
        assert ev.line is None or isinstance(ev.line, int)
        assert isinstance(ev.record, int) and ev.record >= 1
        assert ev.bytes_out is None or isinstance(ev.bytes_out, int)
        assert isinstance(ev.request, dict)
        ev.where, ev.iso_time  # noqa: B018 - both render
    for p in stats.problems.samples:  # every problem says where
        assert p.source == SOURCE[provider] and p.file == name and p.reason
        assert p.line is not None or p.record is not None or p.reason in WHOLE_INPUT_REASONS, p
        assert len(p.detail) <= 200
    for e in stats.problems.scan_errors():
        assert e.reason and e.unscanned and len(e.reason) < 1000
    assert stats.events[provider] == len(events)
    _nothing_unseen(provider, data, events, stats)
    return events, stats


def _nothing_unseen(provider, data, events, stats):
    """Every non-blank line (every array element, every record of a file) became an event, a
    counted skip or a counted problem."""
    accounted = len(stats.problems) + sum(stats.skipped.values())
    plain = _plain(data)
    if plain is None:  # damaged gzip: the damage itself is reported
        assert len(stats.problems) >= 1
        return
    head = plain.lstrip()[:64]
    if provider == "aws" and head.startswith(b"{") and b'"Records"' in head.replace(b" ", b""):
        try:
            records = json.loads(plain)["Records"]
            assert isinstance(records, list)
        except Exception:
            assert len(stats.problems) >= 1
            return
        assert stats.records["aws"] <= len(records) and len(events) + accounted >= len(records)
        return
    if provider == "gcp" and head.startswith(b"[") and not _gcp_lines_after_an_array_line(plain):
        try:
            items = json.loads(plain)
        except Exception:
            assert len(stats.problems) >= 1
            return
        assert len(events) + accounted >= len(items)
        return
    lines = [ln for ln in plain.split(b"\n") if ln.strip()]
    with_events = {ev.line for ev in events}
    unaccounted = 0
    for n, ln in enumerate(plain.split(b"\n"), 1):
        if not ln.strip() or n in with_events:
            continue
        try:
            obj = json.loads(ln)
            if isinstance(obj, dict) and (obj.get("Records") == [] or obj.get("items") == []):
                continue  # an empty delivery or EventList: nothing to read
        except Exception:
            pass
        unaccounted += 1
    assert unaccounted <= accounted, (unaccounted, accounted, len(lines))


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_audit_seeds_read_cleanly(seed):
    provider, name, data = SEEDS[seed]
    events, stats = read_checked(provider, name, data)
    assert events and not stats.problems.counts, stats.problems.samples


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_damaged_audit_inputs_never_crash(seed):
    provider, name, data = SEEDS[seed]

    @FUZZ
    @given(_mutate(data))
    def check(damaged):
        read_checked(provider, name, damaged)

    check()


@pytest.mark.parametrize("provider, name", [("aws", "x.json"), ("gcp", "x.json"), ("k8s", "x.log")])
def test_arbitrary_bytes_never_crash_a_reader(provider, name):
    @FUZZ
    @given(
        st.one_of(
            st.binary(max_size=400),
            st.binary(max_size=400).map(lambda b: b"[" + b),
            st.binary(max_size=400).map(lambda b: b'{"Records": [' + b),
            st.binary(max_size=400).map(lambda b: gzip.compress(b, mtime=0)),
        )
    )
    def check(data):
        read_checked(provider, name, data)

    check()


def _lines_around(provider, name, good: list[str], bad: str, at: int):
    """`bad` as line at+1 among the good lines: the good ones are all read, the bad one is an
    event, a skip or a problem at its own line."""
    bad = bad.replace("\n", " ").replace("\r", " ")
    lines = [*good[:at], bad, *good[at:]]
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    events, stats = read_checked(provider, name, data)
    alone, _ = read_checked(provider, name, "\n".join(good).encode())
    bad_line = at + 1
    got = {ev.line for ev in events}
    for ev in alone:  # every good record around the bad one is still read, at its shifted line
        shifted = ev.line if ev.line <= at else ev.line + 1
        assert any(e.raw_id == ev.raw_id and e.line == shifted for e in events), ev.raw_id
    if bad_line not in got and bad.strip():
        at_bad = [p for p in stats.problems.samples if p.line == bad_line]
        assert at_bad or sum(stats.skipped.values()) or _empty_batch(bad), (bad[:200], stats.problems.samples)


def _gcp_lines_after_an_array_line(plain: bytes) -> bool:
    """The reader's rule: a first line that is a whole JSON value, with more lines after it,
    makes the file JSON lines even when that line is an array."""
    first, nl, rest = plain.lstrip().partition(b"\n")
    if not nl or not rest.strip():
        return False
    import orjson  # the reader's parser: the same lines count as whole values

    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return True


def _empty_batch(line: str) -> bool:
    try:
        obj = json.loads(line)
    except Exception:
        return False
    return isinstance(obj, dict) and (obj.get("Records") == [] or obj.get("items") == [])


LINE_SEEDS = {
    "eventbridge": ("aws", "eb.jsonl", EB_LINES, lambda s: s),
    "cloudtrail-record-line": ("aws", "ct.jsonl", [json.dumps(r) for r in CT_RECORDS], lambda s: s),
    "gcp": ("gcp", "sink.jsonl", GCP_LINES, lambda s: s),
    "k8s": ("k8s", "audit.log", K8S_LINES, lambda s: s),
}


@pytest.mark.parametrize("seed", sorted(LINE_SEEDS))
def test_a_record_with_odd_values_is_reported_and_its_neighbours_read(seed):
    provider, name, good, _ = LINE_SEEDS[seed]
    docs = [json.loads(x) for x in good]

    @FUZZ
    @given(st.integers(0, len(docs) - 1), st.integers(0, len(docs)), st.data())
    def check(which, at, data):
        odd = data.draw(_odd_skeleton(docs[which]))
        _lines_around(provider, name, good, json.dumps(odd), at)

    check()


@pytest.mark.parametrize("first", ["[]", '[{"logName": "x"}]', "[1, 2]"])
def test_a_gcp_sink_file_whose_first_line_is_an_array_is_still_json_lines(first):
    """Found by the 5,000-example campaign: a JSON-lines file whose first line is an array was
    read as one array, and the data after it ended the read, losing every good record."""
    _lines_around("gcp", "sink.jsonl", GCP_LINES, first, 0)


def test_gcp_array_files_still_read_as_arrays():
    docs = [json.loads(x) for x in GCP_LINES]
    pretty, _ = read_checked("gcp", "read.json", json.dumps(docs, indent=2).encode())
    one_line, _ = read_checked("gcp", "read.json", json.dumps(docs).encode())
    lines, _ = read_checked("gcp", "sink.jsonl", "\n".join(GCP_LINES).encode())
    assert [e.raw_id for e in pretty] == [e.raw_id for e in one_line] == [e.raw_id for e in lines]
    assert pretty


@pytest.mark.parametrize("seed", sorted(LINE_SEEDS))
def test_a_damaged_line_is_reported_and_its_neighbours_read(seed):
    provider, name, good, _ = LINE_SEEDS[seed]

    @FUZZ
    @given(st.integers(0, len(good) - 1), st.integers(0, len(good)), st.data())
    def check(which, at, data):
        bad = data.draw(_mutate(good[which]))
        _lines_around(provider, name, good, bad, at)

    check()


@FUZZ
@given(st.integers(0, len(CT_RECORDS) - 1), st.data())
def test_cloudtrail_file_with_an_odd_record_reads_the_others(which, data):
    odd = data.draw(_odd_skeleton(CT_RECORDS[which]))
    records = [*CT_RECORDS[:which], odd, *CT_RECORDS[which + 1 :]]
    events, stats = read_checked("aws", "d.json.gz", gzip.compress(json.dumps({"Records": records}).encode()))
    others = {r["eventID"] for i, r in enumerate(CT_RECORDS) if i != which}
    assert others <= {e.raw_id for e in events}
    if which + 1 not in {e.record for e in events}:
        bad = [p for p in stats.problems.samples if p.record == which + 1]
        assert bad or sum(stats.skipped.values()), stats.problems.samples


@FUZZ
@given(st.integers(0, len(GCP_ARRAY) - 1), st.data())
def test_gcloud_array_with_an_odd_entry_reads_the_others(which, data):
    odd = data.draw(_odd_skeleton(GCP_ARRAY[which]))
    entries = [*GCP_ARRAY[:which], odd, *GCP_ARRAY[which + 1 :]]
    events, stats = read_checked("gcp", "g.json", json.dumps(entries, indent=1).encode())
    others = {e["insertId"] for i, e in enumerate(GCP_ARRAY) if i != which}
    assert others <= {e.raw_id for e in events}


# -- through the whole audit run: no crash in detections, and bad input is never a clean pass

_AUDIT_POLICY = load_policy(AUDIT_POLICY)


def _run(provider: str, name: str, data: bytes):
    with tempfile.TemporaryDirectory(prefix="fuzz-audit-") as d:
        p = Path(d) / name
        p.write_bytes(data)
        opts = AuditOptions(**{{"aws": "cloudtrail", "gcp": "gcp", "k8s": "k8s"}[provider]: [str(p)]})
        result = run_audit(_AUDIT_POLICY, opts)
        result.to_json() if hasattr(result, "to_json") else None
        return result


@pytest.mark.parametrize("seed", ["cloudtrail-file", "eventbridge", "gcp-array", "gcp-lines", "k8s"])
def test_a_damaged_audit_run_is_never_a_clean_pass(seed):
    provider, name, data = SEEDS[seed]
    docs = None if seed in ("cloudtrail-file", "gcp-array") else [json.loads(x) for x in data.splitlines()]

    @FUZZ
    @given(st.data())
    def check(draw):
        if docs is not None and draw.draw(st.booleans()):
            i = draw.draw(st.integers(0, len(docs) - 1))
            odd = draw.draw(_odd_skeleton(docs[i]))
            lines = [json.dumps(d) for d in docs]
            lines[i] = json.dumps(odd)
            damaged = "\n".join(lines).encode()
        else:
            damaged = draw.draw(_mutate(data))
        stats = ReadStats()
        list(read(provider, [_mem(name, damaged)], stats))
        result = _run(provider, name, damaged)
        if len(stats.problems):
            assert result.errors and result.incomplete
            assert exit_code(result, "critical") != 0
        for e in result.errors:
            assert e.reason and e.unscanned

    check()


# -- hostile, one at a time


@pytest.mark.parametrize("provider, name", [("gcp", "g.json"), ("aws", "ct.json")])
def test_deeply_nested_array_elements_are_a_problem(provider, name, monkeypatch):
    from runtime_monitor.audit.readers import cloudtrail

    monkeypatch.setattr(cloudtrail, "WHOLE_FILE_LIMIT", 10)  # CloudTrail's streaming path
    good = json.dumps(CT_RECORDS[0] if provider == "aws" else GCP_ARRAY[0])
    deep = "[" * 100_000 + "]" * 100_000
    body = f"[{good}, {deep}, {good}]"
    data = (body if provider == "gcp" else '{"Records": ' + body + "}").encode()
    events, stats = read_checked(provider, name, data)
    assert len(events) >= 1 and len(stats.problems) >= 1
    assert all(p.file == name for p in stats.problems.samples)


@pytest.mark.parametrize("seed", ["eventbridge", "gcp", "k8s"])
def test_deeply_nested_line_is_a_problem_and_the_next_is_read(seed):
    provider, name, good, _ = LINE_SEEDS[seed]
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    events, stats = read_checked(provider, name, "\n".join([deep, *good]).encode())
    assert [p.line for p in stats.problems.samples] == [1]
    assert len(events) >= 1


def test_non_utf8_line_is_a_problem_and_the_rest_is_read():
    data = b'{"apiVersion": "audit.k8s.io/v1", "kind": "Event", "user": {"username": "\xff\xfe"}}\n'
    data += "\n".join(K8S_LINES).encode()
    events, stats = read_checked("k8s", "a.log", data)
    assert [p.line for p in stats.problems.samples] == [1] and len(events) >= 1


def test_data_after_a_gcloud_array_is_reported():
    data = json.dumps(GCP_ARRAY).encode() + b"\n{garbage"
    events, stats = read_checked("gcp", "g.json", data)
    assert len(events) == len(GCP_ARRAY) and len(stats.problems) == 1


def test_an_event_list_without_a_list_of_items_is_reported():
    events, stats = read_checked(
        "k8s", "a.log", b'{"apiVersion": "audit.k8s.io/v1", "kind": "EventList", "items": "x"}\n'
    )
    assert not events and stats.problems.samples[0].line == 1


# ================================================================== declared runtime policy

POLICY_SEEDS = {
    "platform.yaml": GPU_POLICY.read_text(),
    "audit-policy.yaml": AUDIT_POLICY.read_text(),
    "init.yaml": TEMPLATE_PATH.read_text(),
}
_SNAPSHOT = load_snapshot(SNAPS / "t4-time-sliced.json")


def policy_checked(text: str, name: str = "p.yaml"):
    """parse_policy either gives a policy the monitor can use, or a PolicyError whose every
    issue names the file, a line where it has a path, and a message."""
    try:
        policy = parse_policy(text, name)
    except PolicyError as e:
        assert e.issues
        for issue in e.issues:
            assert issue.file == name and issue.message.strip()
            assert issue.path == "" or issue.line, issue
            assert str(issue).startswith(name)
        assert str(e).count(name) >= len(e.issues)
        return None
    # a valid policy is usable by both monitors
    from runtime_monitor.audit.declared import Declared

    Declared(policy)
    evaluate(_SNAPSHOT, policy, today="2026-11-08")
    return policy


@pytest.mark.parametrize("name", sorted(POLICY_SEEDS))
def test_policy_seeds_are_valid(name):
    assert policy_checked(POLICY_SEEDS[name]) is not None


@pytest.mark.parametrize("name", sorted(POLICY_SEEDS))
def test_damaged_policies_give_issues_not_tracebacks(name):
    @FUZZ
    @given(_mutate(POLICY_SEEDS[name]))
    def check(text):
        policy_checked(text)

    check()


@pytest.mark.parametrize("name", sorted(POLICY_SEEDS))
def test_policies_with_odd_values_give_issues_with_paths(name):
    doc = yaml.safe_load(POLICY_SEEDS[name])

    @FUZZ
    @given(_odd_skeleton(doc), st.booleans())
    def check(odd, as_json):
        text = json.dumps(odd, indent=1) if as_json else yaml.safe_dump(odd, sort_keys=False)
        policy_checked(text)

    check()


@FUZZ
@given(st.one_of(JSON_VALUES.map(yaml.safe_dump), JSON_VALUES.map(json.dumps), st.text(max_size=300)))
def test_arbitrary_policy_shapes_give_issues(text):
    policy_checked(text)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_policy_bytes_give_issues(data):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "p.yaml"
        p.write_bytes(data)
        try:
            load_policy(p)
        except PolicyError as e:
            assert all(i.file == str(p) and i.message for i in e.issues)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + "".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "refused",
        ),
        ("apiVersion: mlposture.dev/v1alpha1\npools: " + "[" * 5000 + "]" * 5000 + "\n", "nesting depth"),
        ('{"pools": ' + "[" * 100_000 + "]" * 100_000 + "}", "nesting depth"),
        ("pools:\n" + "".join("  " * i + "- \n" for i in range(1, 300)), ""),
    ],
    ids=["billion-laughs", "deep-yaml", "deep-json", "deep-block"],
)
def test_policy_bombs_are_refused(text, words):
    with pytest.raises(PolicyError) as e:
        parse_policy(text, "bomb.yaml")
    assert words in str(e.value) and "bomb.yaml" in str(e.value)


def test_policy_validate_cli_never_shows_a_traceback(tmp_path):
    bad = [
        b"\xff\xfe not utf-8",
        b"pools: [",
        b"- a\n- b\n",
        b"apiVersion: mlposture.dev/v1alpha1\nkind: RuntimePolicy\npools: [{name: 3, isolation: [x]}]\n",
        POLICY_SEEDS["platform.yaml"].encode()[:200],
    ]
    for i, data in enumerate(bad):
        p = tmp_path / f"p{i}.yaml"
        p.write_bytes(data)
        r = CliRunner().invoke(main, ["policy", "validate", str(p)])
        assert r.exit_code == 2, r.output
        assert "Traceback" not in r.output and f"p{i}.yaml" in r.output
        assert r.exception is None or isinstance(r.exception, SystemExit)


# ================================================================== GPU node snapshots

SNAPSHOT_SEEDS = {p.name: p.read_text() for p in sorted(SNAPS.glob("*.json"))}
_GPU_POLICY = load_policy(GPU_POLICY)


def snapshot_checked(data: str | bytes, name: str = "snap.json"):
    """load_snapshot gives a snapshot every check can read, or a SnapshotError that names
    the file and each problem."""
    with tempfile.TemporaryDirectory(prefix="fuzz-snap-") as d:
        p = Path(d) / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))
        try:
            snap = load_snapshot(p)
        except SnapshotError as e:
            assert e.file == str(p) and e.problems
            for _, msg in e.problems:
                assert msg.strip()
            assert str(e).startswith(str(p)) and len(str(e)) < 100_000
            return None
        result, _ = evaluate(snap, _GPU_POLICY, today="2026-11-08")
        result.to_json() if hasattr(result, "to_json") else None
        return snap


@pytest.mark.parametrize("name", sorted(SNAPSHOT_SEEDS))
def test_snapshot_seeds_load(name):
    assert snapshot_checked(SNAPSHOT_SEEDS[name]) is not None


@pytest.mark.parametrize("name", ["a100-mig-two-tenants.json", "t4-time-sliced.json", "a100-nonroot.json"])
def test_damaged_snapshots_give_clear_errors(name):
    @FUZZ
    @given(_mutate(SNAPSHOT_SEEDS[name]))
    def check(text):
        snapshot_checked(text)

    check()


@pytest.mark.parametrize("name", sorted(SNAPSHOT_SEEDS))
def test_snapshots_with_odd_values_give_clear_errors(name):
    doc = json.loads(SNAPSHOT_SEEDS[name])

    @FUZZ
    @given(_odd_skeleton(doc))
    def check(odd):
        snapshot_checked(json.dumps(odd))

    check()


@FUZZ
@given(st.one_of(st.binary(max_size=300), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_snapshot_bytes_give_clear_errors(data):
    snapshot_checked(data)


@pytest.mark.parametrize(
    "text",
    [
        '{"schema_version": 1, "nvml": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"schema_version": 1, "nvml": {}, "taken_at": "\\udcff"}',
        "",
        "null",
        '{"schema_version": 1, "nvml": {"gpus": [' + ",".join(["{}"] * 5000) + "]}}",
    ],
    ids=["deep", "lone-surrogate", "empty", "null", "many-gpus"],
)
def test_hostile_snapshots_are_errors(text):
    assert snapshot_checked(text) is None


def test_a_snapshot_that_did_not_load_never_passes(tmp_path):
    seed = SNAPSHOT_SEEDS["h100-cc-exclusive.json"]  # clean: a pass exits 0
    for i, text in enumerate(
        [seed[: len(seed) // 2], seed.replace('"schema_version": 1', '"schema_version": "1"'), "[]"]
    ):
        p = tmp_path / f"s{i}.json"
        p.write_text(text)
        r = CliRunner().invoke(
            main, ["monitor", "gpu", "--policy", str(GPU_POLICY), "--once", "--from-snapshot", str(p)]
        )
        assert r.exit_code == 2, r.output
        assert f"s{i}.json" in r.output and "Traceback" not in r.output
