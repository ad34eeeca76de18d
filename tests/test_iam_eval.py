"""The pure AWS policy evaluator (scanner.graph.aws_eval): correctness cases from the
privilege-graph issue, and a differential property test against a naive reference."""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.graph import Decision, evaluate
from scanner.graph.aws_eval import compile_policy
from scanner.model.resource import Unresolved
from scanner.normalize.iam_policy import normalize_policy

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OWN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/alice-policy"


def pol(*stmts: dict) -> dict:
    return normalize_policy({"Version": "2012-10-17", "Statement": list(stmts)})


def allow(action, resource="*", **kw) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


def deny(action, resource="*", **kw) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **kw}


# ------------------------------------------------------------------ must find


def test_permissions_split_across_two_policies():
    p1, p2 = pol(allow("iam:PassRole")), pol(allow("lambda:CreateFunction"))
    needed = ("iam:PassRole", "lambda:CreateFunction")
    assert all(evaluate(a, "*", [p1, p2]).allowed for a in needed)
    assert not all(evaluate(a, "*", [p1]).allowed for a in needed)


def test_escalation_resource_covers_own_policy():
    p = pol(allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/alice-*"))
    assert evaluate("iam:CreatePolicyVersion", OWN_POLICY, [p]).decision is Decision.ALLOW


def test_notaction_leaves_iam_allowed():
    p = pol({"Effect": "Allow", "NotAction": ["s3:*", "ec2:*"], "Resource": "*"})
    assert evaluate("iam:PutUserPolicy", USER, [p]).allowed
    assert evaluate("iam:AttachUserPolicy", USER, [p]).allowed
    assert evaluate("s3:GetObject", "arn:aws:s3:::b/k", [p]).decision is Decision.IMPLICIT_DENY


def test_unknown_condition_key_is_conditional():
    p = pol(allow("iam:PassRole", Condition={"StringEquals": {"aws:TokenIssueTime": "x"}}))
    r = evaluate("iam:PassRole", "*", [p])
    assert r.decision is Decision.CONDITIONAL_ALLOW
    assert r.undecided == ("aws:TokenIssueTime",)
    assert not r.allowed and r.possible
    # known in context: decided either way
    ctx_yes = evaluate("iam:PassRole", "*", [p], context={"AWS:TokenIssueTime": ["x"]})
    ctx_no = evaluate("iam:PassRole", "*", [p], context={"aws:tokenissuetime": ["y"]})
    assert ctx_yes.decision is Decision.ALLOW
    assert ctx_no.decision is Decision.IMPLICIT_DENY


def test_lower_case_action_names():
    p = pol(allow("ssm:sendCommand"))
    assert evaluate("ssm:SendCommand", "*", [p]).allowed
    assert evaluate("SSM:SENDCOMMAND", "*", [pol(allow("ssm:send*"))]).allowed


def test_unresolved_makes_statement_conditional():
    p = pol(allow("iam:PassRole", Unresolved("var.role_arn")))
    r = evaluate("iam:PassRole", "arn:aws:iam::1:role/x", [p])
    assert r.decision is Decision.CONDITIONAL_ALLOW
    assert r.undecided == ("unresolved:var.role_arn",)
    # an unrelated action is still decided
    assert evaluate("s3:GetObject", "*", [p]).decision is Decision.IMPLICIT_DENY
    whole = evaluate("iam:PassRole", "*", [Unresolved("data.aws_iam_policy.x")])
    assert whole.decision is Decision.CONDITIONAL_ALLOW


def test_policy_variables():
    p = pol(allow("iam:CreateAccessKey", "arn:aws:iam::*:user/${aws:username}"))
    assert evaluate("iam:CreateAccessKey", USER, [p], context={"aws:username": ["alice"]}).allowed
    other = evaluate("iam:CreateAccessKey", USER, [p], context={"aws:username": ["bob"]})
    assert other.decision is Decision.IMPLICIT_DENY
    unknown = evaluate("iam:CreateAccessKey", USER, [p])
    assert unknown.decision is Decision.CONDITIONAL_ALLOW and unknown.undecided == ("aws:username",)


def test_same_account_resource_policy_naming_principal():
    rp = pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": "*"})
    assert evaluate("s3:GetObject", "arn:aws:s3:::b/k", [], resource_policy=rp, principal=USER).allowed
    other = evaluate("s3:GetObject", "arn:aws:s3:::b/k", [], resource_policy=rp, principal=USER + "x")
    assert other.decision is Decision.IMPLICIT_DENY


@pytest.mark.parametrize(
    ("op", "key", "value", "ctx", "expected"),
    [
        ("ForAnyValue:StringLike", "aws:TagKeys", ["team*"], ["teamA", "x"], True),
        ("ForAllValues:StringLike", "aws:TagKeys", ["team*"], ["teamA", "x"], False),
        ("StringNotEqualsIgnoreCase", "aws:RequestedRegion", ["EU-WEST-1"], ["eu-west-1"], False),
        ("ArnLike", "aws:SourceArn", ["arn:aws:s3:::b*"], ["arn:aws:s3:::bucket"], True),
        ("Bool", "aws:MultiFactorAuthPresent", ["true"], ["false"], False),
        ("NumericLessThan", "s3:max-keys", ["10"], ["5"], True),
        ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], ["10.1.2.3"], True),
        ("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8"], ["10.1.2.3"], False),
        ("Null", "aws:TokenIssueTime", ["true"], [], True),
        ("StringEqualsIfExists", "ec2:InstanceType", ["t3.micro"], [], True),
        ("StringEquals", "ec2:InstanceType", ["t3.micro"], [], False),
    ],
)
def test_condition_operators(op, key, value, ctx, expected):
    p = pol(allow("s3:ListBucket", Condition={op: {key: value}}))
    r = evaluate("s3:ListBucket", "*", [p], context={key: ctx})
    assert r.decision is (Decision.ALLOW if expected else Decision.IMPLICIT_DENY)
    assert evaluate("s3:ListBucket", "*", [p]).decision is Decision.CONDITIONAL_ALLOW


