"""Hubs: a stand-in ("an existing function not in the scan") and an "every" hub ("any role that
trusts the account", "any sensitive bucket of the account") stand for many targets that one
grant reaches alike; paths through a hub are one finding per start and hub that lists the data
beyond it, not one per start and data asset."""

from __future__ import annotations

import pytest
from test_graph_aws import ACCT, allow, doc, edges, graph_of, res, role, user
from test_graph_paths import _bench, _edge_set, _reference

from scanner.graph.aws import HUB_MIN
from scanner.graph.build import build_graph
from scanner.graph.model import EVERY, is_hub, is_stand_in
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


# ------------------------------------------------------------------ "every" hubs


def _trusting_account(name, *stmts):
    trust = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}}
    )
    return role(name, None, *stmts, trust=trust)


def _bucket(i):
    return res(f"b.{i}", "aws.s3.bucket", f"train{i}", bucket=f"acme-training-{i}")


def test_assume_any_role_is_one_edge_into_a_hub_and_one_finding_per_start():
    n = HUB_MIN + 2
    roles = [
        _trusting_account(f"r{i}", allow("s3:GetObject", f"arn:aws:s3:::acme-training-{i}/*"))
        for i in range(n)
    ]
    dev = user("dev", allow("sts:AssumeRole"))
    inv, g = graph_of(dev, *roles, *[_bucket(i) for i in range(n)])
    (into,) = edges(g, "u.dev")
    hub = into.dst
    assert EVERY in hub and into.technique == "aws-sts-assume-role" and into.confidence == "certain"
    assert sorted(e.dst for e in edges(g, hub)) == sorted(f"r.r{i}" for i in range(n))
    (f,) = [f for f in find_paths(g, inv) if f.resource.uid == "u.dev"]
    assert f.evidence.path == f"path:{hub}" and f.confidence == "certain" and f.severity == "high"
    assert f"can reach {n} sensitive data assets through any role that trusts account {ACCT}" in f.message
    # each listed path: dev -> hub -> role -> its bucket
    assert [s.node for s in f.path[:4]] == ["u.dev", hub, "r.r0", "b.0"]


def test_a_deny_on_one_member_keeps_the_edges_to_each():
    n = HUB_MIN + 2
    roles = [_trusting_account(f"r{i}") for i in range(n)]
    deny = {"Effect": "Deny", "Action": ["sts:AssumeRole"], "Resource": [f"arn:aws:iam::{ACCT}:role/r3"]}
    dev = user("dev", allow("sts:AssumeRole"), deny)
    _, g = graph_of(dev, *roles)
    assert sorted(e.dst for e in edges(g, "u.dev")) == sorted(f"r.r{i}" for i in range(n) if i != 3)
    assert not [x for x in g.g.nodes if is_hub(x)]


def test_reading_every_bucket_is_a_hub_and_a_direct_read_stays_by_design():
    n = HUB_MIN
    reader = _trusting_account("reader", allow("s3:GetObject"))
    dev = user("dev", allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/reader"))
    inv, g = graph_of(reader, dev, *[_bucket(i) for i in range(n)])
    (into,) = edges(g, "r.reader", "aws-data-read")
    assert EVERY in into.dst and len(edges(g, into.dst)) == n
    findings = find_paths(g, inv)
    assert not [f for f in findings if f.resource.uid == "r.reader"]  # its own policy: by design
    (f,) = [f for f in findings if f.resource.uid == "u.dev"]
    assert f.evidence.path == f"path:{into.dst}" and f"can reach {n} sensitive data assets" in f.message


def test_below_the_hub_size_targets_keep_their_own_edges_and_findings():
    n = HUB_MIN - 1
    reader = _trusting_account("reader", allow("s3:GetObject"))
    dev = user("dev", allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/reader"))
    inv, g = graph_of(reader, dev, *[_bucket(i) for i in range(n)])
    assert len(edges(g, "r.reader", "aws-data-read")) == n
    assert len([f for f in find_paths(g, inv) if f.resource.uid == "u.dev"]) == n


@pytest.mark.parametrize("seed", [7, 11])
def test_hubs_are_the_same_with_every_shortcut_off(seed):
    inv, _ = _bench().generate(1000, 5000, seed=seed)
    graph = build_graph(inv, ("scanner.graph.aws",))
    assert [x for x in graph.g.nodes if EVERY in x]  # the account has hubs to compare
    ref = _reference(inv)
    assert _edge_set(graph) == _edge_set(ref)
    got, want = find_paths(graph, inv), find_paths(ref, inv)
    assert [(f.fingerprint, f.confidence, f.evidence.value) for f in got] == [
        (f.fingerprint, f.confidence, f.evidence.value) for f in want
    ]


# ------------------------------------------------------------------ "*" holders (Access.wide)


def _star_reader(*extra):
    return _trusting_account("reader", allow("s3:GetObject"), *extra)


@pytest.mark.parametrize(
    "extra, hubbed",
    [
        ((), True),  # every bucket alike: one edge into the hub
        # a Deny on one member: no hub, an edge to each other bucket
        (
            ({"Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::acme-training-3/*"]},),
            False,
        ),
        # a conditional grant on one member makes it differ from the rest: no hub
        (
            (
                {
                    "Effect": "Deny",
                    "Action": ["s3:GetObject"],
                    "Resource": ["arn:aws:s3:::acme-training-5/*"],
                    "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-1"]}},
                },
            ),
            False,
        ),
        # a specific Allow that changes nothing: still one hub
        ((allow("s3:GetObject", "arn:aws:s3:::acme-training-2/*"),), True),
    ],
)
def test_a_star_grant_decides_the_hub_without_walking_every_target(extra, hubbed):
    """`Access.wide` answers for every bucket but those a specific pattern names; the graph
    must be the one the reference mode (each bucket asked on its own) builds."""
    n = HUB_MIN + 3
    inv, g = graph_of(_star_reader(*extra), *[_bucket(i) for i in range(n)])
    into = edges(g, "r.reader", "aws-data-read")
    assert any(EVERY in e.dst for e in into) is hubbed
    assert _edge_set(g) == _edge_set(_reference(inv))
    if not hubbed:
        assert len(into) == n - (0 if "Condition" in str(extra) else 1)


