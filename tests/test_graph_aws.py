"""AWS nodes and edges of the privilege graph, on small inventories built in the test (the
shape any source normalizes to), and the build's contributor handling."""

from __future__ import annotations

import sys
import types

import pytest

from scanner.graph import aws_managed
from scanner.graph.build import build_graph
from scanner.graph.model import INTERNET
from scanner.graph.paths import find_paths
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, SourceRef

ACCT = "111122223333"


def res(uid, rtype, name, **attrs) -> Resource:
    return Resource(uid, rtype, "aws", name, attrs, SourceRef("iac", "main.tf", 1, 5), account=ACCT)


def doc(*stmts) -> dict:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def allow(action, resource="*", **extra) -> dict:
    return {
        "Effect": "Allow",
        "Action": [action] if isinstance(action, str) else action,
        "Resource": [resource],
        **extra,
    }


def user(name, *stmts, **attrs) -> Resource:
    inline = [{"name": "p", "document": doc(*stmts)}] if stmts else []
    base = {"user_name": name, "inline_policies": inline, "managed_policy_arns": [], "groups": []}
    return res(f"u.{name}", "aws.iam.user", name, **{**base, **attrs})


def role(name, trust_service=None, *stmts, trust=None, **attrs) -> Resource:
    trust = trust or doc(
        {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": [trust_service]}}
    )
    inline = [{"name": "p", "document": doc(*stmts)}] if stmts else []
    base = {
        "role_name": name,
        "assume_role_policy": trust,
        "inline_policies": inline,
        "managed_policy_arns": [],
    }
    return res(f"r.{name}", "aws.iam.role", name, **{**base, **attrs})


def graph_of(*resources, relations=()):
    inv = Inventory()
    for r in resources:
        inv.add(r)
    for rel in relations:
        inv.relate(*rel)
    inv.link()
    return inv, build_graph(inv, ("scanner.graph.aws",))


def edges(graph, src=None, technique=None):
    return [
        e
        for e in graph.edges()
        if (src is None or e.src == src) and (technique is None or e.technique == technique)
    ]


ADMIN = f"ADMIN@aws:{ACCT}"


def test_unknown_managed_policy_makes_edges_conditional_never_nothing():
    u = user("dev", managed_policy_arns=["arn:aws:iam::aws:policy/NoSuchPolicyEver"])
    _, g = graph_of(u)
    admin = edges(g, "u.dev", "aws-admin-access")
    assert [e.confidence for e in admin] == ["conditional"]
    assert any("NoSuchPolicyEver" in c for c in admin[0].conditions)


@pytest.mark.skipif(
    not aws_managed.managed_policies(), reason="moto's managed-policy snapshot is not installed"
)
def test_known_managed_policy_is_read_from_the_shipped_snapshot():
    assert aws_managed.lookup("arn:aws:iam::aws:policy/AdministratorAccess")["Statement"][0]["Action"] == "*"
    assert aws_managed.lookup("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") is not None
    u = user("dev", managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    _, g = graph_of(u)
    assert [e.confidence for e in edges(g, "u.dev", "aws-admin-access")] == ["certain"]


def test_permissions_boundary_caps_what_policies_allow():
    b = res("pol.b", "aws.iam.policy", "b", policy_name="b", document=doc(allow("s3:*")))
    u = user("dev", allow("iam:*"), permissions_boundary=Ref("pol.b", "arn"))
    _, g = graph_of(u, b)
    assert edges(g, "u.dev") == []


def test_trust_naming_the_account_needs_the_callers_permission_too():
    target = role(
        "t",
        trust=doc(
            {
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:root"]},
            }
        ),
    )
    _, g = graph_of(user("no"), user("yes", allow("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/t")), target)
    assert edges(g, "u.no") == []
    assert [(e.dst, e.confidence) for e in edges(g, "u.yes", "aws-sts-assume-role")] == [("r.t", "certain")]


def test_passrole_needs_a_role_trusting_the_service_and_honours_passed_to_service():
    pass_to_ec2_only = allow(
        "iam:PassRole", "*", Condition={"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com"]}}
    )
    u = user(
        "dev", pass_to_ec2_only, allow(["lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances"])
    )
    _, g = graph_of(u, role("fn", "lambda.amazonaws.com"), role("box", "ec2.amazonaws.com"))
    assert {(e.dst, e.technique) for e in edges(g, "u.dev")} == {("r.box", "aws-ec2-run-instances")}


def test_internet_to_function_to_role_to_training_data_is_one_path():
    bucket = res("b.train", "aws.s3.bucket", "train", bucket="acme-training-data")
    r = role("exec", "lambda.amazonaws.com", allow("s3:GetObject", "arn:aws:s3:::acme-training-data/*"))
    fn = res("f.api", "aws.lambda.function", "api", function_name="api", role_arn=Ref("r.exec", "arn"))
    url = res("url.api", "aws.lambda.function_url", "api", function_name="api", auth_type="NONE")
    inv, g = graph_of(
        bucket, r, fn, url, relations=[("f.api", "execution_role", "r.exec"), ("url.api", "url_of", "f.api")]
    )
    (f,) = [x for x in find_paths(g, inv) if x.rule_id == "internet-path-data"]
    assert [s.node for s in f.path] == [INTERNET, "f.api", "r.exec", "b.train"]
    assert [s.technique for s in f.path[:3]] == ["aws-public-invoke", "aws-runs-as", "aws-data-read"]
    assert f.resource.uid == "f.api" and f.severity == "critical" and f.confidence == "certain"
    # the role reading its own bucket directly is by design: no privilege-path-data finding for it
    assert not [x for x in find_paths(g, inv) if x.rule_id == "privilege-path-data"]


