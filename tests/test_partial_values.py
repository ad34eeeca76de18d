"""Partly interpolated values: the literal prefix an `Unresolved` keeps, its JSON round trip,
where the HCL evaluator and the CloudFormation resolver set it, and the rules it decides
("could this principal or member be public / a wildcard?")."""

from __future__ import annotations

import json

import pytest

from rules.helpers.iam import passrole_on_any, resource_policy_public, trust_open_to_anyone
from rules.loader import load_catalogue
from scanner.model.inventory import Inventory
from scanner.model.resource import (
    Ref,
    Resource,
    Unresolved,
    UnresolvedAccess,
    cannot_be,
    decode_value,
    encode_value,
)
from scanner.normalize.cloudformation.intrinsics import Resolver
from scanner.normalize.iam_policy import normalize_policy
from tests.test_terraform_hcl import one

CATALOGUE = load_catalogue()
ARN = Unresolved('"arn:aws:iam::${local.account_id}:role/x"', "arn:aws:iam::")
SA = Unresolved('"serviceAccount:${google_service_account.x.email}"', "serviceAccount:")
U = Unresolved("var.x")


# -- model ------------------------------------------------------------------------------
def test_prefix_json_round_trip_and_backward_compatible_shape():
    assert encode_value(U) == {"$unresolved": "var.x"}  # unchanged when there is no prefix
    assert encode_value(ARN) == {"$unresolved": ARN.expr, "prefix": "arn:aws:iam::"}
    for v in (U, ARN, {"a": [ARN, U, Ref("tf:x", "arn")]}):
        assert decode_value(json.loads(json.dumps(encode_value(v)))) == v
    assert decode_value({"$unresolved": "var.x"}) == Unresolved("var.x")
    assert Unresolved(ARN.expr) != ARN


def test_cannot_be():
    assert cannot_be(ARN, ("*",))
    assert cannot_be(SA, ("allUsers", "allAuthenticatedUsers"))
    assert not cannot_be(U, ("*",))  # nothing known
    assert not cannot_be(Unresolved("e", "all"), ("allUsers",))  # "all${x}" may be allUsers
    assert not cannot_be(Unresolved("e", "  "), ("*",))  # whitespace is stripped by the rules
    assert not cannot_be("arn:aws:iam::1:root", ("*",))  # only for unresolved values


# -- where the prefix is set -------------------------------------------------------------
def test_hcl_template_prefix(tmp_path):
    c = one(
        tmp_path,
        'a = "arn:aws:iam::${var.acct}:role/x"\nb = "x-${local.n}-${var.acct}"\nc = "${var.acct}-x"\n'
        'd = "serviceAccount:${google_service_account.sa.email}"',
        {"l.tf": 'locals { n = "ok" }\nvariable "acct" {}\n'},
    )
    assert c["a"] == Unresolved('"arn:aws:iam::${var.acct}:role/x"', "arn:aws:iam::")
    assert c["b"] == Unresolved('"x-${local.n}-${var.acct}"', "x-ok-")
    assert c["c"] == Unresolved('"${var.acct}-x"')
    assert c["d"].prefix == "serviceAccount:"


def test_cfn_sub_and_join_prefix():
    r = Resolver(parameters={}, mappings={}, conditions={}, resource_uids={})
    sub = r.resolve({"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${Name}"})
    assert isinstance(sub, Unresolved) and sub.prefix == "arn:aws:iam::"
    assert r.resolve({"Fn::Sub": ["a-${X}-${Y}", {"X": "x"}]}).prefix == "a-x-"
    assert r.resolve({"Fn::Sub": "${Y}-z"}).prefix == ""
    join = r.resolve({"Fn::Join": [":", ["arn", "aws", {"Ref": "AWS::AccountId"}, "x"]]})
    assert isinstance(join, Unresolved) and join.prefix == "arn:aws:"
    nested = r.resolve({"Fn::Join": ["", [{"Fn::Sub": "arn:${AWS::AccountId}:iam"}, "x"]]})
    assert nested.prefix == "arn:"


# -- rules ------------------------------------------------------------------------------
def res(type_: str, attrs: dict) -> Resource:
    return Resource(uid="r", type=type_, provider=type_.split(".")[0], name="r", attrs=attrs)


def verdict(rule_id: str, r: Resource) -> str:
    try:
        vs = CATALOGUE.by_id[rule_id].evaluate(r, Inventory())
    except UnresolvedAccess:
        return "unknown"
    statuses = {v.status for v in vs}
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


