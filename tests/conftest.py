"""Shared fixtures: hand-built scan results (so report tests need no loader or rule) and
the validators for the report schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.model.finding import (
    Evidence,
    Finding,
    FindingResource,
    Location,
    PathStep,
    ScanError,
    ScanResult,
    fingerprint,
)

REPO = Path(__file__).resolve().parent.parent
JSON_SCHEMA_PATH = REPO / "reports" / "schemas" / "report-v1.schema.json"

RULES = {
    "sagemaker-notebook-no-direct-internet": {
        "id": "sagemaker-notebook-no-direct-internet",
        "title": "SageMaker notebook instances have no direct internet access",
        "severity": "high",
        "category": "network",
        "applies_to": ["aws.sagemaker.notebook_instance"],
        "description": "A notebook with direct internet access can be reached from outside the VPC.",
        "risk": "Exfiltration.",
        "remediation": {"terraform": 'direct_internet_access = "Disabled"', "cli": "Recreate it."},
        "references": ["https://docs.aws.amazon.com/sagemaker/"],
        "aliases": ["CKV_AWS_122"],
        "compliance": [],
        "maturity": "stable",
        "provider": "aws",
        "tags": [],
        "help_uri": "https://mlposture.dev/rules/sagemaker-notebook-no-direct-internet",
    },
    "lambda-env-no-secrets": {
        "id": "lambda-env-no-secrets",
        "title": "Lambda environment variables hold no secrets",
        "severity": "critical",
        "category": "secrets",
        "applies_to": ["aws.lambda.function"],
        "description": "Secrets in environment variables are readable by anyone with GetFunction.",
        "remediation": {"terraform": "Use Secrets Manager and read it at start-up."},
        "references": [],
        "aliases": [],
        "maturity": "incubating",
        "provider": "aws",
    },
    "sagemaker-model-kms": {
        "id": "sagemaker-model-kms",
        "title": "SageMaker endpoint configurations encrypt storage with a CMK",
        "severity": "medium",
        "category": "encryption",
        "applies_to": ["aws.sagemaker.endpoint_config"],
        "description": "",
        "remediation": {"terraform": "kms_key_arn = aws_kms_key.ml.arn"},
        "references": [],
        "aliases": [],
        "maturity": "stable",
        "provider": "aws",
    },
}


def make_finding(
    rule_id: str,
    uid: str,
    path: str,
    *,
    status: str = "fail",
    line: int | None = 3,
    file: str | None = "main.tf",
    muted: bool = False,
    mute_reason: str | None = None,
    steps: list[PathStep] | None = None,
    value=True,
    severity: str | None = None,
) -> Finding:
    meta = RULES.get(rule_id, {"title": "A graph rule", "severity": "high", "category": "privilege-path"})
    return Finding(
        fingerprint=fingerprint(rule_id, uid, path),
        rule_id=rule_id,
        title=meta["title"],
        severity=severity or meta["severity"],
        status=status,
        category=meta["category"],
        resource=FindingResource(
            uid, "aws.sagemaker.notebook_instance", uid.rsplit(".", 1)[-1], "aws", None, None
        ),
        message=f'SageMaker notebook instance "{uid}": direct internet access is enabled',
        evidence=Evidence(path, value),
        source="iac",
        location=Location(file, line, line + 2) if file and line else (Location(file) if file else None),
        path=steps or [],
        muted=muted,
        mute_reason=mute_reason,
        remediation=dict(meta.get("remediation", {})),
        references=list(meta.get("references", [])),
        aliases=list(meta.get("aliases", [])),
    )


def build_result(line_shift: int = 0) -> ScanResult:
    """A scan with one of each shape: a plain failure, a muted one (inline and config), an
    UNKNOWN, a rule error, a privilege path with steps, a finding with no file, and a scan
    error. `line_shift` moves every line, as an edit above the resources would."""
    nb = "sagemaker-notebook-no-direct-internet"
    findings = [
        make_finding(
            nb, "tf:aws_sagemaker_notebook_instance.open", "direct_internet_access", line=4 + line_shift
        ),
        make_finding(
            nb,
            "tf:aws_sagemaker_notebook_instance.lab",
            "direct_internet_access",
            line=20 + line_shift,
            muted=True,
            mute_reason="inline: lab account, no data",
        ),
        make_finding(
            "lambda-env-no-secrets",
            "tf:aws_lambda_function.api",
            "environment.HF_TOKEN",
            line=40 + line_shift,
            muted=True,
            mute_reason="config: rotated weekly",
            value="[REDACTED:huggingface-token]",
        ),
        make_finding(
            "sagemaker-model-kms",
            "tf:aws_sagemaker_endpoint_configuration.ec",
            "kms_key_id",
            status="unknown",
            line=60 + line_shift,
            value={"$unresolved": "var.kms"},
        ),
        make_finding(
            "sagemaker-model-kms",
            "tf:aws_sagemaker_endpoint_configuration.bad",
            "",
            status="error",
            line=None,
            file="nested/dir/main.tf",
        ),
        make_finding(
            "graph-internet-to-admin",
            "tf:aws_lambda_function_url.api",
            "path",
            line=80 + line_shift,
            steps=[
                PathStep("INTERNET", "source", "public-function-url", [], None, "auth NONE"),
                PathStep(
                    "tf:aws_lambda_function.api",
                    "aws.lambda.function",
                    "assume-execution-role",
                    ["sts:AssumeRole"],
                    Location("main.tf", 30 + line_shift, 35 + line_shift),
                ),
                PathStep(
                    "tf:aws_iam_role.exec",
                    "aws.iam.role",
                    "admin-policy",
                    ["*:*"],
                    Location("iam.tf", 2 + line_shift),
                ),
                PathStep("ADMIN@aws", "sink"),
            ],
        ),
        make_finding(
            nb,
            "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/live",
            "direct_internet_access",
            file=None,
        ),
    ]
    return ScanResult(
        scan_id="00000000-0000-4000-8000-000000000001",
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:01Z",
        targets=["infra"],
        findings=findings,
        errors=[
            ScanError(
                "terraform", "HCL syntax error at line 3: unexpected '}'", "broken.tf", "the whole file"
            ),
            ScanError(
                "discovery",
                "symlink points outside the scanned tree; not followed",
                "link",
                "the link target",
            ),
        ],
        sources=[{"dialect": "terraform", "files": 3, "resources": 7}],
        resources=7,
        rules_evaluated=3,
        checks=9,
        passed=2,
        rules={k: v for k, v in RULES.items()},
        tool_version="0.1.0",
        root="infra",
    )


@pytest.fixture
def scan_result() -> ScanResult:
    return build_result()


def sarif_errors(log: dict) -> list[str]:
    from sarif_kit.validate import validation_errors

    return validation_errors(log)


def json_report_errors(doc: dict) -> list[str]:
    from jsonschema import Draft202012Validator

    schema = json.loads(JSON_SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in v.iter_errors(doc)]
