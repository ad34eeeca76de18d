"""The gaps of the first live GCP scan, closed: unreadable keys are UNKNOWN, 2nd gen
functions carry their Cloud Run invokers, Vertex AI regions come from the locations API,
bucket ACLs count, and --shard splits the projects by a stable hash."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import grpc
import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_live_gcp import scan  # noqa: E402
from test_live_gcp_standin import IamStandIn, RestStandIn, load_world  # noqa: E402

from scanner.cli import main  # noqa: E402
from scanner.collect.gcp.records import scan_gcp_records  # noqa: E402
from scanner.shard import in_shard, parse_shard, shard_of  # noqa: E402

FN = "//cloudfunctions.googleapis.com/projects/ml-prod/locations/us-central1/functions/embed"


@pytest.fixture
def world():
    return copy.deepcopy(load_world())


def statuses(report, rule, uid=None):
    return sorted(
        f["status"]
        for f in report["findings"]
        if f["rule_id"] == rule and (uid is None or f["resource"]["uid"] == uid)
    )


# ------------------------------------------------------------------------- (a) keys
def test_unreadable_keys_make_the_no_keys_rule_unknown_not_pass(world, tmp_path):
    rest, iam = RestStandIn(world), IamStandIn(world)
    iam.faults["ListServiceAccountKeys"] = (
        grpc.StatusCode.PERMISSION_DENIED,
        "Permission 'iam.serviceAccountKeys.list' denied on resource (or it may not exist).",
    )
    try:
        _, report, inv = scan(rest, iam, tmp_path, projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    # three accounts, none with keys seen, none passing
    assert statuses(report, "gcp-service-account-no-user-managed-keys") == ["unknown"] * 3
    errs = [e for e in report["scan"]["errors"] if "keys of service account" in e["unscanned"]]
    assert len(errs) == 3 and all("iam.serviceAccountKeys.list" in e["reason"] for e in errs)


def test_readable_keys_decide_every_account(world, tmp_path):
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        _, report, inv = scan(rest, iam, tmp_path, projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    # the report lists failing and unknown verdicts: only the account with a key is there
    assert statuses(report, "gcp-service-account-no-user-managed-keys") == ["fail"]
    keys = [r for r in inv["resources"] if r["type"] == "gcp.iam.service_account_key"]
    assert keys[0]["attrs"]["valid_after_time"] == "2024-02-01T00:00:00Z"


# ------------------------------------------------------------------------- (b) functions v2
def test_v2_function_carries_its_run_service_invokers_and_the_service_is_not_reported(world, tmp_path):
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        _, report, inv = scan(rest, iam, tmp_path, projects=("ml-prod",))
    finally:
        rest.close(), iam.close()
    fn = next(r for r in inv["resources"] if r["uid"] == FN)
    assert fn["attrs"]["invoker_members"] == ["allAuthenticatedUsers"]
    assert statuses(report, "cloudfunctions-function-not-public", FN) == ["fail"]
    run_uids = {r["uid"] for r in inv["resources"] if r["type"] == "gcp.run.service"}
    assert run_uids == {"//run.googleapis.com/projects/ml-prod/locations/us-central1/services/predict"}


def test_v2_function_whose_service_region_was_not_read_is_unknown(world, tmp_path):
    rest, iam = RestStandIn(world), IamStandIn(world)
    out = tmp_path / "r.json"
    args = ["scan", "gcp", "--project", "ml-prod", "--endpoint", rest.url, "--iam-endpoint", iam.endpoint]
    args += ["--anonymous", "--regions", "europe-west4", "-o", f"json={out}", "-q", "--retry-base-delay", "0"]
    try:
        CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        rest.close(), iam.close()
    assert statuses(json.loads(out.read_text()), "cloudfunctions-function-not-public", FN) == ["unknown"]


# ------------------------------------------------------------------------- (c) regions
def test_vertex_regions_come_from_the_locations_api_else_the_fixed_list(world, tmp_path):
    world["rest"]["v1/projects/ml-prod/locations"] = {
        "locations": [
            {"locationId": "us-central1"},
            {"locationId": "asia-south1"},
            {"locationId": "europe-west4"},
        ]
    }
    rest, iam = RestStandIn(world), IamStandIn(world)
    out = tmp_path / "r.json"
    args = ["scan", "gcp", "--project", "ml-prod", "--project", "ml-dev", "--endpoint", rest.url]
    args += ["--iam-endpoint", iam.endpoint, "--anonymous", "-o", f"json={out}", "--retry-base-delay", "0"]
    try:
        r = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        rest.close(), iam.close()
    model_regions = {
        p.split("/")[5] for _, p in rest.calls if "/models" in p and p.startswith("/v1/projects/ml-prod/")
    }
    assert model_regions == {"us-central1", "asia-south1", "europe-west4"}
    src = json.loads(out.read_text())["scan"]["sources"][0]
    # ml-dev has no locations answer (404): the fixed list, said once
    assert [x for x in src["remarks"] if "ml-dev" in x] and "scanned the fixed list" in src["remarks"][0]
    assert "note: project ml-dev: Vertex AI regions not listed" in r.output


# ------------------------------------------------------------------------- (d) bucket ACLs
def _bucket_record(tmp_path, **extra) -> Path:
    data = {
        "name": "b1",
        "projectNumber": "1",
        "iamConfiguration": {
            "uniformBucketLevelAccess": {"enabled": False},
            "publicAccessPrevention": "inherited",
        },
        "acl": [{"entity": "allUsers", "role": "READER"}],
    }
    data.update(extra)
    rec = {"kind": "storage.bucket", "project": "", "data": data, "policy": {"bindings": []}}
    p = tmp_path / "b.gcp.yaml"
    p.write_text(yaml.safe_dump({"records": [rec]}))
    return p


def _bucket_status(path) -> str:
    from scanner.engine import ScanOptions

    result, _ = scan_gcp_records([path], ScanOptions(include_rules=["gcs-bucket-not-public"]))
    found = [f.status for f in result.findings]  # passes are not listed
    assert len(found) <= 1
    return found[0] if found else "pass"


def test_public_bucket_acl_fails_only_while_uniform_access_is_off(tmp_path):
    assert _bucket_status(_bucket_record(tmp_path)) == "fail"
    on = {"uniformBucketLevelAccess": {"enabled": True}, "publicAccessPrevention": "inherited"}
    assert _bucket_status(_bucket_record(tmp_path, iamConfiguration=on)) == "pass"


def test_unreadable_bucket_acl_is_unknown(tmp_path):
    p = _bucket_record(tmp_path, acl=None)
    doc = yaml.safe_load(p.read_text())
    doc["records"][0]["extra"] = {"acl_error": "bucket ACLs not readable: permission denied"}
    p.write_text(yaml.safe_dump(doc))
    assert _bucket_status(p) == "unknown"


# ------------------------------------------------------------------------- (f) shards
def test_parse_shard():
    assert parse_shard("1/3") == (1, 3) and parse_shard(" 0 / 1 ") == (0, 1)
    for bad in ("3/3", "1/0", "a/b", "1", "-1/2"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_shards_partition_any_set_of_ids_independently_of_order():
    ids = [f"ml-project-{i}" for i in range(200)]
    for count in (1, 2, 3, 7):
        parts = [{p for p in ids if in_shard(p, i, count)} for i in range(count)]
        assert set().union(*parts) == set(ids)
        assert sum(len(x) for x in parts) == len(ids)  # disjoint
        assert [shard_of(p, count) for p in reversed(ids)] == [shard_of(p, count) for p in ids][::-1]
    # the AWS account split agrees, so one INDEX/COUNT means the same to both scanners
    from scanner.collect.aws.session import in_shard as aws_in_shard

    assert all(aws_in_shard(p, (shard_of(p, 3), 3)) for p in ids)


def test_union_of_project_shards_is_the_unsharded_scan(world, tmp_path):
    def projects(*extra):
        rest, iam = RestStandIn(copy.deepcopy(world)), IamStandIn(world)
        out = tmp_path / "s.json"
        args = ["scan", "gcp", "--folder", "500", "--project", "ml-prod", "--project", "ml-dev"]
        args += [
            "--endpoint",
            rest.url,
            "--iam-endpoint",
            iam.endpoint,
            "--anonymous",
            "--regions",
            "us-central1",
        ]
        args += ["-o", f"json={out}", "-q", "--no-ancestors", *extra]
        try:
            CliRunner().invoke(main, args, catch_exceptions=False)
        finally:
            rest.close(), iam.close()
        return json.loads(out.read_text())["scan"]["sources"][0]["projects"]

    full = projects()
    assert sorted(full) == ["ml-dev", "ml-prod"]
    for count in (2, 3):
        shards = [projects("--shard", f"{i}/{count}") for i in range(count)]
        assert sorted(p for s in shards for p in s) == sorted(full)


def test_bad_shard_is_a_usage_error():
    r = CliRunner().invoke(main, ["scan", "gcp", "--project", "p", "--shard", "2/2"])
    assert r.exit_code == 2 and "INDEX" in r.output
