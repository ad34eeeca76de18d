"""The declared runtime policy: schema, cross-references, lines on every error, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtime_monitor.policy import SCHEMA_PATH, PolicyError, load_policy, parse_policy, version_tuple
from scanner.cli import main

REPO = Path(__file__).resolve().parent.parent
POLICIES = REPO / "fixtures" / "runtime" / "policies"
HEAD = "apiVersion: mlposture.dev/v1alpha1\nkind: RuntimePolicy\n"


def issues(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(PolicyError) as e:
        parse_policy(text, "p.yaml")
    return [(i.line, i.path, i.message) for i in e.value.issues]


def test_the_example_policy_loads_into_frozen_dataclasses():
    p = load_policy(POLICIES / "platform.yaml")
    assert p.name == "ml-prod"
    assert [x.name for x in p.pools] == ["a100-mig", "h100-cc", "t4-shared", "dev-geforce", "v100-legacy"]
    mig = p.pool("a100-mig")
    assert (
        mig.isolation == "mig"
        and mig.mig.strategy == "mixed"
        and [g.profile for g in mig.mig.layout] == ["3g.40gb", "3g.40gb"]
    )
    assert all(g.compute_instances == ("3g.40gb",) for g in mig.mig.layout)
    assert p.pool("h100-cc").confidential_computing == "required"
    assert p.pool("t4-shared").time_slicing_replicas == 4
    assert p.tenant_for_namespace("search-batch").name == "search"
    assert p.tenant_for_namespace("default") is None
    assert p.platform.driver_min_by_branch["570"] == "570.158.01"
    assert p.platform.require_ecc and p.platform.require_accounting_mode
    assert p.defaults.not_supported == "warn" and p.defaults.unattributed_process == "fail"
    assert p.audit.sources["cloudtrail"].require_data_events is True
    assert p.audit.sources["k8s"].paths == ("/var/log/kubernetes/audit.log",)
    assert p.audit.unused_grant_days == 90
    # an asset's principals include those of its tenants and its explicit ones
    txn = next(a for a in p.assets if a.id == "txn")
    allowed = p.asset_principals(txn)
    assert "serviceAccount:etl@ml-prod.iam.gserviceaccount.com" in allowed.gcp
    assert "arn:aws:iam::111122223333:role/fraud-inference" in allowed.aws
    # every finding can cite the policy line it evaluated
    assert p.line_of("pools[1].confidential_computing") == 38
    assert p.line_of("pools[1].no_such_field") == p.line_of("pools[1]")
    with pytest.raises(AttributeError):
        p.pools[0].name = "x"  # frozen


def test_every_error_is_listed_with_its_line():
    got = {(line, path) for line, path, _ in issues((POLICIES / "broken.yaml").read_text())}
    assert got == {
        (4, "defaults.not_supported"),
        (8, "pools[0].mig.layout[1]"),
        (9, "pools[1]"),  # required isolation missing
        (10, "pools[1].isolaton"),  # typo: the unknown key is named at its own line
        (14, "tenants[0].max_gpus"),
        (16, "platform.container_toolkit_min"),
    }


def test_cross_references_are_checked_with_lines():
    text = HEAD + (
        "pools:\n"
        "  - {name: p1, isolation: exclusive, max_tenants_per_gpu_instance: 2}\n"
        "  - {name: p1, isolation: time-slicing, mig: {strategy: single}}\n"
        "tenants:\n"
        "  - name: a\n"
        "    namespaces: [ns1]\n"
        "    pools: [p1, nope]\n"
        "  - name: b\n"
        "    namespaces: [ns1]\n"
        "assets:\n"
        "  - {kind: model, id: m, owner: ghost, allowed_principals: {tenants: [a, ghost2]}}\n"
        "platform:\n"
        "  driver_min_by_branch: {'570': '550.1'}\n"
    )
    got = issues(text)
    msgs = {(line, path): m for line, path, m in got}
    assert "one tenant per GPU" in msgs[(4, "pools[0].max_tenants_per_gpu_instance")]
    assert "declared twice" in msgs[(5, "pools[1].name")]
    assert "mig section" in msgs[(5, "pools[1].mig")]
    assert "no pool named 'nope'" in msgs[(9, "tenants[0].pools[1]")]
    assert "already belongs to tenant 'a'" in msgs[(11, "tenants[1].namespaces[0]")]
    assert "no tenant named 'ghost'" in msgs[(13, "assets[0].owner")]
    assert "ghost2" in msgs[(13, "assets[0].allowed_principals.tenants[1]")]
    assert "not on branch 570" in msgs[(15, "platform.driver_min_by_branch.570")]


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("apiVersion: v1\nkind: RuntimePolicy\n", 1, "mlposture.dev/v1alpha1"),
        (HEAD + "pools: [\n", None, "not valid YAML"),
        ("", 1, "no policy document"),
        ("- a\n- b\n", 1, "a mapping"),
        (HEAD + "---\n" + HEAD, 4, "one policy per file"),
        (
            HEAD
            + "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
            + "".join(
                f"b{i}: &b{i} [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                if i == 0
                else f"b{i}: &b{i} [*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1},*b{i - 1}]\n"
                for i in range(6)
            ),
            None,
            "refused",
        ),
    ],
)
def test_bad_documents_fail_clearly(text, line, fragment):
    got = issues(text)
    assert any(fragment in m for _, _, m in got), got
    if line is not None:
        assert got[0][0] == line


def test_an_unreadable_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"\xff\xfe\x00kind")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(bad)


def test_published_schema_is_the_one_the_loader_uses():
    assert (REPO / "docs" / "runtime-policy.schema.json").read_text() == SCHEMA_PATH.read_text()
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


def test_version_tuple():
    assert version_tuple("1.17.8") == (1, 17, 8)
    assert version_tuple("v25.3.1") == (25, 3, 1)
    assert version_tuple("570.86.15-grid") == (570, 86, 15)
    assert version_tuple("1.17.0-rc.1") == (1, 17, 0)
    assert version_tuple("1.17.8") > version_tuple("1.17.7")


def test_cli_validate_reports_every_error_and_exits_2():
    r = CliRunner().invoke(main, ["policy", "validate", str(POLICIES / "broken.yaml")])
    assert r.exit_code == 2
    assert "broken.yaml:10: pools[1].isolaton: unknown field 'isolaton'" in r.output
    assert "6 errors" in r.output
    ok = CliRunner().invoke(main, ["policy", "validate", str(POLICIES / "platform.yaml")])
    assert ok.exit_code == 0 and "valid (5 pools, 4 tenants, 5 assets, 3 audit sources)" in ok.output


def test_cli_init_writes_a_commented_policy_that_validates(tmp_path):
    out = tmp_path / "policy.yaml"
    r = CliRunner().invoke(main, ["policy", "init", "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert text.count("\n#") + text.count("  #") >= 5  # it explains itself
    p = load_policy(out)
    assert p.pools and p.tenants and p.defaults.not_supported == "warn"
    again = CliRunner().invoke(main, ["policy", "init", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    stdout = CliRunner().invoke(main, ["policy", "init"])
    assert stdout.exit_code == 0 and stdout.output == text


def test_duplicate_keys_are_errors_with_both_lines():
    text = (
        HEAD
        + "pools:\n  - name: a\n    isolation: mig\n    isolation: exclusive\ntenants: []\nkind: RuntimePolicy\n"
    )
    got = issues(text)
    assert (6, "", "duplicate key 'isolation' (first on line 5)") in got
    assert (8, "", "duplicate key 'kind' (first on line 2)") in got


def test_the_shared_yaml_loader_stays_last_wins_unless_asked():
    from scanner.collect.iac.yaml_loader import YamlDuplicateKeyError, load_one

    assert load_one("a: 1\na: 2\n") == {"a": 2}
    with pytest.raises(YamlDuplicateKeyError) as e:
        load_one("a: 1\nb: {c: 1, c: 2}\na: 3\n", reject_duplicate_keys=True)
    assert sorted(e.value.duplicates) == [("a", 1, 3), ("c", 2, 2)]
    merged = load_one("base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n", reject_duplicate_keys=True)
    assert merged["m"] == {"x": 2}