# ------------------------------------------------------------------ must not find


def test_allow_and_deny_in_one_policy_and_in_two():
    one = pol(allow("iam:*"), deny("iam:PassRole"))
    assert evaluate("iam:PassRole", "*", [one]).decision is Decision.DENY
    assert (
        evaluate("iam:passrole", "*", [pol(allow("iam:*")), pol(deny("IAM:Pass*"))]).decision is Decision.DENY
    )


def test_conditional_deny_makes_allow_conditional():
    p = pol(allow("iam:*"), deny("iam:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    r = evaluate("iam:PassRole", "*", [p])
    assert r.decision is Decision.CONDITIONAL_ALLOW and r.undecided == ("aws:MultiFactorAuthPresent",)
    assert evaluate("iam:PassRole", "*", [p], context={"aws:MultiFactorAuthPresent": ["true"]}).allowed


def test_deny_only_policy():
    r = evaluate("iam:PassRole", "*", [pol(deny("s3:*"))])
    assert r.decision is Decision.IMPLICIT_DENY


def test_create_policy_version_limited_to_aws_managed():
    p = pol(allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*"))
    assert evaluate("iam:CreatePolicyVersion", OWN_POLICY, [p]).decision is Decision.IMPLICIT_DENY


def test_closed_condition_window():
    window = {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    window["DateLessThan"] = {"aws:CurrentTime": "2021-01-01T00:00:00Z"}
    p = pol(allow("iam:*", Condition=window))
    now = {"aws:CurrentTime": ["2025-06-01T00:00:00Z"]}
    assert evaluate("iam:PassRole", "*", [p], context=now).decision is Decision.IMPLICIT_DENY
    during = {"aws:CurrentTime": ["2020-06-01T00:00:00Z"]}
    assert evaluate("iam:PassRole", "*", [p], context=during).allowed


def test_boundary_without_the_action():
    ident = [pol(allow("*"))]
    boundary = pol(allow(["s3:*", "sagemaker:*"]))
    assert evaluate("iam:PassRole", "*", ident, boundary=boundary).decision is Decision.IMPLICIT_DENY
    assert evaluate("s3:GetObject", "*", ident, boundary=boundary).allowed


def test_scp_deny_and_scp_without_allow():
    ident = [pol(allow("*"))]
    scps = [pol(allow("*")), pol(allow("*"), deny("iam:*"))]
    assert evaluate("iam:PassRole", "*", ident, scps=scps).decision is Decision.DENY
    assert evaluate("s3:GetObject", "*", ident, scps=scps).allowed
    only_s3 = [pol(allow("*")), pol(allow("s3:*"))]  # every SCP level must allow
    assert evaluate("iam:PassRole", "*", ident, scps=only_s3).decision is Decision.IMPLICIT_DENY


def test_resource_policy_deny_wins():
    rp = pol(deny("s3:*", Principal="*"))
    r = evaluate("s3:GetObject", "arn:aws:s3:::b/k", [pol(allow("s3:*"))], resource_policy=rp, principal=USER)
    assert r.decision is Decision.DENY


def test_service_index_skips_unrelated_statements():
    cp = compile_policy(pol(allow(["s3:GetObject", "s3:PutObject"]), allow("iam:PassRole"), allow("*")))
    assert [len(cp.candidates(s)) for s in ("s3", "iam", "ec2")] == [2, 2, 1]


# ------------------------------------------------------------------ differential property test

ACTIONS = ["s3:GetObject", "s3:*", "iam:PassRole", "*", "S3:getobject", "iam:Pass*"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k"]
KEYS = ["aws:RequestedRegion", "s3:prefix"]
VALUES = ["a", "b"]
ASKED_ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:PassRole", "ec2:RunInstances"]
ASKED_RESOURCES = ["arn:aws:s3:::b/k", "arn:aws:s3:::b/other", "arn:aws:s3:::c"]


@st.composite
def statements(draw):
    s = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    key = "NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"
    s[key] = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2))
    s["Resource"] = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2))
    if draw(st.booleans()):
        conds = draw(
            st.dictionaries(st.sampled_from(KEYS), st.lists(st.sampled_from(VALUES), min_size=1), max_size=2)
        )
        if conds:
            s["Condition"] = {"StringEquals": conds}
    return s


def _ref_match(patterns, value, lower):
    # naive glob, independent of the evaluator: fnmatch on (lower-cased) text
    if lower:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def reference(action, resource, policies, context):
    sure_deny = maybe_deny = sure_allow = maybe_allow = False
    for doc in policies:
        for s in doc["Statement"]:
            if "Action" in s:
                a_ok = _ref_match(s["Action"], action, True)
            else:
                a_ok = not _ref_match(s["NotAction"], action, True)
            if not a_ok or not _ref_match(s["Resource"], resource, False):
                continue
            unknown = failed = False
            for key, vals in s.get("Condition", {}).get("StringEquals", {}).items():
                if key not in context:
                    unknown = True
                elif not set(context[key]) & set(vals):
                    failed = True
            if failed:
                continue
            if s["Effect"] == "Deny":
                maybe_deny = True
                sure_deny = sure_deny or not unknown
            else:
                maybe_allow = True
                sure_allow = sure_allow or not unknown
    if sure_deny:
        return Decision.DENY
    if sure_allow and not maybe_deny:
        return Decision.ALLOW
    if maybe_allow:
        return Decision.CONDITIONAL_ALLOW
    return Decision.IMPLICIT_DENY


@settings(max_examples=300, deadline=None)
@given(
    docs=st.lists(st.lists(statements(), min_size=1, max_size=3), min_size=1, max_size=2),
    context=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES).map(lambda v: [v]), max_size=2),
)
def test_differential_against_naive_reference(docs, context):
    raw = [{"Version": "2012-10-17", "Statement": d} for d in docs]
    policies = [normalize_policy(d) for d in raw]
    for action in ASKED_ACTIONS:
        for resource in ASKED_RESOURCES:
            got = evaluate(action, resource, policies, context=context).decision
            assert got is reference(action, resource, policies, context), (action, resource)


