"""Paths through a stand-in ("an existing function not in the scan") are one finding per start
and stand-in that lists the data beyond it, not one per start and data asset."""

from __future__ import annotations

from test_graph_aws import allow, graph_of, res, role, user

from scanner.graph.model import is_stand_in
from scanner.graph.paths import MAX_PATHS, find_paths
from scanner.graph.queries import paths_between


def _account(n_buckets: int):
    """A user that may update any Lambda function's code, no function in the scan, and roles
    trusting Lambda that each read one training bucket."""
    dev = user("dev", allow("lambda:UpdateFunctionCode"))
    out = [dev]
    for i in range(n_buckets):
        out.append(res(f"b.{i}", "aws.s3.bucket", f"train{i}", bucket=f"acme-training-{i}"))
        out.append(
            role(
                f"exec{i}", "lambda.amazonaws.com", allow("s3:GetObject", f"arn:aws:s3:::acme-training-{i}/*")
            )
        )
    return graph_of(*out)


def test_one_finding_per_start_and_stand_in_listing_every_asset_beyond_it():
    inv, g = _account(3)
    findings = [f for f in find_paths(g, inv) if f.resource.uid == "u.dev"]
    (f,) = findings  # not one per bucket
    hub = f.evidence.path.removeprefix("path:")
    assert is_stand_in(hub) and g.node(hub).kind == "compute"
    assert f.rule_id == "privilege-path-data" and f.confidence == "requires-resource"
    assert f.severity == "medium"
    assert "could reach 3 sensitive data assets through an existing function" in f.message
    # one full path to each bucket, each through the stand-in and the role it could run as
    assert len(f.evidence.value) == 3
    starts = [i for i, s in enumerate(f.path) if s.node == "u.dev"]
    paths = [[s.node for s in f.path[a:b]] for a, b in zip(starts, [*starts[1:], len(f.path)], strict=True)]
    assert paths == [["u.dev", hub, f"r.exec{i}", f"b.{i}"] for i in range(3)]
    assert f.path[0].technique == "aws-lambda-update-function-code"


def test_listed_paths_are_bounded_and_the_rest_is_named():
    inv, g = _account(MAX_PATHS + 4)
    (f,) = [f for f in find_paths(g, inv) if f.resource.uid == "u.dev"]
    assert f"could reach {MAX_PATHS + 4} sensitive data assets" in f.message
    assert len(f.evidence.value) == MAX_PATHS + 1
    assert f.evidence.value[-1].startswith("and 4 more: ")
    assert sum(1 for s in f.path if s.node == "u.dev") == MAX_PATHS


def test_a_certain_path_to_the_same_asset_is_still_its_own_finding():
    dev_arn = "arn:aws:iam::111122223333:user/dev"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": dev_arn}},
        ],
    }
    dev = user("dev", allow("lambda:UpdateFunctionCode"), allow("sts:AssumeRole"))
    exec0 = role("exec0", None, allow("s3:GetObject", "arn:aws:s3:::acme-training-0/*"), trust=trust)
    exec1 = role("exec1", "lambda.amazonaws.com", allow("s3:GetObject", "arn:aws:s3:::acme-training-1/*"))
    buckets = [res(f"b.{i}", "aws.s3.bucket", f"train{i}", bucket=f"acme-training-{i}") for i in (0, 1)]
    inv, g = graph_of(dev, exec0, exec1, *buckets)
    got = {f.evidence.path: f for f in find_paths(g, inv) if f.resource.uid == "u.dev"}
    # the certain path (assume the role the trust names) is reported for its bucket itself;
    # the other bucket, behind a role only an unscanned function could run as, is listed
    # in the stand-in's finding
    assert got.pop("path:b.0").confidence == "certain"
    ((path, f),) = got.items()
    assert is_stand_in(path.removeprefix("path:")) and f.confidence == "requires-resource"
    assert [s.node for s in f.path][-2:] == ["r.exec1", "b.1"]


def test_explicit_queries_still_walk_through_stand_ins():
    inv, g = _account(2)
    paths = paths_between(g, "u.dev", "b.1")
    assert paths and any(is_stand_in(n) for n in paths[0].nodes)