def test_lambda_permission_for_anyone_and_api_routes():
    fn = res("f.a", "aws.lambda.function", "a", function_name="a")
    open_perm = res(
        "perm.open", "aws.lambda.permission", "open", action="lambda:InvokeFunction", principal="*"
    )
    scoped = res(
        "perm.s",
        "aws.lambda.permission",
        "s",
        action="lambda:InvokeFunction",
        principal="*",
        source_arn="arn:aws:execute-api:x",
    )
    fn_b = res("f.b", "aws.lambda.function", "b", function_name="b")
    route = res("route", "aws.apigateway.rest_method", "GET", authorization="NONE", api_key_required=False)
    priv_api = res("api", "aws.apigateway.rest_api", "api", endpoint_types=["PRIVATE"])
    fn_c = res("f.c", "aws.lambda.function", "c", function_name="c")
    route_c = res("route.c", "aws.apigateway.rest_method", "GET", authorization="NONE")
    _, g = graph_of(
        fn,
        open_perm,
        scoped,
        fn_b,
        route,
        priv_api,
        fn_c,
        route_c,
        relations=[
            ("perm.open", "grants_on", "f.a"),
            ("perm.s", "grants_on", "f.b"),
            ("route", "invokes", "f.c"),
            ("route", "in_api", "api"),
            ("route.c", "invokes", "f.c"),
        ],
    )
    got = {(e.dst, e.confidence) for e in edges(g, INTERNET, "aws-public-invoke")}
    assert got == {("f.a", "certain"), ("f.b", "conditional"), ("f.c", "certain")}


def test_endpoint_runs_as_its_models_role():
    r = role("m", "sagemaker.amazonaws.com")
    model = res("model", "aws.sagemaker.model", "model", execution_role_arn=Ref("r.m", "arn"))
    cfg = res("cfg", "aws.sagemaker.endpoint_config", "cfg")
    ep = res("ep", "aws.sagemaker.endpoint", "ep")
    _, g = graph_of(
        r,
        model,
        cfg,
        ep,
        relations=[
            ("model", "execution_role", "r.m"),
            ("cfg", "serves_model", "model"),
            ("ep", "uses_config", "cfg"),
        ],
    )
    assert [(e.dst, e.note) for e in edges(g, "ep", "aws-runs-as")] == [("r.m", "serves model model")]


