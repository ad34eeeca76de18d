"""Per-format structure: Markdown (ordering, bounds), JUnit (counts), OCSF (class choice,
validation), SARIF (a run per source, baselineState), and `mlposture report` for each."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from conftest import build_result, make_finding, sarif_errors

from reports import FORMATS, render
from reports.junit import to_junit
from reports.markdown import MAX_CHARS
from reports.markdown import render as render_md
from reports.ocsf import to_ocsf, validation_errors
from reports.sarif import to_sarif
from scanner.baseline import compare
from scanner.cli import main


def with_comparison(result):
    """The first finding persists from the baseline; one baseline finding is fixed."""
    fixed = {
        "fingerprint": "f" * 32,
        "rule_id": "lambda-env-no-secrets",
        "title": "Lambda environment variables hold no secrets",
        "severity": "critical",
        "category": "secrets",
        "resource": {"uid": "tf:aws_lambda_function.gone", "type": "aws.lambda.function", "name": "gone"},
        "message": "gone now",
    }
    compare(result, [{"fingerprint": result.findings[0].fingerprint}, fixed], "baseline.json")
    return result


def many_findings(n: int):
    r = build_result()
    r.findings = [
        make_finding(
            "sagemaker-notebook-no-direct-internet",
            f"tf:aws_sagemaker_notebook_instance.nb{i}",
            "direct_internet_access",
            severity=("critical", "high", "medium", "low")[i % 4],
        )
        for i in range(n)
    ]
    return r


def ocsf_model_errors(events: list[dict]) -> list[str]:
    """Validate against Prowler's OCSF 1.5 models (py-ocsf-models), class by class."""
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.events.findings.detection_finding import DetectionFinding
    from pydantic import ValidationError

    model = {2003: ComplianceFinding, 2004: DetectionFinding}
    errors = []
    for i, e in enumerate(events):
        try:
            model[e["class_uid"]].model_validate(e)
        except ValidationError as err:
            errors.append(f"{i}: {err}")
    return errors


def test_every_contract_format_is_registered():
    assert {"json", "sarif", "md", "junit", "ocsf"} <= set(FORMATS)


# -- Markdown ----------------------------------------------------------------------------


def test_markdown_summary_and_severity_order(scan_result):
    md = render_md(scan_result)
    assert md.startswith("## mlposture: ❌ 3 failing findings (3 high)")
    assert "scan incomplete" in md.splitlines()[0]
    assert "| 🟧 high | 3 |" in md
    # most severe first; muted after active findings
    assert md.index("#### 🟧 High") < md.index("#### 🟨 Medium") < md.index("### Muted")
    assert "<details><summary>Evidence and remediation</summary>" in md
    assert md.count("<details>") == md.count("</details>") == len(scan_result.findings)
    assert '```\n  direct_internet_access = "Disabled"\n  ```' in md
    assert "### ⚠️ Not scanned (2)" in md and "broken\\.tf" in md


def test_markdown_new_findings_first_then_persisting_then_fixed(scan_result):
    md = render_md(with_comparison(scan_result))
    assert "2 new since the baseline" in md.splitlines()[0]
    assert "2 new, 1 persisting, 1 fixed" in md
    new, persisting = md.index("### 🆕 New since the baseline (2)"), md.index("### Persisting")
    fixed = md.index("### ✅ Fixed since the baseline (1)")
    assert new < persisting < fixed
    open_nb = "tf\\:aws\\_sagemaker\\_notebook\\_instance\\.open"
    assert persisting < md.index(open_nb) < fixed  # the persisting finding is not listed as new
    assert "tf\\:aws\\_lambda\\_function\\.gone" in md[fixed:]


def test_markdown_unmodelled_types(scan_result):
    scan_result.sources[0]["unmodelled"] = {"aws_glue_job": 3, "aws_emr_cluster": 1}
    md = render_md(scan_result)
    assert "Not modelled, so not checked: 4 resources of 2 types" in md
    assert "aws\\_glue\\_job ×3" in md


def test_markdown_is_bounded_and_says_what_it_left_out():
    r = many_findings(3000)
    md = render_md(r)
    assert len(md) < MAX_CHARS
    last = [line for line in md.splitlines() if "not shown" in line]
    assert len(last) == 1 and "see the JSON/SARIF report" in last[0]
    shown = md.count("<details>")
    assert 0 < shown < 3000
    assert f"**{3000 - shown} more findings not shown" in last[0]
    # what is shown is the most severe
    assert "#### 🟥 Critical" in md and "#### 🟦 Low" not in md


def test_markdown_without_findings():
    r = build_result()
    r.findings, r.errors = [], []
    md = render_md(r)
    assert md.startswith("## mlposture: ✅ no failing findings")
    assert "### Findings" not in md


# -- JUnit -------------------------------------------------------------------------------