@pytest.mark.parametrize(
    "rule_id, type_, attrs, want",
    [
        ("lambda-permission-not-public", "aws.lambda.permission", {"principal": ARN}, "pass"),
        ("lambda-permission-not-public", "aws.lambda.permission", {"principal": U}, "unknown"),
        (
            "lambda-permission-not-public",
            "aws.lambda.permission",
            {"principal": Unresolved('"${var.p}"', "")},
            "unknown",
        ),
        ("cloudrun-service-not-public", "gcp.run.service", {"invoker_members": [SA]}, "pass"),
        ("cloudrun-service-not-public", "gcp.run.service", {"invoker_members": [SA, U]}, "unknown"),
        (
            "cloudrun-service-not-public",
            "gcp.run.service",
            {"invoker_members": [Unresolved('"all${var.x}"', "all")]},
            "unknown",
        ),
        ("cloudfunctions-function-not-public", "gcp.functions.function", {"invoker_members": [SA]}, "pass"),
        (
            "gcs-bucket-not-public",
            "gcp.storage.bucket",
            {"iam_members": [{"role": "roles/storage.objectViewer", "member": SA}]},
            "pass",
        ),
        (
            "gcs-bucket-not-public",
            "gcp.storage.bucket",
            {"iam_members": [{"role": "roles/storage.objectViewer", "member": U}]},
            "unknown",
        ),
    ],
)
def test_partly_known_members_and_principals(rule_id, type_, attrs, want):
    assert verdict(rule_id, res(type_, attrs)) == want


def doc(stmt: dict) -> dict:
    return normalize_policy({"Version": "2012-10-17", "Statement": [stmt]})


ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole"}


def test_trust_policy_with_partly_known_or_referenced_principal():
    assert trust_open_to_anyone(doc({**ASSUME, "Principal": {"AWS": [ARN]}})).verdict == "pass"
    assert trust_open_to_anyone(doc({**ASSUME, "Principal": {"AWS": [Ref("tf:r", "arn")]}})).verdict == "pass"
    assert trust_open_to_anyone(doc({**ASSUME, "Principal": {"AWS": [U]}})).verdict == "unknown"
    assert trust_open_to_anyone(doc({**ASSUME, "Principal": {"AWS": [ARN, "*"]}})).verdict == "fail"
    public = {"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"AWS": [ARN]}, "Resource": "*"}
    assert resource_policy_public(doc(public)).verdict == "pass"


def test_passrole_on_a_referenced_role_is_decided():
    role = Ref("tf:aws_iam_role.training", "arn")
    stmt = {"Effect": "Allow", "Action": "iam:PassRole"}
    assert passrole_on_any(doc({**stmt, "Resource": [role]})).verdict == "pass"
    assert passrole_on_any(doc({**stmt, "Resource": [role, "*"]})).verdict == "fail"
    assert passrole_on_any(doc({**stmt, "Resource": [role, U]})).verdict == "unknown"
    # a partly known ARN may still end in role/*: undecided
    assert passrole_on_any(doc({**stmt, "Resource": [ARN]})).verdict == "unknown"


# -- SAM policy templates ------------------------------------------------------------------
def test_sam_policy_templates_expand_to_scoped_statements():
    from rules.helpers.iam import wildcard_admin
    from scanner.normalize.cloudformation.sam import policy_template

    ddb = policy_template("DynamoDBWritePolicy", {"TableName": "feedback"})
    stmt = ddb["Statement"][0]
    assert "dynamodb:PutItem" in stmt["Action"]
    assert all(isinstance(r, Unresolved) and r.prefix == "arn:aws:dynamodb:" for r in stmt["Resource"])
    s3 = policy_template("S3ReadPolicy", {"BucketName": "data"})
    assert s3["Statement"][0]["Resource"] == ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]
    secret = policy_template("AWSSecretsManagerGetSecretValuePolicy", {"SecretArn": Ref("cfn:t#S", "")})
    assert secret["Statement"][0]["Resource"] == [Ref("cfn:t#S", "")]
    for d in (ddb, s3, policy_template("SSMParameterReadPolicy", {"ParameterName": U})):
        assert wildcard_admin(d).verdict == "pass"
        assert passrole_on_any(d).verdict == "pass"
    assert policy_template("KMSDecryptPolicy", {"KeyId": "k"}) is None  # not in the table
    assert policy_template("S3ReadPolicy", "data") is None  # unexpected arguments
