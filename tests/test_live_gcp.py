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
from test_live_gcp_standin import (  # noqa: E402
    FIXTURES,
    IamStandIn,
    RestStandIn,
    denied,
    error_body,
    load_world,
)

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


# ------------------------------------------------------------------------- 5xx, truncated pages, malformed
class FaultyRest(RestStandIn):
    """The REST stand-in with faults per route and page: `fail(key, status, token=..., times=...,
    body=...)` answers the route's page `token` (None: the first page) with `status` and a
    Google error body, or with `body` as a 200 (a body cut short), `times` times (None: always)."""

    def __init__(self, world: dict):
        super().__init__(world)
        self.faults: list[dict] = []

    def fail(self, key: str, status: int = 500, *, token=None, times=None, body: bytes | None = None):
        self.faults.append({"key": key, "status": status, "token": token, "times": times, "body": body})

    def handle(self, h, verb: str) -> None:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        key, token = self._key(parts.path, query), (query.get("pageToken") or [None])[0]
        with self._lock:
            f = next(
                (
                    f
                    for f in self.faults
                    if f["key"] == key and f["token"] == token and f["times"] != 0 and verb == "GET"
                ),
                None,
            )
            if f is not None:
                f["times"] = None if f["times"] is None else f["times"] - 1
                self.calls.append((verb, h.path))
                self.hits[key] = self.hits.get(key, 0) + 1
        if f is None:
            return super().handle(h, verb)
        if f["body"] is not None:
            h.send_response(200)
            h.send_header("Content-Type", "application/json; charset=UTF-8")
            h.send_header("Content-Length", str(len(f["body"])))
            h.end_headers()
            h.wfile.write(f["body"])
            return
        name = {500: "INTERNAL", 503: "UNAVAILABLE"}.get(f["status"], "UNKNOWN")
        self._send(h, f["status"], error_body(f["status"], name, f"injected {f['status']}"))


class FaultyIam(IamStandIn):
    """The gRPC stand-in with counted faults (`once[method] = [(code, message), ...]`, each
    served once) and a fault on one page of ListServiceAccounts (`page_faults[token]`)."""

    def __init__(self, world: dict):
        super().__init__(world)
        self.once: dict[str, list[tuple]] = {}
        self.page_faults: dict[str, tuple] = {}

    def _fault(self, name: str, context) -> None:
        if self.once.get(name):
            context.abort(*self.once[name].pop(0))
        super()._fault(name, context)

    def _list_sas(self, req, context):
        if req.page_token in self.page_faults:
            context.abort(*self.page_faults[req.page_token])
        return super()._list_sas(req, context)


@pytest.fixture
def faulty(world):
    rest, iam = FaultyRest(world), FaultyIam(world)
    try:
        yield rest, iam
    finally:
        rest.close()
        iam.close()


RUN = "v2/projects/ml-prod/locations/us-central1/services"
ENDPOINTS = "v1/projects/ml-prod/locations/us-central1/endpoints"
SECRETS = "v1/projects/ml-prod/secrets"
REPOS = "v1/projects/ml-prod/locations/us-central1/repositories"
CUT = b'{"endpoints": [{"name": "projects/111111111111/locations/us-central1/endpoints/1003", "displ'
GATE = ("--fail-on", "critical", "--categories", "encryption,logging")  # nothing here is critical


def uids(inv, rtype):
    return {r["uid"] for r in inv["resources"] if r["type"] == rtype}


def test_5xx_is_retried_and_a_persistent_one_is_reported_never_passed(faulty, tmp_path):
    rest, iam = faulty
    rest.fail(RUN, 503, times=1)  # once: retried, Cloud Run is complete
    rest.fail(SECRETS, 500)  # persistent
    iam.once["ListRoles"] = [(grpc.StatusCode.UNAVAILABLE, "the service is currently unavailable")]
    iam.faults["ListServiceAccountKeys"] = (grpc.StatusCode.INTERNAL, "internal error")  # persistent
    r, report, inv = scan(rest, iam, tmp_path, "--retries", "1", projects=("ml-prod",))
    assert r.exit_code == 1  # the high findings of what was read still gate
    assert rest.hits[RUN] == 2 and rest.hits[SECRETS] == 2  # one retry each (--retries 1)
    assert len(uids(inv, "gcp.run.service")) == 1 and len(uids(inv, "gcp.iam.custom_role")) == 2
    errs = gcp_errors(report)
    secrets = [e for e in errs if "Secret Manager" in e["unscanned"]]
    assert [e["unscanned"] for e in secrets] == ["Secret Manager secrets in project ml-prod"]
    assert secrets[0]["reason"].startswith(
        "secretmanager.projects.secrets.list failed: gave up after 2 attempts: HTTP 500: injected 500"
    )
    keys = [e for e in errs if e["unscanned"].startswith("keys of service account")]
    assert len(keys) == 3 and len(errs) == 4
    assert all(
        e["reason"].startswith(
            "google.iam.admin.v1.IAM/ListServiceAccountKeys failed: gave up after 2 attempts"
        )
        and "InternalServerError" in e["reason"]
        for e in keys
    )
    # kept: the service accounts the keys belong to; never passed: their key rule is UNKNOWN,
    # and no secret was checked at all
    assert len(uids(inv, "gcp.iam.service_account")) == 3 and not uids(inv, "gcp.secretmanager.secret")
    assert (
        sorted(
            f["status"]
            for f in report["findings"]
            if f["rule_id"] == "gcp-service-account-no-user-managed-keys"
        )
        == ["unknown"] * 3
    )
    assert not [f for f in report["findings"] if f["resource"]["type"] == "gcp.secretmanager.secret"]
    # the same faults, gated at critical: incomplete
    rest.hits.clear()
    r, _, _ = scan(rest, iam, tmp_path, "--retries", "1", *GATE, projects=("ml-prod",))
    assert r.exit_code == 3


