"""Compliance maps (rules/frameworks/*.yaml): valid, naming only rules that exist, copied
onto each rule's metadata at load time, and `--compliance` on scans and `rules list`."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import json_report_errors

from reports.html import render as render_html
from reports.json_report import from_dict
from reports.markdown import render as render_md
from rules.compliance import (
    FRAMEWORKS_DIR,
    FrameworkError,
    _load_one,
    get_framework,
    load_frameworks,
    map_problems,
    requirement_status,
)
from rules.loader import load_catalogue
from scanner.cli import main
from scanner.model.finding import Evidence, Finding, FindingResource

DEMO = "fixtures/demo"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_map_loads_with_its_fields():
    frameworks = load_frameworks()
    assert {"owasp-ml-2023", "owasp-llm-2025", "mitre-atlas", "cis-aws-3.0", "cis-k8s-1.9"} <= set(frameworks)
    for fw in frameworks.values():
        assert fw.name and fw.version and fw.url.startswith("https://"), fw.id
        assert fw.requirements, fw.id
        assert all(r.id and r.title for r in fw.requirements), fw.id


def test_owasp_and_atlas_ids_are_the_published_ones():
    fws = load_frameworks()
    assert [r.id for r in fws["owasp-ml-2023"].requirements] == [f"ML{i:02d}" for i in range(1, 11)]
    assert [r.id for r in fws["owasp-llm-2025"].requirements] == [f"LLM{i:02d}" for i in range(1, 11)]
    for r in fws["mitre-atlas"].requirements:
        assert re.fullmatch(r"AML\.T\d{4}(\.\d{3})?", r.id), r.id


def test_maps_name_only_rules_that_exist():
    assert map_problems(load_catalogue().by_id) == []


def test_an_unknown_rule_id_in_a_map_is_reported():
    assert map_problems(set()), "every map names at least one rule"
    some = next(iter(load_frameworks().values()))
    assert any(p.startswith(some.path.name) for p in map_problems(set()))


def test_a_malformed_map_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nname: X\nversion: '1'\nurl: https://x\nrequirements:\n  - {id: A, title: T, rules: nope}\n"
    )
    with pytest.raises(FrameworkError, match="rules must be a list"):
        _load_one(bad)
    bad.write_text(
        "id: x\nname: X\nversion: '1'\nurl: https://x\nrequirements:\n  - {id: A, title: T}\n  - {id: A, title: U}\n"
    )
    with pytest.raises(FrameworkError, match="duplicate"):
        _load_one(bad)


def test_loader_copies_the_maps_onto_rule_metadata():
    cat = load_catalogue()
    tags = cat.by_id["lambda-function-env-no-secrets"].meta.compliance
    assert "owasp-llm-2025:LLM02" in tags and "mitre-atlas:AML.T0055" in tags
    for fw in load_frameworks().values():
        for req in fw.requirements:
            for rid in req.rules:
                assert fw.tag(req.id) in cat.by_id[rid].meta.compliance


def test_select_by_framework_keeps_only_mapped_rules():
    cat = load_catalogue()
    fw = get_framework("OWASP-LLM-2025")  # case-insensitive
    picked = cat.select(compliance=fw.id)
    assert {r.id for r in picked.rules} == fw.rule_ids()
    assert len(picked.rules) < len(cat.rules)


def _finding(rule_id: str, status: str = "fail", muted: bool = False) -> Finding:
    return Finding(
        fingerprint=f"fp-{rule_id}-{status}-{muted}",
        rule_id=rule_id,
        title="t",
        severity="high",
        status=status,
        category="secrets",
        resource=FindingResource("uid", "aws.lambda.function", "fn", "aws", "", ""),
        message="m",
        evidence=Evidence("environment", None, "explicit"),
        source="iac",
        muted=muted,
    )


def test_requirement_status_rules():
    fw = get_framework("owasp-llm-2025")
    ran = fw.rule_ids()
    checks = dict.fromkeys(ran, 1) | dict.fromkeys(get_framework("owasp-llm-2025").requirements[0].rules, 0)
    findings = [
        _finding("lambda-function-env-no-secrets"),  # LLM02 fails
        _finding("lambda-function-execution-role-not-admin", muted=True),  # LLM06: muted never fails
        _finding("sagemaker-model-network-isolation", status="unknown"),  # LLM03 undecided
    ]
    out = requirement_status(fw, findings, ran, checks)
    by_id = {r["id"]: r for r in out["requirements"]}
    assert by_id["LLM02"]["status"] == "fail" and by_id["LLM02"]["failed"] == 1
    assert by_id["LLM06"]["status"] == "pass"
    assert by_id["LLM03"]["status"] == "unknown" and by_id["LLM03"]["unknown"] == 1
    assert by_id["LLM01"]["status"] == "not-applicable"  # its rules found nothing to check
    assert by_id["LLM05"]["status"] == "not-covered" and by_id["LLM05"]["rules"] == []
    assert sum(out["summary"].values()) == len(fw.requirements)
    # a rule left out of the scan does not count for its requirement
    none_ran = requirement_status(fw, findings, set(), checks)
    assert {r["status"] for r in none_ran["requirements"]} == {"not-covered"}


@pytest.fixture(scope="module")
def demo_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("compliance")
    paths = {fmt: out / f"demo.{fmt}" for fmt in ("json", "md", "html")}
    res = run(
        "scan", "iac", DEMO, "--compliance", "owasp-llm-2025", "-q",
        *[x for fmt, p in paths.items() for x in ("-o", f"{fmt}={p}")],
    )  # fmt: skip
    assert res.exit_code == 1, res.output  # the demo fails the gate
    return {fmt: p.read_text(encoding="utf-8") for fmt, p in paths.items()}


def test_scan_with_compliance_runs_only_mapped_rules_and_reports_per_requirement(demo_scan):
    doc = json.loads(demo_scan["json"])
    assert json_report_errors(doc) == []
    fw = get_framework("owasp-llm-2025")
    assert set(doc["rules"]) <= fw.rule_ids()
    assert {f["rule_id"] for f in doc["findings"]} <= fw.rule_ids()
    section = doc["compliance"]
    assert section["framework"]["id"] == "owasp-llm-2025"
    reqs = {r["id"]: r for r in section["requirements"]}
    assert list(reqs) == [f"LLM{i:02d}" for i in range(1, 11)]
    # the demo leaks tokens through environment variables and runs admin execution roles
    assert reqs["LLM02"]["status"] == "fail" and reqs["LLM02"]["failed"] > 0
    assert reqs["LLM06"]["status"] == "fail"
    assert reqs["LLM05"]["status"] == "not-covered"
    fails = sum(
        1
        for f in doc["findings"]
        if f["status"] == "fail" and not f.get("muted") and f["rule_id"] in reqs["LLM02"]["rules"]
    )
    assert reqs["LLM02"]["failed"] == fails


def test_markdown_and_html_show_the_requirement_table(demo_scan):
    assert "### Compliance: OWASP Top 10 for LLM Applications" in demo_scan["md"]
    assert "| LLM02 | Sensitive Information Disclosure | ❌ fail |" in demo_scan["md"]
    assert 'id="compliance"' in demo_scan["html"]
    assert '<span class="req req-fail">fail</span>' in demo_scan["html"]


def test_compliance_section_survives_the_json_round_trip_and_is_escaped(demo_scan):
    doc = json.loads(demo_scan["json"])
    doc["compliance"]["requirements"][0]["title"] = "<script>alert(1)</script> | **x**"
    doc["compliance"]["requirements"][0]["status"] = 'fail" onmouseover="x'  # not in the enum
    assert json_report_errors(doc)  # the schema refuses an unknown status
    doc["compliance"]["requirements"][0]["status"] = "fail"
    doc["compliance"]["framework"]["url"] = "javascript:alert(1)"
    result = from_dict(doc)
    assert result.compliance["framework"]["id"] == "owasp-llm-2025"
    html = render_html(result)
    assert (
        "<script>alert(1)" not in html and "javascript:alert" not in html.split('id="compliance"')[1][:2000]
    )
    md = render_md(result)
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_without_compliance_there_is_no_section(tmp_path):
    out = tmp_path / "d.json"
    run("scan", "iac", DEMO, "-q", "-o", f"json={out}")
    assert "compliance" not in json.loads(out.read_text())


def test_rules_list_filters_by_framework():
    res = run("rules", "list", "--format", "json", "--compliance", "cis-k8s-1.9")
    assert res.exit_code == 0
    ids = {r["id"] for r in json.loads(res.stdout)}
    assert ids == get_framework("cis-k8s-1.9").rule_ids()
    assert all(any(c.startswith("cis-k8s-1.9:") for c in r["compliance"]) for r in json.loads(res.stdout))


def test_rules_frameworks_lists_every_map():
    res = run("rules", "frameworks", "--format", "json")
    assert res.exit_code == 0
    assert {f["id"] for f in json.loads(res.stdout)} == set(load_frameworks())


@pytest.mark.parametrize("cmd", [["scan", "iac", DEMO], ["rules", "list"]])
def test_unknown_framework_is_a_usage_error(cmd):
    res = run(*cmd, "--compliance", "no-such-framework")
    assert res.exit_code == 2
    assert "unknown compliance framework" in res.output


def test_framework_files_are_yaml_in_the_frameworks_folder():
    assert sorted(p.suffix for p in FRAMEWORKS_DIR.iterdir() if p.is_file()) == [".yaml"] * len(
        load_frameworks()
    )
