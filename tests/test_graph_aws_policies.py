"""What the AWS graph reads beyond identity policies: service control policies (how each
source normalizes them, and how they cap a principal), secret and repository resource
policies, and the cross-account rule. The end-to-end scenarios are in
tests/test_graph_paths.py (fixtures/graph/aws/)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from test_graph_aws import ACCT, allow, doc, edges, graph_of, res, role, user

from scanner.collect.iac.cloudformation import load
from scanner.collect.iac.discover import Limits
from scanner.graph.aws_eval import Decision, ScpLevel, compile_policy, evaluate
from scanner.graph.build import build_graph
from scanner.graph.model import INTERNET
from scanner.graph.queries import who_can
from scanner.model.resource import Ref, Resource, SourceRef, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.aws import Raw
from scanner.normalize.aws import normalize as normalize_live
from scanner.normalize.terraform.mapping import normalize as normalize_tf
from scanner.normalize.terraform.model import TfResource

DENY_IAM = {"Effect": "Deny", "Action": ["iam:*"], "Resource": ["*"]}
SELF_EDIT = allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCT}:user/dev")


def canonical(r: Resource) -> None:
    assert set(r.attrs) == set(RESOURCE_TYPES[r.type].attrs), (
        r.type,
        set(r.attrs) ^ set(RESOURCE_TYPES[r.type].attrs),
    )


def tf(rtype: str, name: str, config: dict) -> TfResource:
    return TfResource("managed", rtype, name, "", config, file="main.tf", start_line=1, end_line=9)


def secret(uid, name, **attrs) -> Resource:
    r = res(uid, "aws.secretsmanager.secret", name, **attrs)
    r.attrs["name"] = name
    return r


def scp(name, targets, *stmts, arn=None) -> Resource:
    return Resource(
        f"scp.{name}",
        "aws.organizations.policy",
        "aws",
        name,
        {"arn": arn, "type": "SERVICE_CONTROL_POLICY", "policy": doc(*stmts), "targets": targets},
        SourceRef("live", dialect="aws", api="organizations:DescribePolicy"),
        account=ACCT,
    )


# ------------------------------------------------------------------ the evaluator


def test_scp_level_allows_if_any_of_its_policies_does_and_every_level_must():
    only_s3 = compile_policy(doc(allow("s3:*")))
    full = compile_policy(doc(allow("*")))
    ident = [doc(allow("*"))]
    # one level with FullAWSAccess beside an allow-list: the level allows everything
    assert evaluate("iam:PassRole", "*", ident, scps=[ScpLevel((only_s3, full))]).allowed
    # two levels: the allow-list level caps the other
    levels = [ScpLevel((full,)), ScpLevel((only_s3,))]
    assert evaluate("iam:PassRole", "*", ident, scps=levels).decision is Decision.IMPLICIT_DENY
    assert evaluate("s3:GetObject", "*", ident, scps=levels).allowed


def test_scp_level_that_may_not_apply_leaves_the_answer_undecided_never_decided():
    deny = compile_policy(doc(allow("*"), DENY_IAM))
    only_s3 = compile_policy(doc(allow("s3:*")))
    ident = [doc(allow("*"))]
    why = "SCP x on OU ou-1: not known"
    r = evaluate("iam:PassRole", "*", ident, scps=[ScpLevel((deny,), why)])
    assert r.decision is Decision.CONDITIONAL_ALLOW and r.undecided == (why,)
    r = evaluate("iam:PassRole", "*", ident, scps=[ScpLevel((only_s3,), why)])
    assert r.decision is Decision.CONDITIONAL_ALLOW and r.undecided == (why,)
    # what it allows and does not deny stays allowed; SCPs never grant
    assert evaluate("s3:GetObject", "*", ident, scps=[ScpLevel((deny,), why)]).allowed
    assert evaluate("s3:GetObject", "*", [], scps=[ScpLevel((deny,), why)]).decision is Decision.IMPLICIT_DENY


def test_cross_account_needs_both_the_identity_and_the_resource_policy():
    rp = doc(
        allow("secretsmanager:GetSecretValue", "*", Principal={"AWS": ["arn:aws:iam::444455556666:role/r"]})
    )
    who = "arn:aws:iam::444455556666:role/r"
    kw = {"resource_policy": rp, "principal": who}
    assert evaluate("secretsmanager:GetSecretValue", "arn:s", [], **kw).allowed  # one account: either
    assert not evaluate("secretsmanager:GetSecretValue", "arn:s", [], cross_account=True, **kw).possible
    ident = [doc(allow("secretsmanager:GetSecretValue"))]
    assert evaluate("secretsmanager:GetSecretValue", "arn:s", ident, cross_account=True, **kw).allowed
    assert not evaluate(
        "secretsmanager:GetSecretValue",
        "arn:s",
        ident,
        cross_account=True,
        resource_policy=doc(),
        principal=who,
    ).possible


# ------------------------------------------------------------------ the graph


def test_scp_targets_decide_which_accounts_it_caps():
    def dev_edges(*targets):
        _, g = graph_of(user("dev", SELF_EDIT), scp("deny", list(targets) or None, DENY_IAM))
        return [(e.confidence, e.conditions) for e in edges(g, "u.dev")]

    assert dev_edges({"id": "r-ab12", "type": "ROOT", "name": "Root"}) == []
    assert dev_edges({"id": ACCT, "type": "ACCOUNT", "name": "dev"}) == []
    assert dev_edges({"id": "444455556666", "type": "ACCOUNT", "name": "x"}) == [("certain", ())]
    assert dev_edges() == [("conditional", ("SCP deny: where it is attached is not known",))]
    (got,) = dev_edges({"id": Unresolved("var.target"), "type": Unresolved("var.target"), "name": None})
    assert got == ("conditional", ("SCP deny: a target the scan cannot resolve",))


def test_no_scp_in_the_inventory_changes_nothing_and_service_linked_roles_are_exempt():
    _, g = graph_of(user("dev", SELF_EDIT))
    assert [e.confidence for e in edges(g, "u.dev")] == ["certain"]
    slr = role("svc", "sagemaker.amazonaws.com", allow("*"))
    slr.attrs["arn"] = f"arn:aws:iam::{ACCT}:role/aws-service-role/sagemaker.amazonaws.com/svc"
    root = [{"id": "r-ab12", "type": "ROOT", "name": "Root"}]
    _, g = graph_of(slr, user("dev", allow("*")), scp("deny", root, DENY_IAM))
    assert [e.confidence for e in edges(g, "r.svc", "aws-admin-access")] == ["certain"]
    assert edges(g, "u.dev", "aws-admin-access") == []  # iam:* denied: not every action


def test_principals_of_an_unknown_account_are_conditional_under_an_account_scp():
    dev = user("dev", allow("iam:PutUserPolicy"))
    dev.account = None  # IaC with no account anywhere: the placeholder account
    cap = scp("deny", [{"id": "444455556666", "type": "ACCOUNT", "name": "x"}], DENY_IAM)
    cap.account = None
    _, g = graph_of(dev, cap)
    (e,) = edges(g, "u.dev")
    assert e.confidence == "conditional"
    assert "the principal's account is not known" in " ".join(e.conditions)


def test_region_restricting_scp_leaves_admin_certain_and_denies_resources_in_other_regions():
    lock = {
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*"],
        "Resource": ["*"],
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
    }
    root = [{"id": "r-ab12", "type": "ROOT", "name": "Root"}]

    def secret_in(region):
        arn = f"arn:aws:secretsmanager:{region}:{ACCT}:secret:{region}-AbCdEf"
        return secret(f"s.{region}", region, arn=arn, policy=None, kms_key_id=None)

    reader = role("reader", "lambda.amazonaws.com", allow("secretsmanager:GetSecretValue"))
    _, g = graph_of(
        user("dev", allow("*")),
        reader,
        secret_in("us-east-1"),
        secret_in("eu-central-1"),
        scp("lock", root, lock),
    )
    # the caller picks an allowed region for requests on "*": still every action
    assert [e.confidence for e in edges(g, "u.dev", "aws-admin-access")] == ["certain"]
    # a secret's API is in the secret's region: outside the allowed ones, denied
    assert [e.dst for e in edges(g, "r.reader", "aws-data-read")] == ["s.us-east-1"]


def test_who_can_honours_scps():
    root = [{"id": "r-ab12", "type": "ROOT", "name": "Root"}]
    _, g = graph_of(user("dev", allow("iam:*")), user("ops", allow("s3:*")), scp("deny", root, DENY_IAM))
    assert who_can(g, "iam:CreateUser", "*") == []
    assert [a.principal for a in who_can(g, "s3:GetObject", "arn:aws:s3:::b/k")] == ["u.ops"]


def test_bucket_in_another_account_with_no_policy_is_not_readable_from_outside():
    inv_items = [
        res("b.train", "aws.s3.bucket", "train", bucket="acme-training-data", policy=None),
        role("exec", "lambda.amazonaws.com", allow("s3:GetObject")),
    ]
    _, g = graph_of(*inv_items)
    assert [e.dst for e in edges(g, "r.exec", "aws-data-read")] == ["b.train"]
    inv_items[1].account = "444455556666"
    _, g = graph_of(*inv_items)
    assert edges(g, "r.exec", "aws-data-read") == []


def test_live_secret_whose_policy_was_not_read_is_conditional_from_another_account():
    sec = secret(
        "s.key",
        "key",
        arn=f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:key-AbCdEf",
        kms_key_id="arn:aws:kms:us-east-1:111122223333:key/not-in-the-scan",
        policy=None,
    )
    sec.provenance["policy"] = "unresolved"
    other = role("r", "lambda.amazonaws.com", allow(["secretsmanager:GetSecretValue", "kms:Decrypt"]))
    other.account = "444455556666"
    _, g = graph_of(sec, other)
    (e,) = edges(g, "r.r", "aws-data-read")
    assert e.confidence == "conditional"
    assert set(e.conditions) == {
        "the resource policy of s.key (not read)",
        "the key policy of arn:aws:kms:us-east-1:111122223333:key/not-in-the-scan (not in the scan)",
    }
    # under the AWS-managed key (no kms_key_id) no other account can read it at all
    sec.attrs["kms_key_id"] = None
    _, g = graph_of(sec, other)
    assert edges(g, "r.r") == []


def test_secret_under_a_customer_key_needs_decrypt_on_it():
    key = res("k.app", "aws.kms.key", "app", arn=f"arn:aws:kms:us-east-1:{ACCT}:key/app", policy=None)
    sec = secret("s.db", "db", kms_key_id=Ref("k.app", "arn"), policy=None)
    only_secret = role("a", "lambda.amazonaws.com", allow("secretsmanager:GetSecretValue"))
    both = role("b", "lambda.amazonaws.com", allow(["secretsmanager:GetSecretValue", "kms:Decrypt"]))
    _, g = graph_of(key, sec, only_secret, both)
    assert edges(g, "r.a", "aws-data-read") == []
    (e,) = [e for e in edges(g, "r.b", "aws-data-read") if e.dst == "s.db"]
    assert e.permissions == ("secretsmanager:GetSecretValue", "kms:Decrypt") and e.confidence == "certain"


def test_public_secret_is_reachable_from_the_internet_only_through_a_key_that_admits_anyone():
    public = doc(allow("secretsmanager:GetSecretValue", "*", Principal="*"))
    key_policy = doc(allow("kms:Decrypt", "*", Principal="*"))
    key = res(
        "k.open", "aws.kms.key", "open", arn=f"arn:aws:kms:us-east-1:{ACCT}:key/open", policy=key_policy
    )
    sec = secret("s.x", "x", kms_key_id=Ref("k.open", "arn"), policy=public)
    _, g = graph_of(key, sec)
    assert [(e.dst, e.confidence) for e in edges(g, INTERNET) if e.dst == "s.x"] == [("s.x", "certain")]
    sec.attrs["kms_key_id"] = None  # aws/secretsmanager: not usable from another account
    _, g = graph_of(key, sec)
    assert [e for e in edges(g, INTERNET) if e.dst == "s.x"] == []


# ------------------------------------------------------------------ normalization


def test_terraform_scp_with_its_attachments_folded_in():
    batch = normalize_tf(
        [
            tf(
                "aws_organizations_policy",
                "deny",
                {
                    "name": "deny-iam",
                    "content": '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}',
                },
            ),
            tf("aws_organizations_policy", "lonely", {"name": "lonely", "content": "{}"}),
            *[
                tf(
                    "aws_organizations_policy_attachment",
                    f"a{i}",
                    {"policy_id": Ref("tf:aws_organizations_policy.deny", "id"), "target_id": t},
                )
                for i, t in enumerate(
                    [
                        Ref("tf:aws_organizations_organization.org", "roots[0].id"),
                        Ref("tf:module.org.aws_organizations_organizational_unit.ml", "id"),
                        "111122223333",
                        "ou-ab12-34cd56ef",
                        Unresolved("var.target"),
                    ]
                )
            ],
        ]
    )
    assert not batch.errors
    by = {r.name: r for r in batch.resources}
    p = by["deny"]
    canonical(p)
    assert p.type == "aws.organizations.policy" and p.attrs["type"] == "SERVICE_CONTROL_POLICY"
    assert p.attrs["policy"]["Statement"][0]["Action"] == ["iam:*"]
    t = p.attrs["targets"]
    assert [x["type"] for x in t[:4]] == ["ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT", "ORGANIZATIONAL_UNIT"]
    assert (
        isinstance(t[0]["id"], Unresolved)
        and t[2]["id"] == "111122223333"
        and t[3]["id"] == "ou-ab12-34cd56ef"
    )
    assert isinstance(t[4]["type"], Unresolved)
    assert p.provenance["targets[0].id"] == "unresolved"
    assert isinstance(by["lonely"].attrs["targets"], Unresolved)  # attached by nothing in the scan


def test_terraform_secret_policy_inline_and_folded():
    stmt = {
        "Effect": "Deny",
        "Principal": {"AWS": "arn:aws:iam::1:role/x"},
        "Action": "secretsmanager:*",
        "Resource": "*",
    }
    policy = '{"Version":"2012-10-17","Statement":[' + __import__("json").dumps(stmt) + "]}"
    batch = normalize_tf(
        [
            tf("aws_secretsmanager_secret", "a", {"name": "a", "policy": policy}),
            tf("aws_secretsmanager_secret", "b", {"name": "b"}),
            tf(
                "aws_secretsmanager_secret_policy",
                "b",
                {"secret_arn": Ref("tf:aws_secretsmanager_secret.b", "arn"), "policy": policy},
            ),
            tf("aws_secretsmanager_secret", "c", {"name": "c"}),
        ]
    )
    by = {r.name: r for r in batch.resources}
    for r in by.values():
        canonical(r)
    assert by["a"].attrs["policy"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::1:role/x"]}
    assert by["b"].attrs["policy"] == by["a"].attrs["policy"]
    assert by["c"].attrs["policy"] is None


def test_cloudformation_scp_and_secret_resource_policy(tmp_path: Path):
    f = tmp_path / "org.yaml"
    f.write_text(
        textwrap.dedent(
            """
            Resources:
              Ml:
                Type: AWS::Organizations::OrganizationalUnit
                Properties: {Name: ml, ParentId: r-ab12}
              Deny:
                Type: AWS::Organizations::Policy
                Properties:
                  Name: deny-iam
                  Type: SERVICE_CONTROL_POLICY
                  Content: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "iam:*", Resource: "*"}]}
                  TargetIds: [r-ab12, "111122223333", !Ref Ml]
              Key:
                Type: AWS::SecretsManager::Secret
                Properties: {Name: model-api-key}
              KeyPolicy:
                Type: AWS::SecretsManager::ResourcePolicy
                Properties:
                  SecretId: !Ref Key
                  ResourcePolicy:
                    Version: "2012-10-17"
                    Statement:
                      - {Effect: Deny, Principal: {AWS: "arn:aws:iam::1:role/x"}, Action: "secretsmanager:*", Resource: "*"}
            """
        )
    )
    batch = load([f], tmp_path, Limits())
    assert batch.errors == []
    by = {r.name: r for r in batch.resources}
    p, s = by["Deny"], by["Key"]
    canonical(p)
    canonical(s)
    assert [t["type"] for t in p.attrs["targets"][:2]] == ["ROOT", "ACCOUNT"]
    assert isinstance(p.attrs["targets"][2]["type"], Unresolved)  # !Ref of an OU or an account
    assert p.attrs["policy"]["Statement"][0]["Effect"] == "Deny"
    assert s.attrs["policy"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::1:role/x"]}


def test_live_secret_says_its_policy_was_not_read():
    out = normalize_live(
        [
            Raw(
                "secretsmanager.secret",
                ACCT,
                "us-east-1",
                {"ARN": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:x-AbCdEf", "Name": "x"},
                "secretsmanager:ListSecrets",
            )
        ]
    )
    (s,) = out.resources
    canonical(s)
    assert s.attrs["policy"] is None and s.provenance["policy"] == "unresolved"


def test_graph_from_terraform_scp_without_attachment_is_conditional():
    batch = normalize_tf(
        [
            tf(
                "aws_organizations_policy",
                "deny",
                {
                    "name": "deny-iam",
                    "content": '{"Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}',
                },
            ),
        ]
    )
    (p,) = batch.resources
    from scanner.model.inventory import Inventory

    inv = Inventory()
    inv.add(p)
    inv.add(user("dev", SELF_EDIT))
    inv.link()
    g = build_graph(inv, ("scanner.graph.aws",))
    (e,) = edges(g, "u.dev")
    assert e.confidence == "conditional"
    assert e.conditions == ("SCP deny: where it is attached is not known",)


def test_terraform_queue_and_topic_policies_inline_and_folded():
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"}]}'
    )
    batch = normalize_tf(
        [
            tf("aws_sqs_queue", "a", {"name": "a", "policy": policy}),
            tf("aws_sqs_queue", "b", {"name_prefix": "b-"}),
            tf("aws_sqs_queue_policy", "b", {"queue_url": Ref("tf:aws_sqs_queue.b", "id"), "policy": policy}),
            tf("aws_sns_topic", "t", {"name": "t"}),
            tf("aws_sns_topic_policy", "t", {"arn": Ref("tf:aws_sns_topic.t", "arn"), "policy": policy}),
        ]
    )
    assert not batch.errors
    by = {r.uid: r for r in batch.resources}
    for r in by.values():
        canonical(r)
    a, b, t = by["tf:aws_sqs_queue.a"], by["tf:aws_sqs_queue.b"], by["tf:aws_sns_topic.t"]
    assert a.type == "aws.sqs.queue" and t.type == "aws.sns.topic"
    assert a.attrs["policy"]["Statement"][0]["Principal"] == "*"
    assert b.attrs["policy"] == a.attrs["policy"] == t.attrs["policy"]
    assert isinstance(b.attrs["name"], Unresolved) and b.attrs["name"].prefix == "b-"


def test_cloudformation_queue_and_topic_policies(tmp_path: Path):
    f = tmp_path / "q.yaml"
    f.write_text(
        textwrap.dedent(
            """
            Resources:
              Jobs:
                Type: AWS::SQS::Queue
                Properties: {QueueName: inference-jobs}
              Other:
                Type: AWS::SQS::Queue
              Results:
                Type: AWS::SNS::Topic
                Properties: {TopicName: prediction-results}
              JobsPolicy:
                Type: AWS::SQS::QueuePolicy
                Properties:
                  Queues: [!Ref Jobs]
                  PolicyDocument:
                    Statement: [{Effect: Allow, Principal: "*", Action: "sqs:SendMessage", Resource: !GetAtt Jobs.Arn}]
              ResultsPolicy:
                Type: AWS::SNS::TopicPolicy
                Properties:
                  Topics: [!Ref Results]
                  PolicyDocument:
                    Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "sns:Subscribe", Resource: "*"}]
            """
        )
    )
    batch = load([f], tmp_path, Limits())
    assert batch.errors == []
    by = {r.name: r for r in batch.resources}
    for name in ("Jobs", "Other", "Results"):
        canonical(by[name])
    assert by["Jobs"].attrs["policy"]["Statement"][0]["Action"] == ["sqs:SendMessage"]
    assert by["Other"].attrs["policy"] is None and isinstance(by["Other"].attrs["name"], Unresolved)
    assert by["Results"].attrs["policy"]["Statement"][0]["Principal"] == {"AWS": ["*"]}
