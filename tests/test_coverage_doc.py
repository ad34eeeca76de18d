"""docs/coverage.md is generated (python -m rules.gen_coverage) and kept current, and every
ML and serverless check of Checkov and Prowler (rules/anchors.yaml) is accounted for."""

from __future__ import annotations

import pytest

from rules import gen_coverage
from rules.gen_coverage import DOC_FILE, Anchor, covering_rules, load_anchors, problems, render
from rules.loader import load_catalogue


def test_coverage_doc_is_current():
    assert DOC_FILE.is_file(), "run: python -m rules.gen_coverage"
    assert DOC_FILE.read_text(encoding="utf-8") == render(), (
        "docs/coverage.md is stale: run python -m rules.gen_coverage"
    )


def test_check_mode_agrees():
    assert gen_coverage.main(["--check"]) == 0


def test_every_anchor_is_covered_or_has_a_reason_and_aliases_agree():
    assert problems(load_catalogue()) == []


def test_anchors_are_well_formed():
    anchors = load_anchors()
    assert {a.tool for a in anchors} == {"checkov", "prowler"}
    assert all(a.meaning for a in anchors)
    # the reference's inventory: Checkov's SageMaker/Bedrock/Vertex/Functions/Run checks and
    # Prowler's SageMaker/Bedrock/Lambda checks, among them
    ids = {a.id for a in anchors}
    assert {"CKV_AWS_122", "CKV_AWS_383", "CKV2_GCP_33", "CKV_GCP_102", "CKV_AZURE_243"} <= ids
    assert {"sagemaker_training_jobs_vpc_settings_configured", "bedrock_agent_guardrail_enabled"} <= ids
    for a in anchors:
        if a.reason:
            assert a.reason.startswith(("Planned", "Needs live data", "Out of scope")), a.id


def test_doc_lists_every_rule_and_every_anchor():
    text = render()
    for r in load_catalogue().rules:
        assert f"| `{r.id}` |" in text
    for a in load_anchors():
        assert f"| `{a.id}` |" in text


def test_alias_coverage_and_conflicts_are_found(monkeypatch):
    cat = load_catalogue()
    aliased = next(r for r in cat.rules if any(a.startswith("CKV_") for a in r.meta.aliases))
    alias = next(a for a in aliased.meta.aliases if a.startswith("CKV_"))
    # an alias covers a check without naming the rule in anchors.yaml
    assert covering_rules(Anchor(alias, "checkov", "m"), cat) == [aliased.id]
    other = next(r.id for r in cat.rules if r.id != aliased.id)
    fake = (
        Anchor(alias, "checkov", "m", rules=(other,)),  # says another rule covers it
        Anchor("CKV_AWS_99999", "checkov", "m"),  # neither rule nor reason
        Anchor("x_check", "prowler", "m", rules=("no-such-rule",), reason="Planned: x"),
    )
    monkeypatch.setattr(gen_coverage, "load_anchors", lambda: fake)
    errs = "\n".join(problems(cat))
    assert f"rule {aliased.id} aliases {alias}" in errs
    assert "CKV_AWS_99999 is neither covered" in errs
    assert "unknown rule no-such-rule" in errs


@pytest.mark.parametrize(
    "check_id,tool",
    [("CKV_AWS_22", "checkov"), ("CKV2_GCP_33", "checkov"), ("s3_bucket_public_access", "prowler")],
)
def test_alias_tool(check_id, tool):
    assert gen_coverage.tool_of(check_id) == tool