def test_public_bucket_policy_and_public_access_block():
    anyone = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::open-models/*"],
        }
    )
    open_b = res("b.open", "aws.s3.bucket", "open", bucket="open-models", policy=anyone)
    blocked_policy = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::shut-models/*"],
        }
    )
    shut = res(
        "b.shut",
        "aws.s3.bucket",
        "shut",
        bucket="shut-models",
        policy=blocked_policy,
        public_access_block={"restrict_public_buckets": True},
    )
    inv, g = graph_of(open_b, shut)
    assert {e.dst for e in edges(g, INTERNET, "aws-data-read")} == {"b.open"}
    assert [f.rule_id for f in find_paths(g, inv)] == ["internet-path-data"]


def test_key_policy_must_admit_the_caller_or_its_account():
    from scanner.graph.aws import _key_policy_admits
    from scanner.graph.aws_access import AwsPrincipal

    strict = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:role/keyadmin"]},
            "Action": ["kms:*"],
            "Resource": ["*"],
        }
    )
    account = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:root"]},
            "Action": ["kms:*"],
            "Resource": ["*"],
        }
    )
    dev = AwsPrincipal("u.dev", "user", f"arn:aws:iam::{ACCT}:user/dev", True, "dev", ACCT)
    key = f"arn:aws:kms:us-east-1:{ACCT}:key/k"
    assert not _key_policy_admits("kms:Decrypt", key, strict, dev)
    assert _key_policy_admits("kms:Decrypt", key, account, dev)


def test_role_any_aws_account_may_assume():
    anyone = doc({"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"AWS": ["*"]}})
    ext = doc(
        {
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": ["*"]},
            "Condition": {"StringEquals": {"sts:ExternalId": ["x"]}},
        }
    )
    _, g = graph_of(role("open", trust=anyone), role("ext", trust=ext), role("svc", "lambda.amazonaws.com"))
    got = {(e.dst, e.confidence) for e in edges(g, INTERNET, "aws-trusted-by-anyone")}
    assert got == {("r.open", "certain"), ("r.ext", "conditional")}


def test_add_user_to_group_leads_to_the_groups_privileges():
    grp = res(
        "g.admins",
        "aws.iam.group",
        "admins",
        group_name="admins",
        inline_policies=[{"name": "all", "document": doc(allow("*"))}],
        managed_policy_arns=[],
    )
    inv, g = graph_of(user("dev", allow("iam:AddUserToGroup", f"arn:aws:iam::{ACCT}:group/admins")), grp)
    (f,) = [x for x in find_paths(g, inv) if x.resource.uid == "u.dev"]
    assert [s.node for s in f.path] == ["u.dev", "g.admins", ADMIN]


def test_missing_contributor_is_skipped_and_a_failing_one_is_reported(monkeypatch):
    broken = types.ModuleType("mlposture_test_broken")

    def boom(inv, graph):
        raise ValueError("contributor bug")

    broken.add_nodes = boom
    broken.add_edges = boom
    monkeypatch.setitem(sys.modules, "mlposture_test_broken", broken)
    inv = Inventory()
    inv.add(user("dev", allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCT}:user/dev")))
    failures: list = []
    g = build_graph(
        inv, ("scanner.graph.aws", "scanner.graph.no_such_provider", "mlposture_test_broken"), failures
    )
    assert [n for n, _ in failures] == ["mlposture_test_broken"]
    assert edges(g, "u.dev", "aws-iam-put-user-policy")  # the others still contributed
    with pytest.raises(RuntimeError, match="contributor bug"):
        build_graph(inv, ("scanner.graph.aws", "mlposture_test_broken"))


def test_one_evaluation_for_targets_no_specific_pattern_matches_keeps_denies_exact():
    """A "*" allow with a deny on a prefix: the prefixed roles are asked one by one, all
    others share one answer; the graph equals the one with every target asked alone."""
    from scanner.graph import aws
    from scanner.graph.model import PrivilegeGraph

    dev = user(
        "dev",
        allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]),
        {"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": [f"arn:aws:iam::{ACCT}:role/prod-*"]},
    )
    admin_doc = doc(allow("*"))
    roles = [role(n, "lambda.amazonaws.com", admin_doc["Statement"][0]) for n in ("prod-a", "dev-a", "dev-b")]
    inv, graph = graph_of(dev, *roles)
    passed = {e.dst for e in edges(graph, "u.dev", "aws-lambda-create-invoke")}
    assert passed == {"r.dev-a", "r.dev-b"}
    ref = PrivilegeGraph()
    ref.state["aws_reference"] = True
    aws.add_nodes(inv, ref)
    aws.add_edges(inv, ref)
    assert sorted(map(repr, graph.edges())) == sorted(map(repr, ref.edges()))


def test_read_grant_on_a_prefix_of_a_sensitive_bucket_is_a_conditional_read():
    bucket = res("b.train", "aws.s3.bucket", "acme-training-data", bucket="acme-training-data")
    scoped = user("scoped", allow("s3:GetObject", "arn:aws:s3:::acme-training-data/team3/*"))
    whole = user("whole", allow("s3:GetObject", "arn:aws:s3:::acme-training-data/*"))
    denied = user(
        "denied",
        allow("s3:GetObject", "arn:aws:s3:::acme-training-data/team3/*"),
        {"Effect": "Deny", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::acme-training-data/*"]},
    )
    _, graph = graph_of(bucket, scoped, whole, denied)
    (e,) = edges(graph, "u.scoped", "aws-data-read")
    assert e.dst == "b.train" and e.confidence == "conditional"
    assert e.conditions == ("s3 object key team3/*",) and "team3/*" in e.note
    (w,) = edges(graph, "u.whole", "aws-data-read")
    assert w.confidence == "certain"
    assert edges(graph, "u.denied", "aws-data-read") == []


def test_cloudformation_sub_over_a_resource_arn_names_that_resource_only(tmp_path):
    """`!Sub "${Data.Arn}/*"` in a role's policy is the ARN of the template's own Data
    bucket: one certain edge to it, none to the other bucket; the bucket policy's "deny
    unless HTTPS" does not stop a caller who uses TLS."""
    from scanner.collect.iac import collect_iac
    from scanner.engine import build_inventory

    (tmp_path / "stack.yaml").write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties: {BucketName: train-data-prod}
  Other:
    Type: AWS::S3::Bucket
    Properties: {BucketName: train-data-other}
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Data.Arn, !Sub "${Data.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: "false"}}
  Trainer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: sagemaker.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement: [{Effect: Allow, Action: s3:GetObject, Resource: !Sub "${Data.Arn}/*"}]
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !GetAtt Trainer.Arn
"""
    )
    batches, found = collect_iac([tmp_path])
    graph = build_graph(build_inventory(batches))
    reads = [e for e in graph.edges() if e.technique == "aws-data-read" and e.src.endswith("#Trainer")]
    dsts = {e.dst.rsplit("#", 1)[-1]: e for e in reads}
    # both buckets are training data by name; only the one the policy names is reached
    assert set(dsts) == {"Data"}, dsts
    assert dsts["Data"].confidence == "certain", dsts["Data"]
