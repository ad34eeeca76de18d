"""The command line: names, exit codes (0/1/2/3) and clean machine-readable stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import json_report_errors, sarif_errors

from scanner import __version__
from scanner.cli import main
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, SourceRef

NB_RULE = "sagemaker-notebook-no-direct-internet"


def run(*args: str, cwd: Path | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def notebook_inventory(path: Path, direct_internet: bool) -> Path:
    inv = Inventory()
    inv.add(
        Resource(
            uid="tf:aws_sagemaker_notebook_instance.nb",
            type="aws.sagemaker.notebook_instance",
            provider="aws",
            name="nb",
            attrs={"direct_internet_access": direct_internet, "root_access": False},
            source=SourceRef("iac", "main.tf", 1, 8, "terraform"),
        )
    )
    inv.save(path)
    return path


def test_version_is_fast_and_imports_nothing_heavy():
    code = (
        "import sys; from scanner.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('checkov', 'boto3', 'networkx', 'jsonschema', 'rules.loader') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"mlposture, version {__version__}" in out
    assert "HEAVY []" in out


def test_rules_list_json():
    res = run("rules", "list", "--format", "json")
    assert res.exit_code == 0
    rules = json.loads(res.stdout)
    assert any(r["id"] == NB_RULE for r in rules)
    assert {"id", "title", "severity", "category", "applies_to"} <= set(rules[0])


def test_rules_list_table():
    res = run("rules", "list")
    assert res.exit_code == 0 and "rules" in res.stdout


def test_rules_show():
    assert NB_RULE in run("rules", "show", NB_RULE).stdout
    assert NB_RULE in run("rules", "show", "CKV_AWS_122").stdout  # by alias
    res = CliRunner().invoke(main, ["rules", "show", "no-such-rule"])
    assert res.exit_code == 2


@pytest.mark.parametrize("bad", ["xml=out.xml", "json", "json=", "=out.json"])
def test_bad_output_option_exits_2(tmp_path, bad):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    res = CliRunner().invoke(main, ["scan", "inventory", str(inv), "-o", bad])
    assert res.exit_code == 2


def test_two_outputs_on_stdout_exit_2(tmp_path):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    res = CliRunner().invoke(main, ["scan", "inventory", str(inv), "-o", "json=-", "-o", "sarif=-"])
    assert res.exit_code == 2


def test_bad_config_exits_2(tmp_path):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("suppressions:\n  - rule: x\n")  # no reason
    assert CliRunner().invoke(main, ["scan", "inventory", str(inv), "--config", str(cfg)]).exit_code == 2
    cfg.write_text("fail_on: urgent\n")
    assert CliRunner().invoke(main, ["scan", "inventory", str(inv), "--config", str(cfg)]).exit_code == 2


def test_missing_scan_path_exits_2(tmp_path):
    assert CliRunner().invoke(main, ["scan", "iac", str(tmp_path / "nope")]).exit_code == 2


def test_exit_1_on_findings_and_0_when_clean(tmp_path):
    bad = notebook_inventory(tmp_path / "bad.json", True)
    good = notebook_inventory(tmp_path / "good.json", False)
    args = ["--rules", NB_RULE, "-q"]
    assert CliRunner().invoke(main, ["scan", "inventory", str(bad), *args]).exit_code == 1
    assert CliRunner().invoke(main, ["scan", "inventory", str(good), *args]).exit_code == 0
    # below the threshold: not gating
    assert (
        CliRunner().invoke(main, ["scan", "inventory", str(bad), *args, "--fail-on", "critical"]).exit_code
        == 0
    )


def test_muted_finding_does_not_gate(tmp_path):
    bad = notebook_inventory(tmp_path / "bad.json", True)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text('suppressions:\n  - rule: CKV_AWS_122\n    resource: "nb"\n    reason: lab only\n')
    out = tmp_path / "o.json"
    res = CliRunner().invoke(
        main,
        ["scan", "inventory", str(bad), "--rules", NB_RULE, "--config", str(cfg), "-o", f"json={out}", "-q"],
    )
    assert res.exit_code == 0
    f = json.loads(out.read_text())["findings"][0]
    assert f["muted"] is True and "lab only" in f["mute_reason"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_exit_3_when_incomplete_and_nothing_gates(tmp_path):
    root = tmp_path / "iac"
    root.mkdir()
    (root / "escape").symlink_to(tmp_path)  # leaves the scanned tree: an error, not followed
    res = CliRunner().invoke(main, ["scan", "iac", str(root), "-q"])
    assert res.exit_code == 3


def test_json_to_stdout_is_alone_and_valid(tmp_path):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner.cli",
            "scan",
            "inventory",
            str(inv),
            "--rules",
            NB_RULE,
            "-o",
            "json=-",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)  # nothing but the report on stdout
    assert json_report_errors(doc) == []
    assert doc["findings"][0]["rule_id"] == NB_RULE
    assert "mlposture" in proc.stderr  # the console summary went to stderr


def test_sarif_file_and_console_summary(tmp_path):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    out = tmp_path / "r" / "scan.sarif"
    res = CliRunner().invoke(main, ["scan", "inventory", str(inv), "--rules", NB_RULE, "-o", f"sarif={out}"])
    assert res.exit_code == 1
    assert sarif_errors(json.loads(out.read_text())) == []
    assert NB_RULE in res.stdout and "1 failed" in res.stdout


def test_scan_shorthand_accepts_options_first(tmp_path):
    root = tmp_path / "iac"
    root.mkdir()
    res = CliRunner().invoke(main, ["scan", "--fail-on", "critical", "-q", str(root)])
    assert res.exit_code == 0, res.output


def test_save_inventory_and_rescan(tmp_path):
    inv = notebook_inventory(tmp_path / "inv.json", True)
    saved = tmp_path / "saved.json"
    res = CliRunner().invoke(main, ["scan", "inventory", str(inv), "-q", "--save-inventory", str(saved)])
    assert res.exit_code == 1
    assert Inventory.load(saved).get("tf:aws_sagemaker_notebook_instance.nb") is not None


def test_internal_error_exits_2_not_1(tmp_path, monkeypatch):
    import scanner.engine

    def boom(*a, **k):
        raise RuntimeError("kaboom hf_" + "Z" * 34)

    monkeypatch.setattr(scanner.engine, "scan_inventory", boom)
    inv = notebook_inventory(tmp_path / "inv.json", True)
    res = CliRunner().invoke(main, ["scan", "inventory", str(inv)])
    assert res.exit_code == 2
    assert "internal error" in res.output and "kaboom" in res.output
    assert "Z" * 34 not in res.output
