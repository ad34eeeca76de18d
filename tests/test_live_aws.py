"""`mlposture scan aws` against moto (plus the stand-in for calls moto lacks): the scenario's
exact findings, the inventory round trip, read-only calls, the permissions document, faults,
sharding, SCPs, tags and --inspect-code. One moto server per test session; the scenario is
built once and the read-only scans of it are shared between tests. Tests that need other
accounts build them beside the scenario's (moto keeps accounts apart), so nothing resets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fixtures.live.aws.faults import Fault, Faults
from fixtures.live.aws.harness import ROOT, Servers, env, load_expected, placeholders, scan
from fixtures.live.aws.scenario import AWS_KEY, HF_TOKEN, build, build_code, build_minimal
from scanner.collect.aws import AwsScanConfig, collect_aws
from scanner.collect.aws.calls import (
    iam_action,
    is_declared,
    is_read_only,
    permissions_json,
    required_actions,
)
from scanner.model.resource import Unresolved

WANDB = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="session")
def servers():
    s = Servers()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def scenario(servers):
    return build(servers.moto_url, servers.standin)


@pytest.fixture(scope="session")
def scanned(servers, scenario, tmp_path_factory):
    d = tmp_path_factory.mktemp("scan")
    code, report, err = scan(servers.url, "--save-inventory", str(d / "inv.json"), out=d / "scan.json")
    return code, report, err, d


@pytest.fixture(scope="session")
def collected(servers, scenario):
    """One in-process collection of the whole scenario, shared by the tests that read it."""
    return collect_aws(_cfg(servers))


def _assumed(servers, account: str) -> dict:
    import boto3

    sts = boto3.client(
        "sts",
        endpoint_url=servers.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/scan", RoleSessionName="setup")["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def _cfg(servers, *faults: Fault | Faults, **kw) -> AwsScanConfig:
    """A scan config against the stand-in; `faults` are Fault rules, or one Faults whose hits
    and hidden items the test reads afterwards."""
    import os

    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    layer = faults[0] if len(faults) == 1 and isinstance(faults[0], Faults) else Faults(*faults)
    hooks = layer.hooks() if faults else []
    return AwsScanConfig(
        endpoint_url=servers.url, region="us-east-1", max_attempts=2, event_hooks=hooks, **kw
    )


def test_scenario_gives_exactly_the_expected_findings(scanned, scenario):
    code, report, err, _ = scanned
    assert report["scan"]["errors"] == [], err
    assert placeholders(report, scenario["ids"]) == load_expected()
    assert code == 1  # high findings cross the default threshold


def test_no_secret_value_reaches_report_or_inventory(scanned):
    _, _, _, d = scanned
    for text in ((d / "scan.json").read_text(), (d / "inv.json").read_text()):
        for secret in (HF_TOKEN, AWS_KEY, WANDB):
            assert secret not in text
    inv = json.loads((d / "inv.json").read_text())
    fn = next(r for r in inv["resources"] if r["type"] == "aws.lambda.function")
    assert fn["attrs"]["environment"]["HF_TOKEN"].startswith("[REDACTED:")
    assert fn["attrs"]["environment"]["LOG_LEVEL"] == "info"
    assert [s["path"] for s in fn["attrs"]["secrets"]] == ["environment.HF_TOKEN"]


def test_live_resources_have_the_canonical_attributes(scanned):
    from scanner.model.types import RESOURCE_TYPES

    inv = json.loads((scanned[3] / "inv.json").read_text())
    types = {r["type"] for r in inv["resources"]}
    assert len(types) >= 30
    for r in inv["resources"]:
        spec = RESOURCE_TYPES[r["type"]]
        assert set(r["attrs"]) <= set(spec.attrs), (r["type"], set(r["attrs"]) - set(spec.attrs))
        missing = set(spec.attrs) - set(r["attrs"])
        assert not missing, (r["type"], missing)
        assert r["source"]["kind"] == "live" and r["source"]["api"]
    rels = {(rel["kind"]) for rel in inv["relations"]}
    assert {
        "execution_role",
        "uses_config",
        "serves_model",
        "lifecycle_config",
        "url_of",
        "member_of",
    } <= rels
    uids = {r["uid"] for r in inv["resources"]}
    dangling = [
        rel
        for rel in inv["relations"]
        if rel["kind"] in ("uses_config", "serves_model", "lifecycle_config") and rel["dst"] not in uids
    ]
    assert dangling == []


def test_saved_inventory_rescans_to_the_same_findings(scanned, tmp_path):
    _, report, _, d = scanned
    cmd = [
        sys.executable,
        "-c",
        "from scanner.cli import main; main()",
        "scan",
        "inventory",
        str(d / "inv.json"),
        "-q",
        "-o",
        f"json={tmp_path / 'again.json'}",
    ]
    p = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    again = json.loads((tmp_path / "again.json").read_text())
    key = lambda r: sorted((f["fingerprint"], f["rule_id"], f["resource"]["uid"]) for f in r["findings"])  # noqa: E731
    assert key(again) == key(report)


def test_every_call_is_read_only_declared_and_in_the_permissions_doc(collected):
    col = collected
    assert col.errors == []
    calls = set(col.recorder.calls)
    assert len(calls) > 40
    services = {s for s, _ in calls}
    assert {"sagemaker", "lambda", "iam", "s3", "bedrock", "bedrock-agent", "sts"} <= services
    bad = [c for c in calls if not is_read_only(*c)]
    assert bad == []
    assert [c for c in calls if not is_declared(*c)] == []
    doc = json.loads((ROOT / "docs" / "aws-permissions.json").read_text())
    assert (ROOT / "docs" / "aws-permissions.json").read_text() == permissions_json()
    allowed = set(doc["Statement"][0]["Action"])
    assert {iam_action(*c) for c in calls} <= allowed
    assert allowed == set(required_actions())
    assert all(
        a.split(":")[1].startswith(("List", "Describe", "Get", "GET")) or a == "sts:AssumeRole"
        for a in allowed
    )


def test_denied_call_names_the_permission_and_what_went_unscanned(servers, scenario):
    col = collect_aws(
        _cfg(
            servers,
            Fault("lambda", "GetPolicy"),
            Fault("sagemaker", "ListNotebookInstances"),
            services=["lambda", "sagemaker", "iam"],
        )
    )
    reasons = " | ".join(e.reason for e in col.errors)
    assert "lambda:GetPolicy" in reasons and "sagemaker:ListNotebookInstances" in reasons
    assert "missing permission" in reasons
    unscanned = {e.unscanned for e in col.errors}
    assert any("resource policy of Lambda function fn-public" in u for u in unscanned)
    assert any("SageMaker notebook instances" in u for u in unscanned)
    types = {r.type for r in col.normalized.resources}
    # what was readable is kept: the function itself, endpoints, IAM
    assert {"aws.lambda.function", "aws.sagemaker.endpoint", "aws.iam.role"} <= types
    assert "aws.sagemaker.notebook_instance" not in types
    # the policy that was not read is not "no policy": one permission whose settings are
    # Unresolved stands for it, and the public-invoke rule says UNKNOWN about it
    (perm,) = [r for r in col.normalized.resources if r.type == "aws.lambda.permission"]
    assert perm.uid.endswith(":function:fn-public#policy")
    assert isinstance(perm.attrs["principal"], Unresolved)
    assert perm.provenance["principal"] == "unresolved"
    assert "lambda:GetPolicy was denied" in perm.attrs["principal"].expr
    res = _evaluate(col, "lambda-permission-not-public")
    assert [(f.status, f.resource.uid) for f in res.findings] == [("unknown", perm.uid)]


def test_incomplete_scan_exits_3_when_nothing_crosses_the_threshold(servers, scenario, tmp_path):
    # an unreachable endpoint makes the scan fail outright (exit 2), never pass; it runs
    # beside the scan below
    bad = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from scanner.cli import main; main()",
            "scan",
            "aws",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--max-attempts",
            "1",
            "-q",
        ],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    code, report, err = scan(
        servers.url,
        "--services",
        "ecr",
        "--rules",
        "ecr-repository-scan-on-push",
        "--fail-on",
        "critical",
        out=tmp_path / "a.json",
    )
    assert code == 0, err  # findings below critical, nothing missed
    _, bad_err = bad.communicate(timeout=120)
    assert bad.returncode == 2 and "sts:GetCallerIdentity" in bad_err


def test_denied_service_makes_the_gate_say_incomplete(servers, scenario):
    from scanner.engine import ScanOptions, run
    from scanner.gate import exit_code
    from scanner.model.inventory import Inventory

    col = collect_aws(_cfg(servers, Fault("ecr", "DescribeRepositories"), services=["ecr", "kms"]))
    inv = Inventory()
    inv.extend(col.normalized.resources, col.normalized.relations)
    res = run(
        inv,
        targets=["aws"],
        errors=col.errors,
        sources=[],
        options=ScanOptions(include_rules=["ecr-repository-scan-on-push"]),
        started_at="2026-01-01T00:00:00Z",
    )
    assert res.findings == [] and len(res.errors) == 1
    assert "ecr:DescribeRepositories" in res.errors[0].reason
    assert exit_code(res, "high") == 3


def test_throttling_is_retried_then_reported(servers, scenario):
    from concurrent.futures import ThreadPoolExecutor

    once_cfg = _cfg(
        servers, Fault("ecr", "DescribeRepositories", "ThrottlingException", times=1), services=["ecr"]
    )
    always_cfg = _cfg(servers, Fault("ecr", "DescribeRepositories", "ThrottlingException"), services=["ecr"])
    with ThreadPoolExecutor(2) as pool:  # each waits out botocore's backoff: wait side by side
        once, always = pool.map(collect_aws, (once_cfg, always_cfg))
    assert once.errors == []
    assert any(r.type == "aws.ecr.repository" for r in once.normalized.resources)
    assert len(always.errors) == 1 and "throttled" in always.errors[0].reason
    assert "ECR" in always.errors[0].unscanned or "ecr" in always.errors[0].unscanned


def test_timeout_is_reported(servers, scenario):
    col = collect_aws(_cfg(servers, Fault("kms", "ListKeys", "timeout"), services=["kms", "ecr"]))
    assert len(col.errors) == 1 and "timed out" in col.errors[0].reason
    assert "kms" in col.errors[0].unscanned
    assert any(r.type == "aws.ecr.repository" for r in col.normalized.resources)


def _evaluate(col, *rules: str):
    """The engine over a collection, with only `rules`: the ScanResult the gate reads."""
    from scanner.engine import ScanOptions, run
    from scanner.model.inventory import Inventory

    inv = Inventory()
    inv.extend(col.normalized.resources, col.normalized.relations)
    return run(
        inv,
        targets=["aws"],
        errors=col.errors,
        sources=[],
        options=ScanOptions(include_rules=list(rules)),
        started_at="2026-01-01T00:00:00Z",
    )


def _names(col, rtype: str) -> set[str]:
    return {r.name for r in col.normalized.resources if r.type == rtype}


def test_5xx_is_retried_a_persistent_one_is_reported_and_the_rest_is_kept(servers, scenario):
    from concurrent.futures import ThreadPoolExecutor

    from scanner.gate import exit_code

    always = Faults(
        Fault("ecr", "DescribeRepositories", "InternalError", 500),  # a list call
        Fault("sagemaker", "DescribeEndpointConfig", "ServiceUnavailable", 503),  # a detail call
    )
    once = Faults(
        Fault("ecr", "DescribeRepositories", "ServiceUnavailable", 503, times=1),
        Fault("sagemaker", "DescribeEndpointConfig", "InternalError", 500, times=1),
    )
    services = ["ecr", "kms", "sagemaker"]
    with ThreadPoolExecutor(2) as pool:  # each waits out botocore's backoff: wait side by side
        bad, good = pool.map(lambda f: collect_aws(_cfg(servers, f, services=services)), (always, once))
    # once: retried, and the scan is complete
    assert good.errors == []
    assert once.hits == {("ecr", "DescribeRepositories"): 1, ("sagemaker", "DescribeEndpointConfig"): 1}
    assert _names(good, "aws.ecr.repository") == {"inference"}
    assert _names(good, "aws.sagemaker.endpoint_config") == {"ec-nokms", "ec-secure"}
    # persistent: every attempt botocore makes gets the 5xx (max_attempts=2 counts retries: three
    # attempts), then it is reported with the count
    assert always.hits[("ecr", "DescribeRepositories")] == 3
    by_call = {}
    for e in bad.errors:
        by_call.setdefault(e.reason.split(": ", 1)[1].split(" ")[0], []).append(e)
    assert set(by_call) == {"ecr:DescribeRepositories", "sagemaker:DescribeEndpointConfig"}
    (ecr,) = by_call["ecr:DescribeRepositories"]
    assert "failed with a server error after 3 attempts: HTTP 500 InternalError" in ecr.reason
    assert ecr.unscanned.startswith("ecr resources not read before ecr:DescribeRepositories failed")
    configs = by_call["sagemaker:DescribeEndpointConfig"]
    assert all("HTTP 503 ServiceUnavailable" in e.reason and "after 3 attempts" in e.reason for e in configs)
    assert sorted(e.unscanned.split(" (")[0] for e in configs) == [
        "SageMaker endpoint config ec-nokms",
        "SageMaker endpoint config ec-secure",
    ]
    # what other calls read is kept; what was not seen is not in the inventory at all
    assert _names(bad, "aws.kms.key") and _names(bad, "aws.sagemaker.endpoint") == {"ep-a"}
    assert _names(bad, "aws.sagemaker.notebook_instance") == {"nb-open"}
    assert not _names(bad, "aws.ecr.repository") and not _names(bad, "aws.sagemaker.endpoint_config")
    rules = (
        "ecr-repository-scan-on-push",
        "sagemaker-endpoint-config-encrypted-with-cmk",
        "kms-key-rotation-enabled",
    )
    res = _evaluate(bad, *rules)
    # no rule ran on (let alone passed) a repository or config the scan could not read
    assert res.checks == len(_names(bad, "aws.kms.key"))
    assert {f.resource.type for f in res.findings} <= {"aws.kms.key"}
    assert exit_code(res, "high") == 3  # incomplete: the KMS finding is medium
    assert _evaluate(good, *rules).checks == res.checks + 1 + 2


def test_a_failed_next_page_keeps_the_first_and_names_what_was_not_listed(servers, scenario):
    from scanner.gate import exit_code

    faults = Faults(
        Fault("sagemaker", "ListEndpointConfigs", "InternalError", 500, on_next_page=True),
        # IAM speaks XML: its second page arrives cut short
        Fault(
            "iam",
            "GetAccountAuthorizationDetails",
            "malformed",
            on_next_page=True,
            result_key="RoleDetailList",
        ),
    )
    col = collect_aws(_cfg(servers, faults, services=["sagemaker", "iam"]))
    (hidden_config,) = [c["EndpointConfigName"] for c in faults.hidden[("sagemaker", "ListEndpointConfigs")]]
    hidden_roles = {r["RoleName"] for r in faults.hidden[("iam", "GetAccountAuthorizationDetails")]}
    assert hidden_roles
    errs = {e.reason.split("listing incomplete: ", 1)[1].split(" ")[0]: e for e in col.errors}
    assert set(errs) == {"sagemaker:ListEndpointConfigs", "iam:GetAccountAuthorizationDetails"}
    sm, iam = errs["sagemaker:ListEndpointConfigs"], errs["iam:GetAccountAuthorizationDetails"]
    assert "server error after 3 attempts: HTTP 500 InternalError" in sm.reason
    assert "(on page 2; the 1 item(s) of the first 1 page(s) were kept)" in sm.reason
    assert sm.unscanned.startswith(
        "SageMaker endpoint configs after the first 1 listed by sagemaker:ListEndpointConfigs"
    )
    assert "answered with a malformed body" in iam.reason and "on page 2" in iam.reason
    assert "invalid XML received" in iam.reason and '"items"' not in iam.reason  # never the body itself
    assert iam.unscanned.startswith("IAM users, groups, roles and policies after the first")
    # the first page's resources are kept and described; the rest of the unit went on
    seen = _names(col, "aws.sagemaker.endpoint_config")
    assert seen == {"ec-nokms", "ec-secure"} - {hidden_config} and len(seen) == 1
    assert _names(col, "aws.sagemaker.notebook_instance") == {"nb-open"}
    roles = _names(col, "aws.iam.role")
    assert roles and not roles & hidden_roles and _names(col, "aws.iam.user") == {"dev"}
    # nothing is said about what was not seen: no check ran on it, so none passed it
    res = _evaluate(
        col, "sagemaker-endpoint-config-encrypted-with-cmk", "sagemaker-endpoint-config-multi-instance"
    )
    assert res.checks == 2 * len(seen)
    assert hidden_config not in {f.resource.name for f in res.findings}
    assert exit_code(res, "critical") == 3


def test_a_malformed_answer_is_an_error_naming_the_call_never_an_empty_list(servers, scenario):
    col = collect_aws(
        _cfg(
            servers,
            Fault(
                "ecr", "DescribeRepositories", "malformed"
            ),  # JSON: botocore alone would read "no repositories"
            Fault("lambda", "GetPolicy", "malformed"),  # REST-JSON, a detail call
            Fault("kms", "GetKeyPolicy", "malformed"),
            services=["ecr", "lambda", "kms"],
        )
    )
    reasons = {e.reason.split(": ", 1)[1].split(" ")[0]: e for e in col.errors}
    assert set(reasons) == {"ecr:DescribeRepositories", "lambda:GetPolicy", "kms:GetKeyPolicy"}
    assert all(
        "answered with a malformed body: HTTP 200 with a body that is not valid JSON" in e.reason
        for e in col.errors
    )
    assert reasons["ecr:DescribeRepositories"].unscanned.startswith("ecr resources not read before")
    assert reasons["lambda:GetPolicy"].unscanned.startswith("resource policy of Lambda function fn-public")
    assert reasons["kms:GetKeyPolicy"].unscanned.startswith("key policy of KMS key")
    assert not _names(col, "aws.ecr.repository")
    assert "fn-public" in _names(col, "aws.lambda.function") and _names(col, "aws.kms.key")


def test_a_malformed_answer_once_is_sent_for_again_and_read(servers, scenario):
    """A body cut short once (a listing's first page, a detail call) is asked for again:
    what it lists is read, and nothing is reported missing."""
    faults = Faults(
        Fault("ecr", "DescribeRepositories", "malformed", times=1),
        Fault("lambda", "GetPolicy", "malformed", times=1),
    )
    col = collect_aws(_cfg(servers, faults, services=["ecr", "lambda"]))
    assert col.errors == []
    assert "inference" in _names(col, "aws.ecr.repository")
    assert faults.hits[("ecr", "DescribeRepositories")] == 1 and faults.hits[("lambda", "GetPolicy")] == 1
    perms = [r for r in col.normalized.resources if r.type == "aws.lambda.permission"]
    assert perms and not any(isinstance(r.attrs.get("principal"), Unresolved) for r in perms)


def _by_name(col, rtype: str) -> dict:
    return {r.name: r for r in col.normalized.resources if r.type == rtype}


def _statuses(res) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.resource.name): f.status for f in res.findings}


def test_unreadable_access_keys_are_unknown_never_no_keys(servers, scenario):
    from concurrent.futures import ThreadPoolExecutor

    from scanner.gate import exit_code

    cfgs = [
        _cfg(servers, Fault("iam", "ListAccessKeys", "AccessDenied", 403), services=["iam"]),
        _cfg(servers, Fault("iam", "ListAccessKeys", "InternalError", 500), services=["iam"]),
    ]
    with ThreadPoolExecutor(2) as pool:
        denied, failed = pool.map(collect_aws, cfgs)
    for col, how in ((denied, "was denied"), (failed, "failed with a server error")):
        dev = _by_name(col, "aws.iam.user")["dev"]
        keys = dev.attrs["access_keys"]
        assert isinstance(keys, Unresolved) and f"iam:ListAccessKeys {how}" in keys.expr
        assert dev.provenance["access_keys"] == "unresolved"
        assert any("access keys of IAM user dev" in e.unscanned for e in col.errors)
        res = _evaluate(col, "iam-user-no-access-keys-for-pipelines")
        assert _statuses(res)[("iam-user-no-access-keys-for-pipelines", "dev")] == "unknown"
        assert exit_code(res, "critical") == 3  # incomplete, never clean


def test_unreadable_resource_policies_and_settings_are_unknown_never_none(servers, scenario):
    """A detail call that fails (not the documented "there is none" answer) leaves the
    attribute Unresolved: the rules that read it say UNKNOWN instead of passing (or failing)."""
    col = collect_aws(
        _cfg(
            servers,
            Fault("lambda", "GetFunctionUrlConfig"),
            Fault("lambda", "GetFunctionConcurrency", "InternalError", 500),
            Fault("lambda", "ListTags"),
            Fault("lambda", "GetLayerVersionPolicy"),
            Fault("kms", "GetKeyPolicy"),
            Fault("kms", "GetKeyRotationStatus", "malformed"),
            Fault("s3", "GetBucketPolicy", "AccessDenied", 403),
            Fault("s3", "GetBucketAcl", "AccessDenied", 403),
            Fault("s3", "GetPublicAccessBlock", "InternalError", 500),
            Fault("s3", "GetBucketVersioning", "AccessDenied", 403),
            Fault("ecr", "GetRepositoryPolicy"),
            Fault("cloudtrail", "GetEventSelectors"),
            Fault("secrets-manager", "GetResourcePolicy"),  # the service id
            Fault("sagemaker", "ListTags"),
            Fault("sagemaker", "GetModelPackageGroupPolicy", "InternalError", 500),
            Fault("bedrock-agent", "ListAgentActionGroups"),
            services=["lambda", "kms", "ecr", "cloudtrail", "secretsmanager", "s3", "sagemaker", "bedrock"],
        )
    )

    def unresolved(r, *paths):
        for path in paths:
            assert isinstance(r.attrs[path], Unresolved), (r.uid, path, r.attrs[path])
            assert r.provenance[path] == "unresolved" and r.attrs[path].expr.startswith("not read: ")

    fn = _by_name(col, "aws.lambda.function")["fn-public"]
    unresolved(fn, "reserved_concurrency")
    assert fn.provenance["tags"] == "unresolved"
    unresolved(_by_name(col, "aws.lambda.function_url")["fn-public-url"], "auth_type", "cors")
    unresolved(_by_name(col, "aws.lambda.layer_version")["shared"], "permissions")
    (key,) = [k for k in col.normalized.resources if k.type == "aws.kms.key"]
    unresolved(key, "policy", "enable_key_rotation")
    unresolved(_by_name(col, "aws.ecr.repository")["inference"], "policy")
    unresolved(_by_name(col, "aws.cloudtrail.trail")["main"], "data_events")
    unresolved(_by_name(col, "aws.secretsmanager.secret")["hf-token"], "policy")
    assert _by_name(col, "aws.sagemaker.notebook_instance")["nb-open"].provenance["tags"] == "unresolved"
    unresolved(_by_name(col, "aws.sagemaker.model_package_group")["registry"], "policy")
    unresolved(_by_name(col, "aws.bedrock.agent")["helper"], "action_groups")
    buckets = _by_name(col, "aws.s3.bucket")
    for b in buckets.values():
        unresolved(b, "policy", "acl", "public_access_block", "versioning")
    res = _evaluate(
        col,
        "lambda-function-url-auth-required",
        "lambda-function-url-cors-restricted",
        "lambda-function-reserved-concurrency",
        "lambda-layer-not-public",
        "kms-key-rotation-enabled",
        "cloudtrail-logs-lambda-and-s3-data-events",
        "s3-bucket-not-public",
        "s3-bucket-public-access-blocked",
    )
    got = _statuses(res)
    assert got == {
        ("lambda-function-url-auth-required", "fn-public-url"): "unknown",
        ("lambda-function-url-cors-restricted", "fn-public-url"): "unknown",
        ("lambda-function-reserved-concurrency", "fn-public"): "unknown",
        ("lambda-layer-not-public", "shared"): "unknown",
        ("kms-key-rotation-enabled", key.name): "unknown",
        ("cloudtrail-logs-lambda-and-s3-data-events", "main"): "unknown",
        **{
            (rule, b): "unknown"
            for b in buckets
            for rule in ("s3-bucket-not-public", "s3-bucket-public-access-blocked")
        },
    }
    # the graph reads an unread bucket or key policy as undecided: never a public edge
    from scanner.graph.build import build_graph
    from scanner.graph.model import INTERNET
    from scanner.model.inventory import Inventory

    inv = Inventory()
    inv.extend(col.normalized.resources, col.normalized.relations)
    inv.link()
    g = build_graph(inv, ("scanner.graph.aws",))
    bucket_uids = {b.uid for b in buckets.values()}
    assert not [e for e in g.edges() if e.src == INTERNET and e.dst in bucket_uids]


def test_secret_resource_policy_is_read(collected, scenario):
    sec = _by_name(collected, "aws.secretsmanager.secret")["hf-token"]
    assert sec.provenance.get("policy") != "unresolved"
    (stmt,) = sec.attrs["policy"]["Statement"]
    assert stmt["Principal"] == {"AWS": ["arn:aws:iam::444455556666:root"]}
    assert stmt["Action"] == ["secretsmanager:GetSecretValue"]
    assert collected.recorder.calls[("secretsmanager", "GetResourcePolicy")] >= 1


def test_region_not_enabled_is_quiet_only_away_from_home():
    from botocore.exceptions import ClientError, EndpointConnectionError

    from scanner.collect.aws.faults import classify

    e = ClientError({"Error": {"Code": "UnrecognizedClientException", "Message": "x"}}, "ListFunctions")
    assert classify(e, quiet_region=True).kind == "region"
    assert classify(e, quiet_region=False).kind == "error"
    conn = EndpointConnectionError(endpoint_url="https://lambda.ap-east-1.amazonaws.com")
    assert classify(conn, quiet_region=True).kind == "region"
    assert classify(conn, quiet_region=False).kind == "error"
    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 403}},
        "GetPolicy",
    )
    assert classify(denied, quiet_region=True).kind == "denied"


def test_shard_split_is_stable_and_complete():
    from scanner.collect.aws.session import in_shard

    ids = [f"{n:012d}" for n in range(100, 160)]
    owners = [[i for i in range(3) if in_shard(a, (i, 3))] for a in ids]
    assert all(len(o) == 1 for o in owners)
    assert len({o[0] for o in owners}) == 3
    assert [[i for i in range(3) if in_shard(a, (i, 3))] for a in reversed(ids)] == owners[::-1]


ACCOUNTS = ["111111111111", "222222222222", "333333333333"]


def test_sharded_processes_into_one_store_equal_an_unsharded_scan(servers, scenario, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from scanner.store import open_store

    with ThreadPoolExecutor(3) as pool:  # three small accounts beside the scenario's
        list(pool.map(lambda a: build_minimal(servers.moto_url, **_assumed(servers, a)), ACCOUNTS))
    common = ["--org-role", "scan", "--accounts", ",".join(ACCOUNTS), "--services", "iam,lambda"]
    store = f"sqlite:///{tmp_path / 'h.db'}"
    base = [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "aws"]
    base += ["--endpoint-url", servers.url, "--max-attempts", "2", "-q", *common]
    runs = [[*base, "-o", f"json={tmp_path / 'whole.json'}"]]
    runs += [[*base, "--shard", f"{i}/3", "--store", store] for i in range(3)]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for cmd in runs
    ]
    for p in procs:  # the unsharded scan and the three shards run side by side
        _, e = p.communicate(timeout=300)
        assert p.returncode in (0, 1), e.decode()[-2000:]
    whole = json.loads((tmp_path / "whole.json").read_text())
    assert whole["scan"]["errors"] == []
    with open_store(store) as st:
        scans = st.list_scans(limit=None)
        assert sorted(s["shard"] for s in scans) == ["shard-0-of-3", "shard-1-of-3", "shard-2-of-3"]
        merged = {(f["rule_id"], f["resource_uid"]) for s in scans for f in st.findings(s["id"])}
        targets = sorted(
            t for s in scans for t in s["targets"] if t != "aws"
        )  # "aws": a shard with no account
    assert targets == sorted(f"aws:{a}" for a in ACCOUNTS)
    expected = {(f["rule_id"], f["resource"]["uid"]) for f in whole["findings"]}
    assert {uid.split(":")[4] for _, uid in expected if uid.count(":") >= 4} >= set(ACCOUNTS)
    assert merged == expected


def test_scps_are_collected_with_document_and_targets(collected, scenario):
    scps = [r for r in collected.normalized.resources if r.type == "aws.organizations.policy"]
    mine = [r for r in scps if r.name == "deny-leave-org"]
    assert len(mine) == 1
    scp = mine[0]
    assert scp.attrs["type"] == "SERVICE_CONTROL_POLICY"
    assert scp.attrs["policy"]["Statement"][0]["Effect"] == "Deny"
    assert scp.attrs["policy"]["Statement"][0]["Action"] == ["organizations:LeaveOrganization"]
    assert {"id": scenario["ids"]["org_root"], "type": "ROOT"} in [
        {"id": t["id"], "type": t["type"]} for t in scp.attrs["targets"]
    ]
    # AWS's own FullAWSAccess is there too, as the Organization created it
    assert any(r.name == "FullAWSAccess" for r in scps)


def test_ou_targets_name_every_account_under_the_ou(collected, scenario):
    org = scenario["org"]
    (scp,) = [
        r
        for r in collected.normalized.resources
        if r.type == "aws.organizations.policy" and r.name == "deny-iam-users"
    ]
    (target,) = scp.attrs["targets"]
    assert target["id"] == org["ou"] and target["type"] == "ORGANIZATIONAL_UNIT"
    assert target["accounts"] == [org["member"]]  # in the nested OU under it
    full = next(r for r in collected.normalized.resources if r.name == "FullAWSAccess")
    by_id = {t["id"]: t for t in full.attrs["targets"]}
    if org["nested_ou"] in by_id:  # AWS attaches FullAWSAccess to every OU it creates
        assert by_id[org["nested_ou"]]["accounts"] == [org["member"]]
    # the management account is under the root only: in no OU's list
    assert all(scenario["account"] not in t.get("accounts", []) for t in scp.attrs["targets"])
    calls = collected.recorder.calls
    assert calls[("organizations", "ListRoots")] == 1
    assert calls[("organizations", "ListOrganizationalUnitsForParent")] == 3  # root, ou, nested
    # the graph: the SCP applies to the member account for certain, to others not at all
    from scanner.graph.aws_resolve import Arns, Scope
    from scanner.graph.aws_scp import OrgPolicies
    from scanner.model.inventory import Inventory

    inv = Inventory()
    inv.extend([scp], [])
    orgp = OrgPolicies(inv, Arns(inv, Scope(scenario["account"], "us-east-1", True)))
    (level,) = orgp.for_account(org["member"])
    assert level.unsure is None and level.label == org["ou"]
    assert orgp.for_account("444455556666") == ()


def test_ou_membership_that_cannot_be_read_leaves_ou_scps_conditional(servers, scenario):
    denied = collect_aws(_cfg(servers, Fault("organizations", "ListRoots"), services=["organizations"]))
    assert denied.errors == [] and any("OU membership not read" in n for n in denied.notes)
    cut = collect_aws(
        _cfg(
            servers,
            Fault("organizations", "ListAccountsForParent", "InternalError", 500),
            services=["organizations"],
        )
    )
    for col in (denied, cut):
        scps = [r for r in col.normalized.resources if r.type == "aws.organizations.policy"]
        assert scps
        ou_targets = [t for r in scps for t in r.attrs["targets"] if t["type"] == "ORGANIZATIONAL_UNIT"]
        assert ou_targets and all("accounts" not in t for t in ou_targets)
    assert cut.errors and all("organizations:ListAccountsForParent" in e.reason for e in cut.errors)


def test_member_account_scp_denial_is_a_note_not_an_error(servers, scenario):
    col = collect_aws(
        _cfg(
            servers,
            Fault("organizations", "ListPolicies", "AccessDeniedException"),
            services=["organizations"],
        )
    )
    assert col.errors == []
    assert any("service control policies not read" in n for n in col.notes)
    assert not [r for r in col.normalized.resources if r.type == "aws.organizations.policy"]
    # any other fault on the SCP calls is an error naming the permission
    other = collect_aws(
        _cfg(
            servers, Fault("organizations", "DescribePolicy", "ServiceException"), services=["organizations"]
        )
    )
    assert other.errors and all("organizations:DescribePolicy" in e.reason for e in other.errors)


def test_lambda_and_sagemaker_tags_and_every_lifecycle_config_are_read(collected):
    by = {(r.type, r.name): r for r in collected.normalized.resources}
    assert by[("aws.sagemaker.notebook_instance", "nb-open")].tags == {"team": "ml"}
    assert by[("aws.sagemaker.feature_group", "features")].tags == {"team": "ml"}
    assert by[("aws.sagemaker.endpoint_config", "ec-secure")].tags == {"team": "ml"}
    assert by[("aws.lambda.function", "fn-public")].tags == {}
    calls = collected.recorder.calls
    assert calls[("lambda", "ListTags")] >= 1 and calls[("sagemaker", "ListTags")] >= 10
    unused = by[("aws.sagemaker.notebook_lifecycle_config", "lc-unused")]
    assert [s["kind"] for s in unused.attrs["secrets"]] and HF_TOKEN not in str(unused.attrs)


def test_tag_policy_runs_on_live_lambda_tags(servers, scenario, tmp_path):
    import boto3

    boto3.client(
        "lambda",
        endpoint_url=servers.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )  # the scenario's function carries no tags: a policy requiring one fails it
    cfg = tmp_path / "policy.yaml"
    cfg.write_text("tag_policy:\n  resources:\n    - types: [aws.lambda.function]\n      required: [team]\n")
    code, report, err = scan(
        servers.url,
        "--services",
        "lambda",
        "--rules",
        "resources-required-tags",
        "--config",
        str(cfg),
        out=tmp_path / "t.json",
    )
    assert report["scan"]["errors"] == [], err
    failed = {f["resource"]["uid"].split(":")[-1] for f in report["findings"]}
    assert "fn-public" in failed


def test_detail_calls_spread_over_the_pool_within_the_in_flight_bound(servers, scenario):
    import threading

    in_flight = {"now": 0, "peak": 0, "threads": set()}
    lock = threading.Lock()

    def before(**_):
        with lock:
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
            in_flight["threads"].add(threading.current_thread().name)

    def after(**_):
        with lock:
            in_flight["now"] -= 1

    col = collect_aws(
        AwsScanConfig(
            endpoint_url=servers.url,
            region="us-east-1",
            max_attempts=2,
            services=["sagemaker"],
            workers=3,
            event_hooks=[("before-send", before), ("needs-retry", after)],
        )
    )
    assert col.errors == []
    assert 1 <= in_flight["peak"] <= 3
    # a single unit (one account, one region, SageMaker) used detail threads for its Describes
    assert any(t.startswith("mlposture-aws-detail") for t in in_flight["threads"])


def test_inspect_code_reports_secret_file_and_line_and_refuses_bombs_and_oversize(servers, scenario):
    from scanner.collect.aws.code import CodeLimits

    acct = "999999999999"
    sizes = build_code(servers.moto_url, servers.standin, **_assumed(servers, acct))
    base = dict(org_role="scan", accounts=[acct], services=["lambda"])
    off = collect_aws(_cfg(servers, **base))
    assert ("lambda", "GetFunction") not in off.recorder.calls  # off by default
    col = collect_aws(_cfg(servers, inspect_code=True, **base))
    fns = {r.name: r for r in col.normalized.resources if r.type == "aws.lambda.function"}
    leaky = [s for s in fns["fn-leaky"].attrs["secrets"] if s["path"].startswith("code[")]
    assert [(s["path"], s["line"]) for s in leaky] == [("code[settings.py]", 3)]
    assert leaky[0]["kind"] and HF_TOKEN not in json.dumps(fns["fn-leaky"].attrs)
    assert fns["fn-clean"].attrs["secrets"] == []
    reasons = [e.reason for e in col.errors]
    assert len(reasons) == 1 and "fn-bomb" in reasons[0] and "compression ratio" in reasons[0]
    # a package over the download limit is refused without being read
    small = CodeLimits(max_download=sizes["fn-clean"] - 1)
    capped = collect_aws(_cfg(servers, inspect_code=True, code_limits=small, **base))
    over = [e for e in capped.errors if "over the" in e.reason and "MB limit" in e.reason]
    assert {e.reason.split("Lambda function ")[1].split(" ")[0].rstrip(":") for e in over} == set(sizes)
    assert all("code of Lambda function" in e.unscanned for e in capped.errors)


def test_queue_and_topic_policies_are_read_for_the_graph(collected, scenario):
    """SQS queues and SNS topics are collected live with their policies (GetQueueAttributes,
    GetTopicAttributes), in the canonical shape the IaC normalizers give."""
    queue = _by_name(collected, "aws.sqs.queue")["jobs"]
    assert queue.attrs["arn"].startswith("arn:aws:sqs:") and queue.attrs["arn"].endswith(":jobs")
    (stmt,) = queue.attrs["policy"]["Statement"]
    assert stmt["Action"] == ["sqs:SendMessage"] and stmt["Principal"]["AWS"][0].endswith(":root")
    topic = _by_name(collected, "aws.sns.topic")["alerts"]
    (stmt,) = topic.attrs["policy"]["Statement"]
    assert stmt["Principal"] == {"AWS": ["arn:aws:iam::444455556666:root"]}
    assert collected.recorder.calls[("sqs", "GetQueueAttributes")] >= 1
    assert collected.recorder.calls[("sns", "GetTopicAttributes")] >= 1


def test_unreadable_queue_attributes_are_unknown_never_no_policy(servers, scenario):
    """GetQueueAttributes denied: the queue's policy is Unresolved (never "no policy"), and
    the error names the call and the queue (the graph then treats who may send as unknown:
    tests/test_graph_aws_policies.py)."""
    col = collect_aws(_cfg(servers, Fault("sqs", "GetQueueAttributes", "AccessDenied"), services=["sqs"]))
    queue = _by_name(col, "aws.sqs.queue")["jobs"]
    assert isinstance(queue.attrs["policy"], Unresolved) and queue.provenance["policy"] == "unresolved"
    assert any("GetQueueAttributes" in e.reason and "jobs" in e.unscanned for e in col.errors)