def test_an_arn_built_without_its_account_is_undecided_not_unmatched():
    pol = {
        "Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::444455556666:role/d"}
        ]
    }
    built = evaluate("iam:PassRole", "arn:aws:iam::000000000000:role/d", [pol])
    assert built.decision is Decision.CONDITIONAL_ALLOW and built.undecided == ("aws:ResourceAccount",)
    # a known other account does not match; nor does the placeholder with another name
    assert (
        evaluate("iam:PassRole", "arn:aws:iam::111122223333:role/d", [pol]).decision is Decision.IMPLICIT_DENY
    )
    assert (
        evaluate("iam:PassRole", "arn:aws:iam::000000000000:role/e", [pol]).decision is Decision.IMPLICIT_DENY
    )
    # a deny that may be in the same account leaves the allow conditional
    deny = {
        "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::444455556666:role/*"}]
    }
    star = {"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    res = evaluate("iam:PassRole", "arn:aws:iam::000000000000:role/d", [star, deny])
    assert res.decision is Decision.CONDITIONAL_ALLOW and "aws:ResourceAccount" in res.undecided


_GLOB_CHARS = st.sampled_from(list("aA:/*?-b."))


@settings(max_examples=400, deadline=None)
@given(
    st.text(_GLOB_CHARS, max_size=8), st.text(st.sampled_from(list("aA:/-bB.")), max_size=8), st.booleans()
)
def test_glob_fast_path_agrees_with_the_regex(pattern, value, ignore_case):
    """`glob_match` tests a pattern with at most one `*` and no `?` by prefix and suffix; it
    must say what IAM's glob (as a regex, with `re.I` for actions) says."""
    import re

    from scanner.graph.aws_eval import glob_match

    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    expected = re.fullmatch(rx, value, re.S | (re.I if ignore_case else 0)) is not None
    assert glob_match(pattern, value, ignore_case) is expected