def test_a_failed_page_keeps_the_earlier_pages_and_says_the_listing_is_incomplete(world, tmp_path):
    canary = copy.deepcopy(world["rest"][RUN]["services"][0])
    canary["name"] = "projects/ml-prod/locations/us-central1/services/canary"
    world["rest"][RUN]["services"].append(canary)  # three services: two pages
    rest, iam = FaultyRest(world), FaultyIam(world)
    rest.fail(RUN, 500, token="2")
    rest.fail(ENDPOINTS, token="2", body=CUT)  # the second page arrives cut in the middle
    iam.page_faults["1"] = (grpc.StatusCode.UNAVAILABLE, "the service is currently unavailable")
    try:
        r, report, inv = scan(rest, iam, tmp_path, "--retries", "1", *GATE, projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    assert r.exit_code == 3
    errs = {e["unscanned"]: e["reason"] for e in gcp_errors(report)}
    assert set(errs) == {
        "Cloud Run services in project ml-prod, region us-central1: those after the first 2 listed",
        "Vertex AI endpoints in project ml-prod, region us-central1: those after the first 2 listed",
        "service accounts of project ml-prod: those after the first 1 listed",
    }
    run, vertex, sas = (errs[k] for k in sorted(errs))
    assert run.startswith(
        "listing incomplete: run.projects.locations.services.list failed on page 2 after 2 item(s) were read: "
        "gave up after 2 attempts: HTTP 500"
    )
    assert vertex.startswith(
        "listing incomplete: aiplatform.projects.locations.endpoints.list failed on page 2 after 2 item(s)"
    )
    assert "malformed answer, not valid JSON" in vertex
    assert sas.startswith("listing incomplete: google.iam.admin.v1.IAM/ListServiceAccounts failed on page 2")
    assert "ServiceUnavailable" in sas
    # the first pages' resources are kept, with what was read about them (the IAM policies);
    # embed, the other one on the first page, is a function's service: reported as the function
    prefix = "//run.googleapis.com/projects/ml-prod/locations/us-central1/services/"
    assert uids(inv, "gcp.run.service") == {prefix + "predict"}
    assert all(
        isinstance(r["attrs"]["invoker_members"], list)
        for r in inv["resources"]
        if r["type"] == "gcp.run.service"
    )
    ep = "//aiplatform.googleapis.com/projects/111111111111/locations/us-central1/endpoints/"
    assert uids(inv, "gcp.vertex.endpoint") == {ep + "1001", ep + "1002"}
    assert uids(inv, "gcp.iam.service_account") == {
        "//iam.googleapis.com/projects/ml-prod/serviceAccounts/predict-sa@ml-prod.iam.gserviceaccount.com"
    }
    # what was not listed is nowhere: not in the inventory, so no rule ran on it or passed it
    # (endpoint 1003 fails request-response logging in a complete scan)
    unseen = (prefix + "canary", ep + "1003", "trainer-sa@", "-compute@developer")
    assert not [u for r in inv["resources"] for u in unseen if u in r["uid"]]
    assert not [f for f in report["findings"] for u in unseen if u in f["resource"]["uid"]]


def test_a_malformed_answer_names_the_call_and_is_retried_never_a_crash(faulty, tmp_path):
    rest, iam = faulty
    rest.fail(REPOS, body=b"<html><body>502 Bad Gateway</body></html>")  # always
    rest.fail(SECRETS, body=b'{"secrets": [{"name": "proj', times=1)  # once: retried
    rest.fail(f"{RUN}/predict:getIamPolicy", body=b'{"bindings": [')  # always: the policy is unknown
    r, report, inv = scan(rest, iam, tmp_path, "--retries", "1", projects=("ml-prod",))
    errs = {e["unscanned"]: e["reason"] for e in gcp_errors(report)}
    assert set(errs) == {
        "Artifact Registry repositories in project ml-prod, location us-central1",
        f"IAM policy (invokers) of {RUN[3:]}/predict",
    }
    assert errs["Artifact Registry repositories in project ml-prod, location us-central1"].startswith(
        "artifactregistry.projects.locations.repositories.list failed: gave up after 2 attempts: "
        "malformed answer, not valid JSON"
    )
    assert (
        "run.projects.locations.services.getIamPolicy failed: gave up after 2 attempts: malformed"
        in (errs[f"IAM policy (invokers) of {RUN[3:]}/predict"])
    )
    assert len(uids(inv, "gcp.secretmanager.secret")) == 2 and not uids(
        inv, "gcp.artifactregistry.repository"
    )
    public = [f for f in report["findings"] if f["rule_id"] == "cloudrun-service-not-public"]
    assert [(f["resource"]["uid"].rsplit("/", 1)[1], f["status"]) for f in public] == [("predict", "unknown")]


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
