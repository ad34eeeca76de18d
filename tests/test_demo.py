"""End to end on the demo platform (fixtures/demo): the README's first command, run as a
user would, gates, writes valid reports, covers every category and leaks no planted secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO, json_report_errors, sarif_errors

from scanner.secrets import find_in_text

DEMO = REPO / "fixtures" / "demo"
CATEGORIES = {"iam", "network", "secrets", "logging", "encryption", "isolation"}


def planted_secrets() -> set[str]:
    """Every raw value in the demo that a detector recognises (for a database URL, the
    password alone)."""
    values = set()
    for f in DEMO.rglob("*"):
        if f.is_file() and f.suffix in {".tf", ".yaml", ".yml", ".json"}:
            text = f.read_text()
            values |= {text[s:e] for _, s, e in find_in_text(text)}
    return values


@pytest.fixture(scope="module")
def demo_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner.cli",
            "scan",
            "iac",
            "fixtures/demo",
            "-o",
            f"json={out / 'demo.json'}",
            "-o",
            f"sarif={out / 'demo.sarif'}",
            "--save-inventory",
            str(out / "inventory.json"),
            "--fail-on",
            "high",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    return proc, out


def test_demo_plants_secrets_of_several_kinds():
    kinds = set()
    for f in DEMO.rglob("*"):
        if f.is_file() and f.suffix in {".tf", ".yaml"}:
            kinds |= {k for k, _, _ in find_in_text(f.read_text())}
    assert {"huggingface-token", "openai-api-key", "aws-access-key-id", "database-url-password"} <= kinds


def test_demo_gates_with_exit_1(demo_scan):
    proc, _ = demo_scan
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_demo_reports_validate(demo_scan):
    _, out = demo_scan
    assert sarif_errors(json.loads((out / "demo.sarif").read_text())) == []
    assert json_report_errors(json.loads((out / "demo.json").read_text())) == []


def test_demo_reads_every_dialect_without_errors(demo_scan):
    _, out = demo_scan
    scan = json.loads((out / "demo.json").read_text())["scan"]
    assert scan["errors"] == []
    dialects = {s["dialect"]: s["resources"] for s in scan["sources"]}
    for d in ("terraform", "cloudformation", "kubernetes"):
        assert dialects.get(d, 0) > 0, dialects


def test_demo_covers_every_category(demo_scan):
    _, out = demo_scan
    findings = json.loads((out / "demo.json").read_text())["findings"]
    seen = {f["category"] for f in findings if f["status"] == "fail"}
    assert seen >= CATEGORIES, f"missing: {sorted(CATEGORIES - seen)}"
    providers = {f["resource"]["provider"] for f in findings}
    assert {"aws", "k8s"} <= providers


def test_no_planted_secret_in_any_output(demo_scan):
    proc, out = demo_scan
    secrets = planted_secrets()
    assert len(secrets) >= 5
    outputs = {p.name: p.read_text() for p in out.iterdir()}
    outputs["stdout"], outputs["stderr"] = proc.stdout, proc.stderr
    assert {"demo.json", "demo.sarif", "inventory.json"} <= set(outputs)
    for name, text in outputs.items():
        for s in secrets:
            assert s not in text, f"a planted secret ({s[:4]}…) appears in {name}"
    assert "[REDACTED:" in outputs["demo.json"]


def test_demo_has_a_full_privilege_path_from_the_internet():
    """The public inference proxy runs as the admin execution role: one path, every step."""
    from scanner.engine import scan_iac

    result, _ = scan_iac([DEMO])
    (f,) = [f for f in result.findings if f.rule_id == "internet-path-admin"]
    assert f.severity == "critical" and f.confidence == "certain" and f.category == "privilege-path"
    nodes = [s.node for s in f.path]
    assert "tf:terraform:aws_lambda_function.inference_proxy" in nodes
    assert "tf:terraform:aws_iam_role.ml_execution" in nodes
    techniques = [s.technique for s in f.path if s.technique]
    assert {"aws-public-invoke", "aws-runs-as", "aws-admin-access"} <= set(techniques)
    assert all(s.location and s.location.file for s in f.path if s.technique)
