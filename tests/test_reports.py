"""Reports: SARIF valid against the official 2.1.0 schema and shaped for GitHub code
scanning; JSON valid against our v1 schema; JSON -> SARIF round trip."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import build_result, json_report_errors, sarif_errors

from reports import render
from reports.json_report import from_dict, to_dict
from reports.sarif import to_sarif
from scanner.cli import main


def _results_by_fp(log: dict) -> dict[str, dict]:
    return {r["partialFingerprints"]["mlposture/v1"]: r for r in log["runs"][0]["results"]}


def test_sarif_validates_against_the_official_schema(scan_result):
    log = to_sarif(scan_result)
    assert sarif_errors(log) == []
    assert log["version"] == "2.1.0"


def test_sarif_rules_carry_github_metadata(scan_result):
    driver = to_sarif(scan_result)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mlposture" and driver["version"] == "0.1.0" and driver["informationUri"]
    rules = {r["id"]: r for r in driver["rules"]}
    nb = rules["sagemaker-notebook-no-direct-internet"]
    assert nb["name"] == "SagemakerNotebookNoDirectInternet"
    assert nb["shortDescription"]["text"].startswith("SageMaker notebook")
    assert nb["helpUri"].endswith("/rules/sagemaker-notebook-no-direct-internet")
    assert nb["defaultConfiguration"]["level"] == "error"
    assert nb["properties"]["security-severity"] == "8.0"
    assert nb["properties"]["tags"][:3] == ["network", "aws", "security"]
    assert "CKV_AWS_122" in nb["properties"]["tags"]
    assert nb["properties"]["precision"] == "very-high"
    assert '```hcl\ndirect_internet_access = "Disabled"\n```' in nb["help"]["markdown"]
    assert "https://docs.aws.amazon.com/sagemaker/" in nb["help"]["markdown"]
    assert rules["lambda-env-no-secrets"]["properties"]["security-severity"] == "9.5"
    assert rules["sagemaker-model-kms"]["defaultConfiguration"]["level"] == "warning"
    # a finding whose rule is not in the metadata still gets a rule entry (ruleIndex valid)
    assert "graph-internet-to-admin" in rules


def test_sarif_results(scan_result):
    log = to_sarif(scan_result)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    # the rule error is a notification, not a result
    assert all(r["properties"]["status"] != "error" for r in results)
    assert len(results) == len(scan_result.findings) - 1
    by_fp = _results_by_fp(log)
    f0 = scan_result.findings[0]
    r0 = by_fp[f0.fingerprint]
    assert r0["level"] == "error" and r0["kind"] == "fail"
    phys = r0["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}
    assert phys["region"] == {"startLine": 4, "endLine": 6}
    logical = r0["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == f0.resource.uid
    assert r0["fingerprints"]["mlposture/v1"] == f0.fingerprint
    assert r0["properties"]["evidence"]["path"] == "direct_internet_access"
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_sarif_suppressions_unknown_and_code_flows(scan_result):
    by_fp = _results_by_fp(to_sarif(scan_result))
    inline, config, unknown, path = (
        by_fp[f.fingerprint]
        for f in (
            scan_result.findings[1],
            scan_result.findings[2],
            scan_result.findings[3],
            scan_result.findings[5],
        )
    )
    assert inline["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "lab account, no data"}
    ]
    assert config["suppressions"][0]["kind"] == "external"
    assert config["suppressions"][0]["justification"] == "rotated weekly"
    assert "suppressions" not in by_fp[scan_result.findings[0].fingerprint]
    assert unknown["kind"] == "review" and unknown["level"] == "none"
    steps = path["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["logicalLocations"][0]["fullyQualifiedName"] for s in steps] == [
        "INTERNET",
        "tf:aws_lambda_function.api",
        "tf:aws_iam_role.exec",
        "ADMIN@aws",
    ]
    assert "assume-execution-role" in steps[1]["location"]["message"]["text"]
    assert "sts:AssumeRole" in steps[1]["location"]["message"]["text"]
    assert steps[2]["location"]["physicalLocation"]["artifactLocation"]["uri"] == "infra/iam.tf"


def test_sarif_live_finding_has_only_a_logical_location(scan_result):
    live = _results_by_fp(to_sarif(scan_result))[scan_result.findings[6].fingerprint]
    assert "physicalLocation" not in live["locations"][0]
    assert live["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("arn:aws:sagemaker")


def test_sarif_scan_errors_are_notifications(scan_result):
    inv = to_sarif(scan_result)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    texts = [n["message"]["text"] for n in notes]
    assert any("HCL syntax error" in t and "not scanned: the whole file" in t for t in texts)
    uris = [
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for n in notes
        if "locations" in n and "physicalLocation" in n["locations"][0]
    ]
    assert "infra/broken.tf" in uris
    rule_err = [n for n in notes if n.get("associatedRule")]
    assert rule_err and rule_err[0]["associatedRule"]["id"] == "sagemaker-model-kms"


def test_sarif_complete_scan_is_successful():
    r = build_result()
    r.errors = []
    r.findings = [f for f in r.findings if f.status != "error"]
    inv = to_sarif(r)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in inv


def test_partial_fingerprints_stable_when_lines_move():
    a, b = to_sarif(build_result()), to_sarif(build_result(line_shift=17))
    fa = [r["partialFingerprints"] for r in a["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in b["runs"][0]["results"]]
    assert fa == fb
    la = [r["locations"][0].get("physicalLocation", {}).get("region") for r in a["runs"][0]["results"]]
    lb = [r["locations"][0].get("physicalLocation", {}).get("region") for r in b["runs"][0]["results"]]
    assert la != lb  # the lines did move


def test_sarif_escapes_embedded_links_and_bounds_text(scan_result):
    f = scan_result.findings[0]
    f.message = "name [click](https://evil.example) " + "x" * 5000
    r = _results_by_fp(to_sarif(scan_result))[f.fingerprint]
    text = r["message"]["text"]
    assert "\\[click\\](https://evil.example)" in text
    assert len(text) <= 2100


def test_sarif_uri_outside_the_working_directory_is_absolute(scan_result):
    scan_result.root = "/srv/scan"
    r = _results_by_fp(to_sarif(scan_result))[scan_result.findings[0].fingerprint]
    loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "file:///srv/scan/main.tf"}
    assert sarif_errors(to_sarif(scan_result)) == []


def test_reports_never_carry_a_raw_secret(scan_result):
    token = "hf_" + "Q" * 34
    scan_result.findings[0].message += f" token {token}"
    scan_result.findings[0].evidence.value = {"HF_TOKEN": token}
    for fmt in ("json", "sarif"):
        assert token not in render(fmt, scan_result)


def test_json_validates_against_v1_schema(scan_result):
    doc = to_dict(scan_result)
    assert json_report_errors(doc) == []
    assert doc["schema_version"].startswith("1.")
    assert doc["scan"]["errors"][0]["unscanned"] == "the whole file"
    assert doc["summary"]["incomplete"] is True
    assert doc["summary"]["muted"] == 2


def test_json_schema_rejects_drift(scan_result):
    doc = to_dict(scan_result)
    doc["findings"][0]["severity"] = "urgent"
    doc["findings"][0]["surprise"] = 1
    errs = json_report_errors(doc)
    assert any("urgent" in e for e in errs) and any("surprise" in e for e in errs)


def test_json_round_trip(scan_result):
    doc = to_dict(scan_result)
    back = from_dict(json.loads(json.dumps(doc)))
    assert to_dict(back) == doc
    assert to_sarif(back) == to_sarif(scan_result)


def test_report_command_json_to_sarif(tmp_path, scan_result):
    src = tmp_path / "scan.json"
    src.write_text(render("json", scan_result))
    out = tmp_path / "out" / "scan.sarif"
    res = CliRunner().invoke(main, ["report", str(src), "-o", f"sarif={out}"])
    assert res.exit_code == 0, res.output
    log = json.loads(out.read_text())
    assert sarif_errors(log) == []
    assert log == to_sarif(scan_result)


def test_report_command_rejects_a_file_that_is_not_a_report(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": "1.0", "scan": {}}))
    res = CliRunner().invoke(main, ["report", str(bad), "-o", f"sarif={tmp_path / 'x.sarif'}"])
    assert res.exit_code == 2
    assert "not a mlposture v1 JSON report" in res.output
    bad.write_text("not json")
    assert CliRunner().invoke(main, ["report", str(bad), "-o", "sarif=-"]).exit_code == 2