def test_a_star_grant_leaves_out_members_yet_reaches_a_guarded_bucket_on_its_own():
    """A bucket with a resource policy is not a hub member: the "*" holder reaches it by its
    own edge, next to the hub of the others."""
    n = HUB_MIN + 1
    guarded = res(
        "b.g",
        "aws.s3.bucket",
        "guarded",
        bucket="acme-training-guarded",
        policy=doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-training-guarded/*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "ml"}},
            }
        ),
    )
    inv, g = graph_of(_star_reader(), guarded, *[_bucket(i) for i in range(n)])
    into = {e.dst: e for e in edges(g, "r.reader", "aws-data-read")}
    (hub,) = [d for d in into if EVERY in d]
    assert set(into) == {hub, "b.g"} and len(edges(g, hub)) == n
    assert into["b.g"].confidence == "conditional"  # the bucket policy's condition
    assert _edge_set(g) == _edge_set(_reference(inv))


def test_techniques_on_the_same_members_share_one_hub():
    """Access keys and login profiles on every user: one "any user" hub, entered by each
    technique's own edge, left by one aws-any-member edge per user."""
    n = HUB_MIN + 1
    others = [user(f"u{i}") for i in range(n)]
    boss = user("boss", allow("iam:CreateAccessKey"), allow("iam:CreateLoginProfile"))
    inv, g = graph_of(boss, *others)
    into = {e.technique: e.dst for e in edges(g, "u.boss") if EVERY in e.dst}
    assert set(into) == {"aws-iam-create-access-key", "aws-iam-create-login-profile"}
    (hub,) = set(into.values())
    out = edges(g, hub)
    assert {e.technique for e in out} == {"aws-any-member"} and len(out) == n + 1  # boss is a user too
    assert _edge_set(g) == _edge_set(_reference(inv))


def test_a_hub_finding_that_another_makes_redundant_is_left_out():
    """Roles that trust both the account and Lambda: dev reaches their data through "any role
    that trusts the account" (certain) and through "an existing function" (requires-resource),
    the same assets at the same distance. One finding: the more certain one."""
    n = HUB_MIN + 1
    trust = doc(
        {
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:root"]},
        },
        {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}},
    )
    roles = [
        role(f"r{i}", None, allow("s3:GetObject", f"arn:aws:s3:::acme-training-{i}/*"), trust=trust)
        for i in range(n)
    ]
    dev = user("dev", allow("sts:AssumeRole"), allow("lambda:UpdateFunctionCode"))
    inv, g = graph_of(dev, *roles, *[_bucket(i) for i in range(n)])
    into = {e.dst for e in edges(g, "u.dev")}
    assert any(EVERY in d for d in into) and any(is_stand_in(d) for d in into)  # two hubs entered
    (f,) = [f for f in find_paths(g, inv) if f.resource.uid == "u.dev"]
    assert EVERY in f.evidence.path and f.confidence == "certain"
    assert f"can reach {n} sensitive data assets" in f.message


def test_a_nearer_hub_with_fewer_assets_keeps_its_own_finding():
    """A hub farther away that lists more assets does not hide a nearer one (its paths are
    the shorter way to what it lists), nor the other way round."""
    n = HUB_MIN + 1
    both = doc(
        {
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:root"]},
        },
        {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]}},
    )
    roles = [
        role(f"r{i}", None, allow("s3:GetObject", f"arn:aws:s3:::acme-training-{i}/*"), trust=both)
        for i in range(n)
    ]
    extra = role("x", "lambda.amazonaws.com", allow("s3:GetObject", f"arn:aws:s3:::acme-training-{n}/*"))
    dev_arn = f"arn:aws:iam::{ACCT}:user/dev"
    names_dev = doc({"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"AWS": [dev_arn]}})
    mid = role("mid", None, allow("lambda:UpdateFunctionCode"), trust=names_dev)
    # dev: any role that trusts the account (1 step, n buckets) and, through mid, an existing
    # function (2 steps, n + 1 buckets)
    dev = user("dev", allow("sts:AssumeRole"))
    inv, g = graph_of(dev, mid, extra, *roles, *[_bucket(i) for i in range(n + 1)])
    got = {f.evidence.path: f for f in find_paths(g, inv) if f.resource.uid == "u.dev"}
    assert len(got) == 2
    (near,) = [f for p, f in got.items() if EVERY in p]
    (far,) = [f for p, f in got.items() if is_stand_in(p)]
    assert f"can reach {n} sensitive" in near.message and f"reach {n + 1} sensitive" in far.message
