"""The engine on a hand-built inventory: verdicts, UNKNOWN for unresolved values, rule
errors, suppressions with expiry, and the gate's exit codes."""

from __future__ import annotations

from rules.loader import Catalogue, load_catalogue
from rules.sdk import fail, ok, rule
from scanner.engine import ScanOptions, evaluate, scan_inventory
from scanner.gate import exit_code
from scanner.model.finding import ScanError
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, SourceRef, Suppression, Unresolved
from scanner.suppress import Config, ConfigSuppression

NB = "aws.sagemaker.notebook_instance"
RULE = "sagemaker-notebook-no-direct-internet"


def notebook(name, **attrs) -> Resource:
    return Resource(
        f"tf:aws_sagemaker_notebook_instance.{name}",
        NB,
        "aws",
        name,
        attrs=attrs,
        source=SourceRef("iac", "nb.tf", 10, 20, dialect="terraform"),
        lines={"direct_internet_access": 14},
    )


def inventory(*resources) -> Inventory:
    inv = Inventory()
    for r in resources:
        inv.add(r)
    return inv


def only(catalogue: Catalogue, *ids) -> ScanOptions:
    return ScanOptions(include_rules=list(ids), today="2026-06-01")


def test_fail_pass_and_unknown():
    inv = inventory(
        notebook("open", direct_internet_access=True),
        notebook("closed", direct_internet_access=False),
        notebook("var", direct_internet_access=Unresolved("var.internet")),
    )
    res = scan_inventory(inv, only(load_catalogue(), RULE))
    by_name = {f.resource.name: f for f in res.findings}
    assert set(by_name) == {"open", "var"}
    assert by_name["open"].status == "fail" and by_name["open"].location.start_line == 14
    assert (
        by_name["open"].evidence.path == "direct_internet_access" and by_name["open"].evidence.value is True
    )
    assert by_name["var"].status == "unknown" and by_name["var"].evidence.provenance == "unresolved"
    assert "var.internet" in by_name["var"].message
    assert res.passed == 1 and res.checks == 3


def test_default_values_carry_their_provenance():
    nb = notebook("dflt", direct_internet_access=True)
    nb.provenance["direct_internet_access"] = "default"
    res = scan_inventory(inventory(nb), only(load_catalogue(), RULE))
    assert res.findings[0].evidence.provenance == "default"


def test_fingerprint_is_stable_when_lines_move():
    a = notebook("open", direct_internet_access=True)
    b = notebook("open", direct_internet_access=True)
    b.source = SourceRef("iac", "nb.tf", 40, 50, dialect="terraform")
    b.lines = {"direct_internet_access": 44}
    fa = scan_inventory(inventory(a), only(load_catalogue(), RULE)).findings[0]
    fb = scan_inventory(inventory(b), only(load_catalogue(), RULE)).findings[0]
    assert fa.fingerprint == fb.fingerprint and fa.location.start_line != fb.location.start_line


def test_a_crashing_rule_is_an_error_finding_not_a_pass():
    @rule(
        id="test-crashes",
        title="A rule that crashes on purpose",
        severity="low",
        category="governance",
        applies_to=[NB],
        remediation={"cli": "-"},
    )
    def crashes(r):
        raise KeyError("boom")

    @rule(
        id="test-multi",
        title="A rule that yields several verdicts",
        severity="low",
        category="governance",
        applies_to=[NB],
        remediation={"cli": "-"},
    )
    def multi(r):
        yield fail("first", at="a")
        yield fail("second", at="b")
        yield ok()

    cat = Catalogue([crashes.rule, multi.rule])
    findings, checks, passed = evaluate(inventory(notebook("x")), cat)
    assert checks == 2 and passed == 0
    assert {(f.rule_id, f.status, f.evidence.path) for f in findings} == {
        ("test-crashes", "error", ""),
        ("test-multi", "fail", "a"),
        ("test-multi", "fail", "b"),
    }


def test_inline_and_config_suppressions_with_expiry():
    live = notebook("muted", direct_internet_access=True)
    live.suppressions = [Suppression("CKV_AWS_122", "lab sandbox", "2027-01-01")]
    old = notebook("expired", direct_internet_access=True)
    old.suppressions = [Suppression(RULE, "was temporary", "2026-01-01")]
    cfg_muted = notebook("by_config", direct_internet_access=True)
    opts = only(load_catalogue(), RULE)
    opts.config = Config([ConfigSuppression(RULE, "tf:*.by_config", "accepted risk", None)])
    res = scan_inventory(inventory(live, old, cfg_muted), opts)
    by = {f.resource.name: f for f in res.findings}
    assert by["muted"].muted and by["muted"].mute_reason == "inline: lab sandbox"
    assert by["by_config"].muted and by["by_config"].mute_reason == "config: accepted risk"
    assert not by["expired"].muted and "expired on 2026-01-01" in by["expired"].message
    assert exit_code(res, "high") == 1  # the expired one still gates


def test_gate_exit_codes():
    cat = load_catalogue()
    clean = scan_inventory(inventory(notebook("c", direct_internet_access=False)), only(cat, RULE))
    assert exit_code(clean, "high") == 0
    dirty = scan_inventory(inventory(notebook("d", direct_internet_access=True)), only(cat, RULE))
    assert exit_code(dirty, "high") == 1
    assert exit_code(dirty, "critical") == 0  # the finding is high, below a critical threshold
    clean.errors.append(
        ScanError("terraform", "syntax error at line 3", "broken.tf", "every resource in this file")
    )
    assert exit_code(clean, "high") == 3
    dirty.errors.append(ScanError("terraform", "syntax error", "broken.tf"))
    assert exit_code(dirty, "high") == 1  # findings over the threshold win over incompleteness


def test_unknown_never_counts_as_passing():
    res = scan_inventory(
        inventory(notebook("v", direct_internet_access=Unresolved("var.x"))), only(load_catalogue(), RULE)
    )
    assert res.passed == 0 and [f.status for f in res.findings] == ["unknown"]


def test_a_fail_before_an_unresolved_value_is_kept():
    @rule(
        id="test-partial",
        title="A rule that fails, then meets an unresolved value",
        severity="high",
        category="governance",
        applies_to=[NB],
        remediation={"cli": "-"},
    )
    def partial(r):
        yield fail("first container is privileged", at="containers[0]")
        r.a["direct_internet_access"]  # unresolved: raises

    findings, _, passed = evaluate(
        inventory(notebook("p", direct_internet_access=Unresolved("var.x"))), Catalogue([partial.rule])
    )
    assert passed == 0
    assert sorted((f.status, f.evidence.path) for f in findings) == [
        ("fail", "containers[0]"),
        ("unknown", "direct_internet_access"),
    ]
