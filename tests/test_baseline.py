"""Baselines by fingerprint: new, persisting and fixed findings, from a JSON report or a
baseline file, carried through the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reports.json_report import from_dict, to_dict
from scanner.baseline import BaselineError, compare, load_baseline, make_baseline
from scanner.engine import ScanOptions, scan_inventory
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, SourceRef

RULE = "sagemaker-notebook-no-direct-internet"
SCHEMA = json.loads((Path(__file__).parent.parent / "reports/schemas/report-v1.schema.json").read_text())


def scan(*open_names, muted=()):
    inv = Inventory()
    for name in ("a", "b", "c"):
        r = Resource(
            f"tf:aws_sagemaker_notebook_instance.{name}",
            "aws.sagemaker.notebook_instance",
            "aws",
            name,
            attrs={"direct_internet_access": name in open_names},
            source=SourceRef("iac", "nb.tf", 1, 5, dialect="terraform"),
        )
        inv.add(r)
    res = scan_inventory(inv, ScanOptions(include_rules=[RULE]))
    for f in res.findings:
        f.muted = f.resource.name in muted
    return res


def test_new_persisting_fixed():
    old = to_dict(scan("a", "b"))
    cur = scan("b", "c")
    comp = compare(cur, load_entries(old), "old.json")
    by_name = {f.fingerprint: f.resource.name for f in cur.findings}
    assert [by_name[fp] for fp in comp.new] == ["c"]
    assert [by_name[fp] for fp in comp.persisting] == ["b"]
    assert [f["resource"]["name"] for f in comp.fixed] == ["a"]


def test_muted_in_the_baseline_is_new_when_it_fails_now():
    old = to_dict(scan("a", muted=("a",)))
    cur = scan("a")
    assert len(compare(cur, load_entries(old), "old").new) == 1


def test_baseline_file_round_trip_and_no_evidence(tmp_path):
    report = to_dict(scan("a"))
    base = make_baseline(report)
    assert "evidence" not in json.dumps(base)
    p = tmp_path / "base.json"
    p.write_text(json.dumps(base))
    cur = scan("a", "b")
    comp = compare(cur, load_baseline(p), str(p))
    assert len(comp.new) == 1 and len(comp.persisting) == 1 and not comp.fixed
    doc = to_dict(cur)
    jsonschema.validate(doc, SCHEMA)
    assert from_dict(doc).comparison.new == comp.new


def test_bad_baselines(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    with pytest.raises(BaselineError):
        load_baseline(p)
    p.write_text('{"baseline_version": "9", "findings": []}')
    with pytest.raises(BaselineError, match="unsupported"):
        load_baseline(p)
    with pytest.raises(BaselineError, match="cannot read"):
        load_baseline(tmp_path / "missing.json")


def load_entries(report: dict) -> list[dict]:
    from scanner.baseline import baseline_entries

    return baseline_entries(report)


def test_cli_baseline_gates_only_new_findings(tmp_path):
    """A baseline made from the demo makes the unchanged demo pass the gate; one new flaw fails it."""
    import shutil

    from click.testing import CliRunner

    from scanner.cli import main

    demo = tmp_path / "demo"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "demo", demo)
    first = tmp_path / "first.json"
    r = CliRunner().invoke(main, ["scan", "iac", str(demo), "-q", "-o", f"json={first}"])
    assert r.exit_code == 1, r.output
    again = CliRunner().invoke(main, ["scan", "iac", str(demo), "-q", "--baseline", str(first)])
    assert again.exit_code == 0, again.output
    (demo / "terraform" / "new_flaw.tf").write_text(
        'resource "aws_sagemaker_notebook_instance" "added" {\n'
        '  name          = "added"\n  role_arn      = "arn:aws:iam::123456789012:role/x"\n'
        '  instance_type = "ml.t3.medium"\n  direct_internet_access = "Enabled"\n}\n'
    )
    out = tmp_path / "third.json"
    third = CliRunner().invoke(
        main, ["scan", "iac", str(demo), "-q", "--baseline", str(first), "-o", f"json={out}"]
    )
    assert third.exit_code == 1, third.output
    comp = json.loads(out.read_text())["comparison"]
    assert comp["new"] and not comp["fixed"]
    bad = CliRunner().invoke(
        main, ["scan", "iac", str(demo), "-q", "--baseline", str(tmp_path / "nope.json")]
    )
    assert bad.exit_code == 2


def test_cli_baseline_create(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    demo = Path(__file__).parent.parent / "fixtures" / "demo"
    report = tmp_path / "scan.json"
    CliRunner().invoke(main, ["scan", "iac", str(demo), "-q", "-o", f"json={report}"])
    base = tmp_path / "b" / "baseline.json"
    r = CliRunner().invoke(main, ["baseline", "create", str(report), "-o", str(base)])
    assert r.exit_code == 0, r.output
    data = json.loads(base.read_text())
    assert data["baseline_version"] == "1" and data["findings"]
    assert all("evidence" not in f for f in data["findings"])
    again = CliRunner().invoke(main, ["scan", "iac", str(demo), "-q", "--baseline", str(base)])
    assert again.exit_code == 0, again.output
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    assert CliRunner().invoke(main, ["baseline", "create", str(bad), "-o", str(base)]).exit_code == 2