def test_junit_suites_cases_and_counts(scan_result):
    root = ET.fromstring(render("junit", scan_result))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {
        "sagemaker-notebook-no-direct-internet",
        "lambda-env-no-secrets",
        "sagemaker-model-kms",
        "graph-internet-to-admin",
        "mlposture.scan",
    }
    for s in root.findall("testsuite"):
        cases = s.findall("testcase")
        assert int(s.get("tests")) == len(cases)
        for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(s.get(attr)) == sum(c.find(tag) is not None for c in cases), (s.get("name"), tag)
        props = {p.get("name"): p.get("value") for p in s.find("properties")}
        assert props["mlposture.checks"] == "9" and props["mlposture.passed"] == "2"
        for c in cases:
            assert sum(c.find(t) is not None for t in ("failure", "error", "skipped")) <= 1
    for attr in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(attr)) == sum(int(s.get(attr)) for s in root.findall("testsuite"))

    nb = suites["sagemaker-notebook-no-direct-internet"]
    assert (nb.get("tests"), nb.get("failures"), nb.get("skipped")) == ("3", "2", "1")
    case = nb.find("testcase[@name='tf:aws_sagemaker_notebook_instance.open']")
    assert case.get("classname") == "sagemaker-notebook-no-direct-internet"
    assert case.get("file") == "infra/main.tf" and case.get("line") == "4"
    assert case.find("failure").get("type") == "high"
    assert "remediation (terraform)" in case.find("system-out").text
    kms = suites["sagemaker-model-kms"]
    assert (kms.get("errors"), kms.get("skipped")) == ("1", "1")  # rule error; unknown
    assert kms.find("testcase/skipped").get("message").startswith("unknown: ")
    muted = suites["lambda-env-no-secrets"].find("testcase/skipped")
    assert muted.get("message") == "muted: config: rotated weekly"
    scan = suites["mlposture.scan"]
    assert scan.get("errors") == "2"
    assert "not scanned: the whole file" in scan.find("testcase/error").get("message")


def test_junit_parses_with_junitparser(scan_result):
    from junitparser import Error, Failure, JUnitXml, Skipped

    xml = JUnitXml.fromstring(render("junit", scan_result))
    outcomes = {}
    for suite in xml:
        for case in suite:
            kinds = {type(r) for r in case.result}
            outcomes[(case.classname, case.name)] = kinds
    assert outcomes[("sagemaker-notebook-no-direct-internet", "tf:aws_sagemaker_notebook_instance.open")] == {
        Failure
    }
    assert outcomes[("sagemaker-model-kms", "tf:aws_sagemaker_endpoint_configuration.bad")] == {Error}
    assert outcomes[("lambda-env-no-secrets", "tf:aws_lambda_function.api")] == {Skipped}


def test_junit_one_case_per_rule_and_resource():
    r = build_result()
    r.findings.append(make_finding("sagemaker-model-kms", "tf:aws_sagemaker_endpoint_configuration.ec", "x"))
    suite = [s for s in to_junit(r).findall("testsuite") if s.get("name") == "sagemaker-model-kms"][0]
    cases = suite.findall("testcase[@name='tf:aws_sagemaker_endpoint_configuration.ec']")
    assert len(cases) == 1 and cases[0].find("failure") is not None  # fail outranks unknown
    assert "kms_key_id" in cases[0].find("system-out").text and "= true" in cases[0].find("system-out").text


def test_junit_empty_scan_still_has_a_suite():
    r = build_result()
    r.findings, r.errors = [], []
    root = ET.fromstring(render("junit", r))
    assert root.get("tests") == "0"
    assert [s.get("name") for s in root.findall("testsuite")] == ["mlposture.scan"]


# -- OCSF --------------------------------------------------------------------------------


def test_ocsf_validates_and_chooses_the_class(scan_result):
    scan_result.findings[6].source = "live"
    scan_result.findings[6].resource.account = "123456789012"
    scan_result.findings[6].resource.region = "us-east-1"
    scan_result.findings.append(
        make_finding("gpu-tenant-isolation", "k8s:prod/ml/Pod/train", "gpu", file=None, severity="critical")
    )
    scan_result.findings[-1].source = "runtime"
    scan_result.findings[-1].resource.provider = "k8s"
    events = json.loads(render("ocsf", scan_result))
    assert validation_errors(events) == []
    assert ocsf_model_errors(events) == []
    by_uid = {e["finding_info"]["uid"]: e for e in events}
    f = scan_result.findings
    plain, path, live, runtime = (by_uid[x.fingerprint] for x in (f[0], f[5], f[6], f[-1]))
    assert plain["class_uid"] == 2003 and plain["type_uid"] == 200301 and plain["category_uid"] == 2
    assert plain["compliance"]["control"] == "sagemaker-notebook-no-direct-internet"
    assert plain["compliance"]["status"] == "Fail" and plain["compliance"]["standards"]
    assert plain["severity_id"] == 4 and plain["status_id"] == 1
    assert plain["metadata"]["product"]["name"] == "mlposture" and plain["metadata"]["version"] == "1.5.0"
    assert plain["resources"][0]["uid"] == "tf:aws_sagemaker_notebook_instance.open"
    assert plain["remediation"]["desc"].startswith("terraform:")
    assert plain["unmapped"]["location"]["file"] == "main.tf"
    assert path["class_uid"] == 2004 and "compliance" not in path
    assert [s["node"] for s in path["unmapped"]["path"]][0] == "INTERNET"
    assert runtime["class_uid"] == 2004 and runtime["severity_id"] == 5 and "cloud" not in runtime
    assert live["cloud"] == {
        "provider": "AWS",
        "region": "us-east-1",
        "account": {"uid": "123456789012", "name": "123456789012", "type_id": 10, "type": "AWS Account"},
    }
    assert live["metadata"]["profiles"] == ["cloud"]
    muted = by_uid[f[1].fingerprint]
    assert muted["status_id"] == 3 and muted["status"] == "Suppressed"
    assert muted["status_detail"] == "inline: lab account, no data"
    unknown = by_uid[f[3].fingerprint]
    assert unknown["compliance"]["status_id"] == 2  # Warning: no result for missing information
    assert len({e["metadata"]["uid"] for e in events}) == len(events)


