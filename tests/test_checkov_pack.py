"""`scan iac --with-checkov`: Checkov's own policies as an optional rule pack, with our
severities, in the same findings, gate, suppressions, baselines and reports. Checkov is
slow to import and run, so each input is scanned once per module and shared."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from conftest import REPO, json_report_errors, sarif_errors

from rules.loader import load_catalogue
from scanner.checkov_pack import policies
from scanner.cli import main
from scanner.model.finding import CATEGORIES, SEVERITIES

DEMO = REPO / "fixtures" / "demo"

# A security group open to the world on SSH: Checkov's CKV_AWS_24 (high in our table);
# no rule of ours models security groups. CKV_AWS_382 is skipped in source.
SMALL_TF = textwrap.dedent(
    """\
    resource "aws_security_group" "ssh" {
      name        = "training-ssh"
      description = "SSH to the training hosts"
      #checkov:skip=CKV_AWS_382:egress is reviewed by the network team

      ingress {
        description = "SSH from anywhere"
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }

      egress {
        description = "all egress"
        from_port   = 0
        to_port     = 0
        protocol    = "-1"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    """
)

# Skips in CloudFormation metadata and Kubernetes annotations.
SMALL_CFN = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Data:
        Type: AWS::S3::Bucket
        Metadata:
          checkov:
            skip:
              - id: CKV_AWS_18
                comment: logs go to the org trail
    """
)
SMALL_POD = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: trainer
      namespace: ml
      annotations:
        checkov.io/skip1: CKV_K8S_21=namespace is fine
    spec:
      containers:
        - name: t
          image: pytorch:latest
    """
)


def ckv(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["rule_id"].startswith(("CKV_", "CKV2_"))]


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def network_attempts():
    """Every outbound connection tried while the module's Checkov runs happen: none may be."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(repr(address))
            raise OSError("network disabled in test")
        return real_connect(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", guarded)
        yield attempts


@pytest.fixture(scope="module")
def demo(tmp_path_factory, network_attempts):
    out = tmp_path_factory.mktemp("demo")
    code, text = cli(
        "scan", "iac", str(DEMO), "--with-checkov", "-q", "--fail-on", "critical",
        "-o", f"json={out / 'r.json'}", "-o", f"sarif={out / 'r.sarif'}", "-o", f"html={out / 'r.html'}",
    )  # fmt: skip
    return code, out, json.loads((out / "r.json").read_text())


@pytest.fixture(scope="module")
def small(tmp_path_factory, network_attempts):
    d = tmp_path_factory.mktemp("small")
    (d / "main.tf").write_text(SMALL_TF)
    (d / "bucket.yaml").write_text(SMALL_CFN)
    (d / "pod.yaml").write_text(SMALL_POD)
    out = d / "out"
    code, text = cli(
        "scan", "iac", str(d), "--with-checkov", "--fail-on", "high", "-o", f"json={out / 'r.json'}"
    )
    return code, d, json.loads((out / "r.json").read_text())


def test_demo_adds_checkov_findings_with_our_severities(demo):
    _, _, doc = demo
    added = ckv(doc["findings"])
    assert len(added) >= 10
    for f in added:
        assert f["severity"] in SEVERITIES and f["severity"] == policies.severity(f["rule_id"])
        assert f["category"] in CATEGORIES and f["source"] == "iac"
        assert f["location"]["file"] and not f["location"]["file"].startswith("/")
        meta = doc["rules"][f["rule_id"]]
        assert meta["provider"] in {"aws", "gcp", "k8s", "iac"} and meta["maturity"] == "stable"
        assert (
            meta["help_uri"].startswith("https://") and meta["remediation"]["guideline"] == meta["help_uri"]
        )
    # a Checkov result on a resource we model carries our uid (module address, root folder)
    assert any(f["resource"]["uid"] == "tf:terraform:module.model_bucket.aws_s3_bucket.this" for f in added)
    assert doc["summary"]["checks"] > doc["summary"]["passed"] > 0


def test_demo_checkov_never_duplicates_our_rules(demo):
    _, _, doc = demo
    added = {(f["rule_id"], f["resource"]["uid"]) for f in ckv(doc["findings"])}
    for f in doc["findings"]:
        for alias in f["aliases"]:
            assert (alias, f["resource"]["uid"]) not in added, (alias, f["resource"]["uid"])
    # and no Checkov finding for a policy that one of our rules aliases on that resource type
    cat = load_catalogue()
    for f in ckv(doc["findings"]):
        ours = cat.resolve_id(f["rule_id"])
        if ours:
            assert f["resource"]["type"] not in cat.by_id[ours].meta.applies_to, f


def test_demo_reports_validate(demo):
    _, out, doc = demo
    assert json_report_errors(doc) == []
    sarif = json.loads((out / "r.sarif").read_text())
    assert sarif_errors(sarif) == []
    rules = {r["id"]: r for run in sarif["runs"] for r in run["tool"]["driver"]["rules"]}
    some = ckv(doc["findings"])[0]
    assert rules[some["rule_id"]]["properties"]["security-severity"]
    assert rules[some["rule_id"]]["helpUri"].startswith("https://github.com/bridgecrewio/checkov/blob/")
    assert some["rule_id"] in (out / "r.html").read_text()


def test_checkov_runs_offline(demo, small, network_attempts):
    assert network_attempts == []


def test_fail_on_high_gates_on_a_checkov_finding(small, tmp_path):
    code, d, doc = small
    assert code == 1
    gating = [f for f in doc["findings"] if f["severity"] in ("high", "critical") and not f["muted"]]
    assert [f["rule_id"] for f in gating] == ["CKV_AWS_24"]
    assert gating[0]["resource"]["uid"] == "tf:aws_security_group.ssh"
    assert gating[0]["location"] == {"file": "main.tf", "start_line": 1, "end_line": 21}
    # our rules alone do not catch it
    assert cli("scan", "iac", str(d), "--fail-on", "high", "-q")[0] == 0


def test_checkov_skips_become_muted_findings(small):
    _, _, doc = small
    muted = {f["rule_id"]: f for f in doc["findings"] if f["muted"]}
    assert muted["CKV_AWS_382"]["mute_reason"] == "inline: egress is reviewed by the network team"
    assert muted["CKV_AWS_382"]["resource"]["uid"] == "tf:aws_security_group.ssh"
    assert muted["CKV_AWS_18"]["mute_reason"] == "inline: logs go to the org trail"
    assert muted["CKV_AWS_18"]["resource"]["uid"] == "cfn:bucket.yaml#Data"
    assert muted["CKV_K8S_21"]["mute_reason"] == "inline: namespace is fine"
    assert muted["CKV_K8S_21"]["resource"]["uid"] == "k8s:manifest/ml/Pod/trainer"


def test_baseline_and_config_treat_checkov_findings_like_ours(small, tmp_path, monkeypatch):
    _, d, _ = small
    # a baseline of the same scan: nothing is new, so nothing gates
    assert cli("scan", "iac", str(d), "--with-checkov", "-q", "--baseline", str(d / "out" / "r.json"))[0] == 0
    # the config switches the pack on and mutes a Checkov id
    cfg = tmp_path / "mlposture.yaml"
    cfg.write_text(
        "with_checkov: true\n"
        "suppressions:\n  - rule: CKV_AWS_24\n    reason: bastion subnet, tracked in SEC-12\n"
    )
    out = tmp_path / "r.json"
    code, _ = cli("scan", "iac", str(d), "--config", str(cfg), "-q", "-o", f"json={out}")
    doc = json.loads(out.read_text())
    [f] = [f for f in doc["findings"] if f["rule_id"] == "CKV_AWS_24"]
    assert f["muted"] and "SEC-12" in f["mute_reason"]
    assert code == 0


def test_default_path_imports_no_checkov(tmp_path):
    (tmp_path / "main.tf").write_text(SMALL_TF)
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom scanner.cli import main\n"
        f"r = CliRunner().invoke(main, ['scan', 'iac', {str(tmp_path)!r}, '-q'])\n"
        "print('EXIT', r.exit_code, 'CHECKOV', any(m.split('.')[0] == 'checkov' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout  # fmt: skip
    assert "EXIT 0 CHECKOV False" in out


def test_severity_table_covers_installed_checkov():
    from rules.checkov.make_severities import installed_policies

    table = policies.table()
    assert table["default_severity"] == "medium" and table["checkov_version"]
    installed = installed_policies()
    missing = sorted(set(installed) - set(table["policies"]))
    assert len(missing) <= table["missing_allowed"], (
        f"regenerate rules/checkov/severities.json: {missing[:20]}"
    )
    for cid, p in table["policies"].items():
        assert p["severity"] in SEVERITIES and p["category"] in CATEGORIES, cid
    at_default = sorted(cid for cid, p in table["policies"].items() if p["why"] == "default")
    print(f"\n{len(at_default)} Checkov policies at the default severity: {' '.join(at_default)}")
    assert len(at_default) < len(table["policies"]) // 3


def test_severity_table_notable_policies():
    assert policies.severity("CKV_AWS_24") == "high"
    assert policies.severity("CKV_AWS_41") == "critical"  # hard-coded access keys
    assert policies.severity("CKV_AWS_21") == "low"  # versioning
    assert policies.severity("CKV_NOT_A_POLICY_1") == "medium"  # the documented default
    assert policies.provider("CKV2_GCP_3") == "gcp" and policies.provider("CKV_AZURE_1") == "iac"
