"""`mlposture paths`, `who-can` and `graph export`, and privilege paths inside `scan`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from click.testing import CliRunner
from conftest import REPO

from scanner.cli import main
from scanner.engine import ScanOptions, scan_iac

FX = REPO / "fixtures" / "graph" / "aws"
CHAIN = str(FX / "role_chain")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_paths_lists_the_chain_with_its_steps():
    r = run("paths", "--from", "dev", "--to", "admin", CHAIN)
    assert r.exit_code in (0, 3), r.output
    assert "tf:aws_iam_user.dev -[aws-sts-assume-role sts:AssumeRole]-> tf:aws_iam_role.hop" in r.output
    assert "tf:aws_iam_role.target -[aws-admin-access *]-> ADMIN@aws:111122223333" in r.output


def test_paths_json_and_a_named_target():
    r = run(
        "paths",
        "--from",
        "tf:aws_iam_user.dev",
        "--to",
        "arn:aws:iam::111122223333:role/target",
        "--format",
        "json",
        CHAIN,
    )
    out = json.loads(r.stdout)
    (paths,) = out["targets"].values()
    assert paths[0]["nodes"] == ["tf:aws_iam_user.dev", "tf:aws_iam_role.hop", "tf:aws_iam_role.target"]
    assert [s["technique"] for s in paths[0]["steps"]] == ["aws-sts-assume-role"] * 2


def test_paths_usage_errors_exit_2():
    assert run("paths", "--from", "nobody", "--to", "admin", CHAIN).exit_code == 2
    assert run("paths", "--from", "dev", "--to", "admin").exit_code == 2  # no input
    r = run("paths", "--from", "dev", "--to", "admin", CHAIN, "--inventory", str(FX / "README.md"))
    assert r.exit_code == 2


def test_who_can_names_the_granting_policy_and_transitive_principals():
    r = run(
        "who-can", "iam:PutUserPolicy", "arn:aws:iam::111122223333:user/dev", str(FX / "own_policy_resource")
    )
    assert "tf:aws_iam_user.dev  [certain]  granted by tf:aws_iam_user.dev inline policy" in r.output
    r = run("who-can", "s3:GetObject", "arn:aws:s3:::any/thing", "--transitive", "--format", "json", CHAIN)
    got = {(a["principal"], a["via"]) for a in json.loads(r.stdout)}
    assert ("tf:aws_iam_role.target", None) in got
    assert ("tf:aws_iam_user.dev", "tf:aws_iam_role.target") in got
    r = run(
        "who-can", "iam:PutUserPolicy", "arn:aws:iam::111122223333:user/dev", str(FX / "deny_same_policy")
    )
    assert "no principal may" in r.output


def test_graph_export_json_and_graphml_from_a_saved_inventory(tmp_path):
    _, inv = scan_iac([FX / "split_policies"])
    inv.save(tmp_path / "inv.json")
    r = run(
        "graph",
        "export",
        "--format",
        "json",
        "-o",
        str(tmp_path / "g.json"),
        "--inventory",
        str(tmp_path / "inv.json"),
    )
    assert r.exit_code in (0, 3), r.output
    doc = json.loads((tmp_path / "g.json").read_text())
    ids = {n["id"] for n in doc["nodes"]}
    assert {"tf:aws_iam_user.dev", "tf:aws_iam_role.deployer", "ADMIN@aws:111122223333"} <= ids
    assert any(e["technique"] == "aws-lambda-create-invoke" for e in doc["edges"])
    run(
        "graph",
        "export",
        "--format",
        "graphml",
        "-o",
        str(tmp_path / "g.graphml"),
        "--inventory",
        str(tmp_path / "inv.json"),
    )
    root = ET.parse(tmp_path / "g.graphml").getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall("g:graph/g:node", ns)) == len(doc["nodes"])
    assert len(root.findall("g:graph/g:edge", ns)) == len(doc["edges"])


def test_scan_includes_paths_and_selection_can_skip_them(tmp_path):
    result, _ = scan_iac([CHAIN])
    assert "privilege-path-admin" in {f.rule_id for f in result.findings}
    assert result.rules["privilege-path-admin"]["category"] == "privilege-path"
    for opts in (
        ScanOptions(categories=["iam"]),
        ScanOptions(exclude_rules=["privilege-path-admin"]),
        ScanOptions(include_rules=["iam-role-trust-no-wildcard"]),
    ):
        result, _ = scan_iac([CHAIN], opts)
        assert "privilege-path-admin" not in {f.rule_id for f in result.findings}
        assert "privilege-path-admin" not in result.rules


def test_config_suppression_mutes_a_path_finding(tmp_path):
    from scanner.suppress import load_config

    cfg = tmp_path / ".mlposture.yaml"
    cfg.write_text(
        "suppressions:\n  - rule: privilege-path-admin\n    resource: 'tf:aws_iam_user.dev'\n    reason: accepted risk\n"
    )
    result, _ = scan_iac([CHAIN], ScanOptions(config=load_config(cfg), today="2026-01-01"))
    (f,) = [
        f
        for f in result.findings
        if f.rule_id == "privilege-path-admin" and f.resource.uid == "tf:aws_iam_user.dev"
    ]
    assert f.muted and "accepted risk" in f.mute_reason
