"""Hostile or broken input: each problem becomes a scan error that names the file and the
reason, the rest of the scan goes on, and the gate says "incomplete" (exit 3) when no
finding crossed the threshold."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scanner.collect.iac import collect_iac
from scanner.collect.iac.discover import Limits
from scanner.engine import ScanOptions, build_inventory, run, source_summary
from scanner.gate import EXIT_INCOMPLETE, exit_code

# A well-formed file beside each bad one: the scan must still read it.
GOOD_K8S = """apiVersion: v1
kind: ConfigMap
metadata:
  name: good
  namespace: ml
data:
  MODE: batch
"""


def scan(root: Path, limits: Limits = Limits()):
    """scan_iac with explicit limits (the CLI uses the defaults)."""
    batches, found = collect_iac([root], limits=limits)
    errors = list(found.errors) + [e for b in batches for e in b.errors]
    sources = [source_summary(b) for b in batches]
    result = run(
        build_inventory(batches),
        targets=[str(root)],
        errors=errors,
        sources=sources,
        options=ScanOptions(),
        started_at="2026-01-01T00:00:00Z",
    )
    return result


def assert_error(result, file: str, reason: str) -> None:
    hits = [e for e in result.errors if e.file and e.file.endswith(file)]
    assert hits, f"no scan error names {file}: {[(e.file, e.reason) for e in result.errors]}"
    assert any(re.search(reason, e.reason, re.I) for e in hits), [e.reason for e in hits]
    assert all(e.unscanned for e in hits), "every error says what it left unscanned"


def assert_went_on(result) -> None:
    assert result.incomplete
    assert exit_code(result, "critical") in (EXIT_INCOMPLETE, 1)
    # nothing at critical in these inputs: the gate reports an incomplete scan
    if not [f for f in result.findings if f.severity == "critical" and f.status == "fail"]:
        assert exit_code(result, "critical") == EXIT_INCOMPLETE


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "iac"
    root.mkdir()
    (root / "good.yaml").write_text(GOOD_K8S)
    return root


def test_file_that_does_not_parse(tree):
    (tree / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n')  # unclosed block
    (tree / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n")
    result = scan(tree)
    assert_error(result, "broken.tf", r"pars|syntax|unexpected|invalid|error|missing|expected")
    assert_error(result, "broken.yaml", r"pars|syntax|yaml|expected|invalid")
    assert_went_on(result)
    assert result.resources >= 1  # good.yaml still read


def test_malformed_resource_type_is_an_error_unknown_type_is_ignored(tree):
    (tree / "odd.cfn.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Weird:\n"
        "    Type: [not, a, type]\n"
        "  Future:\n"
        "    Type: AWS::Quantum::Annealer\n"
        "    Properties: {Qubits: 5000}\n"
    )
    result = scan(tree)
    assert_error(result, "odd.cfn.yaml", r"type|Weird")
    # a well-formed type we do not model is not an error, but the report says it went unchecked
    assert not any("Future" in e.reason and "Weird" not in e.reason for e in result.errors)
    cfn = next(s for s in result.sources if s["dialect"] == "cloudformation")
    assert cfn["unmodelled"] == {"AWS::Quantum::Annealer": 1}
    assert_went_on(result)


def test_yaml_document_that_is_not_a_mapping(tree):
    (tree / "list.yaml").write_text(GOOD_K8S.replace("name: good", "name: first") + "---\n- just\n- a list\n")
    result = scan(tree)
    assert_error(result, "list.yaml", r"mapping|object|dict|not a")
    assert_went_on(result)
    assert result.resources >= 2  # the first document of list.yaml and good.yaml


def test_cloudformation_circular_reference(tree):
    (tree / "cycle.cfn.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Conditions:\n"
        "  A: !Condition B\n"
        "  B: !Condition A\n"
        "Resources:\n"
        "  RoleA:\n"
        "    Type: AWS::IAM::Role\n"
        "    Condition: A\n"
        "    Properties:\n"
        "      RoleName: !Sub '${RoleB}-a'\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "  RoleB:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: !Sub '${RoleA}-b'\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
    )
    result = scan(tree)
    assert_error(result, "cycle.cfn.yaml", r"circular|cycle|recurs|loop")
    assert_went_on(result)


def test_file_over_the_size_limit(tree):
    (tree / "huge.yaml").write_text(GOOD_K8S + "  PAD: '" + "x" * 4000 + "'\n")
    result = scan(tree, Limits(max_file_bytes=2000))
    assert_error(result, "huge.yaml", r"over the .*limit|bytes")
    assert_went_on(result)
    assert result.resources >= 1


def test_yaml_alias_bomb(tree):
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: bomb}",
        'a0: &a0 ["lol","lol","lol","lol"]',
    ]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 8)}]")
    lines.append("data: {x: *a11}")
    (tree / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = scan(tree)
    assert_error(result, "bomb.yaml", r"alias|expand|nodes|limit")
    assert_went_on(result)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlink_loop(tree):
    sub = tree / "sub"
    sub.mkdir()
    (sub / "again").symlink_to(tree, target_is_directory=True)
    result = scan(tree)
    assert_error(result, "again", r"loop")
    assert_went_on(result)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlink_that_leaves_the_tree(tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD_K8S.replace("name: good", "name: outside"))
    (tree / "escape").symlink_to(outside, target_is_directory=True)
    (tree / "escape.yaml").symlink_to(outside / "secret.yaml")
    result = scan(tree)
    assert_error(result, "escape", r"outside")
    assert_error(result, "escape.yaml", r"outside")
    assert_went_on(result)
    assert not any(r == "outside" for r in [f.resource.name for f in result.findings])


def test_our_own_reports_in_the_tree_are_not_templates(tree):
    """A JSON report that mentions `Type: AWS::...` in remediation text is not CloudFormation."""
    import json

    (tree / "report.json").write_text(
        json.dumps(
            {
                "schema_version": "1.0",
                "rules": {
                    "x": {"remediation": {"cloudformation": "Type: AWS::SecretsManager::RotationSchedule"}}
                },
                "findings": [],
            },
            indent=2,
        )
    )
    (tree / "template.json").write_text(
        json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {}}}}, indent=2)
    )
    (tree / "notes.yaml").write_text("remediation: |\n  Type: AWS::S3::Bucket\n")
    result = scan(tree)
    assert not result.errors, result.errors
    cfn = next(s for s in result.sources if s["dialect"] == "cloudformation")
    assert cfn["files"] == 1  # template.json only
