"""`mlposture scan gcp` end to end against the loopback stand-ins (test_live_gcp_standin):
the scenario projects give exactly the expected findings, every call is read-only and
declared, the permissions doc covers them, and faults are reported, never passed.

Refresh the expected findings after a deliberate change:
    .venv/bin/python tests/test_live_gcp.py --update
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import grpc
import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_live_gcp_standin import FIXTURES, IamStandIn, RestStandIn, denied, load_world  # noqa: E402

from scanner.cli import main  # noqa: E402
from scanner.collect.gcp.calls import GRPC, READ_ONLY_VERBS, REST  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXPECTED = FIXTURES / "expected.yaml"
REGIONS = "us-central1,europe-west4"


@pytest.fixture
def world():
    return copy.deepcopy(load_world())


@pytest.fixture
def standins(world):
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        yield rest, iam
    finally:
        rest.close()
        iam.close()


def scan(rest, iam, tmp_path, *extra, projects=("ml-prod", "ml-dev")):
    out = tmp_path / "scan.json"
    args = ["scan", "gcp", *[a for p in projects for a in ("--project", p)]]
    args += ["--endpoint", rest.url, "--iam-endpoint", iam.endpoint, "--anonymous", "--regions", REGIONS]
    args += [
        "--retry-base-delay",
        "0",
        "-o",
        f"json={out}",
        "--save-inventory",
        str(tmp_path / "inv.json"),
        *extra,
    ]
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    return r, json.loads(out.read_text()), json.loads((tmp_path / "inv.json").read_text())


def gcp_errors(report):
    return [e for e in report["scan"]["errors"] if e["source"] == "gcp"]


def pairs(report):
    """(rule, resource) of the failing findings of the static rules. Privilege-path findings
    come from the graph stage, which is still moving; they are not pinned here."""
    return sorted(
        {
            (f["rule_id"], f["resource"]["uid"])
            for f in report["findings"]
            if f["status"] == "fail" and f["category"] != "privilege-path"
        }
    )


# ------------------------------------------------------------------------- the scenario
def test_scenario_projects_give_exactly_the_expected_findings(standins, tmp_path):
    rest, iam = standins
    r, report, _ = scan(rest, iam, tmp_path)
    expected = yaml.safe_load(EXPECTED.read_text())
    assert pairs(report) == sorted((f["rule"], f["resource"]) for f in expected["findings"])
    assert r.exit_code == 1  # high findings
    assert gcp_errors(report) == []
    notes = report["scan"]["sources"][0]["apis_not_enabled"]
    assert [(n["project"], n["api"]) for n in notes] == [("ml-dev", "aiplatform.googleapis.com")]
    assert "Vertex AI endpoints in project ml-dev, region us-central1" in notes[0]["unscanned"]


def test_the_scenario_reads_every_service_and_pages(standins, tmp_path):
    rest, iam = standins
    _, report, inv = scan(rest, iam, tmp_path)
    types = {r["type"] for r in inv["resources"]}
    assert {
        "gcp.vertex.endpoint",
        "gcp.vertex.model",
        "gcp.vertex.custom_job",
        "gcp.vertex.workbench_instance",
        "gcp.run.service",
        "gcp.functions.function",
        "gcp.storage.bucket",
        "gcp.artifactregistry.repository",
        "gcp.secretmanager.secret",
        "gcp.iam.service_account",
        "gcp.iam.service_account_key",
        "gcp.iam.custom_role",
        "gcp.iam.project_binding",
        "gcp.logging.audit_config",
    } <= types
    # page two of the endpoints was fetched (three endpoints, two per page)
    assert any("pageToken=2" in path for _, path in rest.calls if "/endpoints" in path)
    assert (
        iam.calls.count("/google.iam.admin.v1.IAM/ListServiceAccounts") == 3 + 1
    )  # ml-prod: 3 pages, ml-dev: 1
    # inherited policies of the folder and organization were read, conditions kept
    scopes = {
        (r["attrs"]["scope"], r["attrs"]["scope_id"])
        for r in inv["resources"]
        if r["type"] == "gcp.iam.project_binding"
    }
    assert {("folder", "500"), ("organization", "900"), ("project", "ml-prod")} <= scopes
    cond = [r for r in inv["resources"] if r["type"] == "gcp.iam.project_binding" and r["attrs"]["condition"]]
    assert cond[0]["attrs"]["condition"]["title"] == "business-hours"
    # the workload identity links resolve to the service accounts
    rels = {(x["kind"], x["dst"]) for x in inv["relations"]}
    sa = "//iam.googleapis.com/projects/ml-prod/serviceAccounts/predict-sa@ml-prod.iam.gserviceaccount.com"
    assert ("runs_as", sa) in rels and ("key_of", sa) in rels and ("grants_to", sa) in rels


# ------------------------------------------------------------------------- read-only, provably
def test_every_call_is_declared_read_only_and_covered_by_the_permissions_doc(standins, tmp_path):
    from scanner.collect.gcp.recorder import CallRecorder
    from scanner.collect.gcp.settings import GcpSettings
    from scanner.commands.gcp import scan_gcp

    rest, iam = standins
    rec = CallRecorder()
    settings = GcpSettings(
        projects=["ml-prod", "ml-dev"],
        regions=REGIONS.split(","),
        endpoints={"*": rest.url},
        iam_endpoint=iam.endpoint,
        anonymous=True,
    )
    scan_gcp(settings, recorder=rec)
    # on the wire (as the stand-ins saw it): GETs, and POST only to :getIamPolicy
    assert rest.calls and iam.calls
    for verb, path in rest.calls:
        assert verb == "GET" or (verb == "POST" and path.split("?")[0].endswith(":getIamPolicy")), (
            verb,
            path,
        )
        assert ":access" not in path and "/versions/" not in path  # never a secret value
    assert set(iam.calls) <= set(GRPC)
    # the client side saw the same calls, each one declared with a read-only method
    assert len(rec.calls) == len(rest.calls) + len(iam.calls)
    for c in rec.calls:
        declared = REST.get(c.method) or GRPC.get(c.method)
        assert declared is not None, c
        name = c.method.rsplit(".", 1)[-1] if c.verb != "grpc" else c.method.rsplit("/", 1)[-1]
        assert re.sub(r"^(List|Get)", lambda m: m.group(1).lower(), name).startswith(READ_ONLY_VERBS), c
        assert c.verb == declared.verb and (c.verb != "POST" or declared.why_post)
    doc = (REPO / "docs" / "gcp-permissions.md").read_text()
    for c in rec.calls:
        perm = (REST.get(c.method) or GRPC.get(c.method)).permission
        assert f"`{perm}`" in doc, f"docs/gcp-permissions.md does not list {perm}"


def test_an_undeclared_call_is_refused_before_it_is_sent(standins):
    from google.auth.credentials import AnonymousCredentials

    from scanner.collect.gcp.recorder import CallRecorder
    from scanner.collect.gcp.rest import RestClients
    from scanner.collect.gcp.settings import GcpSettings

    rest, _ = standins
    clients = RestClients(GcpSettings(endpoints={"*": rest.url}), AnonymousCredentials(), CallRecorder())
    sm = clients.service("secretmanager", "v1")
    access = (
        sm.projects().secrets().versions().access(name="projects/ml-prod/secrets/hf-token/versions/latest")
    )
    with pytest.raises(RuntimeError, match="undeclared API call"):
        clients.call(access)
    assert rest.calls == []


# ------------------------------------------------------------------------- faults
def test_a_denied_list_names_the_permission_and_what_went_unscanned(world, tmp_path):
    world["rest"]["v2/projects/ml-prod/locations/us-central1/services"] = denied(
        "run.services.list", "projects/ml-prod/locations/us-central1", "run.googleapis.com"
    )
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        r, report, _ = scan(
            rest, iam, tmp_path, "--fail-on", "critical", "--categories", "encryption,logging"
        )
    finally:
        rest.close(), iam.close()
    errs = gcp_errors(report)
    assert len(errs) == 1
    assert "permission 'run.services.list' denied" in errs[0]["reason"]
    assert errs[0]["unscanned"] == "Cloud Run services in project ml-prod, region us-central1"
    assert r.exit_code == 3  # incomplete, nothing at or above critical
    assert not any("services/predict" in f["resource"]["uid"] for f in report["findings"])


def test_an_unreadable_iam_policy_is_unknown_never_a_pass(world, tmp_path):
    world["rest"]["v2/projects/ml-prod/locations/us-central1/services/predict:getIamPolicy"] = denied(
        "run.services.getIamPolicy",
        "projects/ml-prod/locations/us-central1/services/predict",
        "run.googleapis.com",
    )
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        _, report, _ = scan(rest, iam, tmp_path)
    finally:
        rest.close(), iam.close()
    public = [f for f in report["findings"] if f["rule_id"] == "cloudrun-service-not-public"]
    assert [f["status"] for f in public] == ["unknown"]
    assert any("run.services.getIamPolicy" in e["reason"] for e in gcp_errors(report))


def test_a_denied_grpc_call_names_the_permission(standins, tmp_path):
    rest, iam = standins
    iam.faults["ListServiceAccounts"] = (
        grpc.StatusCode.PERMISSION_DENIED,
        "Permission 'iam.serviceAccounts.list' denied on resource (or it may not exist).",
    )
    r, report, _ = scan(rest, iam, tmp_path, projects=("ml-prod",))
    errs = [e for e in gcp_errors(report) if "service accounts" in e["unscanned"]]
    assert errs and "iam.serviceAccounts.list" in errs[0]["reason"]
    assert errs[0]["unscanned"] == "service accounts of project ml-prod"


def test_429_is_retried_then_succeeds_and_persistent_429_is_reported(world, tmp_path):
    key = "v1/projects/ml-prod/secrets"
    world["rest"][key] = {"$flaky": 2, "then": world["rest"][key]}
    world["rest"]["v1/projects/ml-prod/locations/us-central1/repositories"] = {"$flaky": 99, "then": {}}
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        r, report, _ = scan(rest, iam, tmp_path, "--retries", "3", projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    assert rest.hits[key] == 3  # two 429s, then the one page of two secrets
    assert (
        "secretmanager-secret-rotation-configured",
        "//secretmanager.googleapis.com/projects/111111111111/secrets/hf-token",
    ) in pairs(report)
    errs = gcp_errors(report)
    assert [e["unscanned"] for e in errs] == [
        "Artifact Registry repositories in project ml-prod, location us-central1"
    ]
    assert "gave up after 4 attempts" in errs[0]["reason"]
    assert rest.hits["v1/projects/ml-prod/locations/us-central1/repositories"] == 4


def test_a_timeout_is_retried_then_reported(world, tmp_path):
    world["rest"]["v1/projects/ml-prod/secrets"] = {"$flaky": 99, "slow": 1.0, "then": {}}
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        r, report, _ = scan(
            rest, iam, tmp_path, "--retries", "1", "--request-timeout", "0.2", projects=("ml-prod",)
        )
    finally:
        rest.close(), iam.close()
    errs = [e for e in gcp_errors(report) if "Secret Manager" in e["unscanned"]]
    assert errs and "gave up after 2 attempts" in errs[0]["reason"] and "timeout" in errs[0]["reason"].lower()


def test_folder_scope_lists_its_projects(standins, tmp_path):
    rest, iam = standins
    out = tmp_path / "f.json"
    args = [
        "scan",
        "gcp",
        "--folder",
        "500",
        "--endpoint",
        rest.url,
        "--iam-endpoint",
        iam.endpoint,
        "--anonymous",
        "--regions",
        "us-central1",
        "-o",
        f"json={out}",
        "-q",
    ]
    CliRunner().invoke(main, args, catch_exceptions=False)
    report = json.loads(out.read_text())
    assert report["scan"]["sources"][0]["projects"] == ["ml-prod"]
    assert ("GET", "/v3/projects?parent=folders%2F500&alt=json") in rest.calls


def test_secret_values_in_env_are_scrubbed_and_never_printed(world, tmp_path):
    token = "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEF"
    svc = world["rest"]["v2/projects/ml-prod/locations/us-central1/services"]["services"][0]
    svc["template"]["containers"][0]["env"].append({"name": "HF_API_TOKEN", "value": token})
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        r, report, inv = scan(rest, iam, tmp_path, projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    assert token not in r.output and token not in json.dumps(report) and token not in json.dumps(inv)
    assert (
        "cloudrun-service-env-no-secrets",
        "//run.googleapis.com/projects/ml-prod/locations/us-central1/services/predict",
    ) in pairs(report)


def test_usage_errors_exit_2():
    r = CliRunner().invoke(main, ["scan", "gcp"])
    assert r.exit_code == 2 and "--project" in r.output
    r = CliRunner().invoke(main, ["scan", "gcp", "--project", "p", "--endpoint", "http://example.com"])
    assert r.exit_code == 2 and "loopback" in r.output


def _update() -> None:
    w = load_world()
    rest, iam = RestStandIn(w), IamStandIn(w)
    import tempfile

    try:
        with tempfile.TemporaryDirectory() as d:
            _, report, _ = scan(rest, iam, Path(d))
    finally:
        rest.close(), iam.close()
    body = {"findings": [{"rule": r, "resource": u} for r, u in pairs(report)]}
    header = "# Findings of `mlposture scan gcp --project ml-prod --project ml-dev` on the stand-ins\n"
    header += "# (rule id + resource uid, compared exactly). Regenerate: .venv/bin/python tests/test_live_gcp.py --update\n"
    EXPECTED.write_text(header + yaml.safe_dump(body, sort_keys=False, width=200))
    print(f"wrote {len(body['findings'])} findings to {EXPECTED}")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