def test_ocsf_baseline_states_as_activities(scan_result):
    events = to_ocsf(with_comparison(scan_result))
    assert validation_errors(events) == [] and ocsf_model_errors(events) == []
    by_uid = {e["finding_info"]["uid"]: e for e in events}
    assert by_uid[scan_result.findings[0].fingerprint]["activity_id"] == 2  # persisting: Update
    assert by_uid[scan_result.findings[6].fingerprint]["activity_id"] == 1  # new: Create
    closed = by_uid["f" * 32]
    assert closed["activity_id"] == 3 and closed["type_uid"] == 200303
    assert closed["status"] == "Resolved" and closed["compliance"]["status"] == "Pass"


def test_ocsf_validation_catches_drift(scan_result):
    events = to_ocsf(scan_result)
    bad = copy.deepcopy(events)
    bad[0]["type_uid"] = 200399
    bad[1]["surprise"] = 1
    del bad[2]["compliance"]["standards"]
    errs = validation_errors(bad)
    assert any("type_uid" in e for e in errs)
    assert any("surprise" in e for e in errs)
    assert any("standards" in e for e in errs)


# -- SARIF -------------------------------------------------------------------------------


def test_sarif_one_run_per_source_with_categories(scan_result):
    scan_result.findings[6].source = "live"
    runtime = make_finding("gpu-tenant-isolation", "k8s:prod/ml/Pod/train", "gpu", file=None)
    runtime.source = "runtime"
    scan_result.findings.append(runtime)
    log = to_sarif(scan_result)
    assert sarif_errors(log) == []
    runs = log["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == [
        "mlposture/iac/",
        "mlposture/live/",
        "mlposture/runtime/",
    ]
    for run in runs:
        rules = run["tool"]["driver"]["rules"]
        for res in run["results"]:
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
            assert res["properties"]["source"] == run["automationDetails"]["id"].split("/")[1]
        assert len(run["invocations"]) == 1
    assert [len(r["results"]) for r in runs] == [5, 1, 1]
    # the scan errors are IaC's: only that run is unsuccessful
    assert [r["invocations"][0]["executionSuccessful"] for r in runs] == [False, True, True]


def test_sarif_empty_scan_is_one_iac_run():
    r = build_result()
    r.findings, r.errors = [], []
    log = to_sarif(r)
    assert sarif_errors(log) == []
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["mlposture/iac/"]
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]


def test_sarif_baseline_state(scan_result):
    log = to_sarif(with_comparison(scan_result))
    assert sarif_errors(log) == []
    states = {
        r["partialFingerprints"]["mlposture/v1"]: r.get("baselineState")
        for run in log["runs"]
        for r in run["results"]
    }
    f = scan_result.findings
    assert states[f[0].fingerprint] == "unchanged"
    assert states[f[6].fingerprint] == "new" and states[f[5].fingerprint] == "new"
    assert states[f[1].fingerprint] is None  # muted: never compared
    assert "f" * 32 not in states  # fixed findings are not written as results
    assert all("baselineState" not in r for r in to_sarif(build_result())["runs"][0]["results"])


# -- the report command ------------------------------------------------------------------


@pytest.fixture
def demo_json(tmp_path, monkeypatch):
    from conftest import REPO

    from scanner.engine import scan_iac

    monkeypatch.chdir(REPO)
    result, _ = scan_iac(["fixtures/demo"])
    src = tmp_path / "scan.json"
    src.write_text(render("json", result))
    return src


def test_report_command_writes_md_junit_ocsf(tmp_path, demo_json):
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "report",
            str(demo_json),
            "-o",
            f"md={out / 'r.md'}",
            "-o",
            f"junit={out / 'r.xml'}",
            "-o",
            f"ocsf={out / 'r.ocsf.json'}",
            "--baseline",
            str(demo_json),
        ],
    )
    assert res.exit_code == 0, res.output
    md = (out / "r.md").read_text()
    assert md.startswith("## mlposture: ❌") and "0 new since the baseline" in md.splitlines()[0]
    assert len(md) < MAX_CHARS
    root = ET.fromstring((out / "r.xml").read_text())
    assert int(root.get("failures")) > 0
    events = json.loads((out / "r.ocsf.json").read_text())
    assert events and validation_errors(events) == [] and ocsf_model_errors(events) == []
    assert {e["class_uid"] for e in events} >= {2003}
