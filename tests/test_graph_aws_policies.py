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


def test_scp_on_an_ou_applies_to_the_accounts_recorded_under_it():
    def dev_edges(target, account=ACCT):
        # on "*": the user's own ARN is not known when its account is not
        dev, cap = user("dev", allow("iam:PutUserPolicy")), scp("deny", [target], DENY_IAM)
        dev.account = cap.account = account  # None: IaC with no account anywhere
        _, g = graph_of(dev, cap)
        return [(e.confidence, e.conditions) for e in edges(g, "u.dev")]

    ou = {"id": "ou-ab12-ml", "type": "ORGANIZATIONAL_UNIT", "name": "ml"}
    # the live walk of the OU tree recorded the accounts under the OU: decided either way
    assert dev_edges({**ou, "accounts": ["444455556666", ACCT]}) == []
    assert dev_edges({**ou, "accounts": ["444455556666"]}) == [("certain", ())]
    assert dev_edges({**ou, "accounts": []}) == [("certain", ())]
    # not recorded (IaC, a member account, a walk that failed): may or may not apply
    why = "SCP deny on OU ou-ab12-ml: whether the account is in that OU is not in the scan"
    assert dev_edges(ou) == [("conditional", (why,))]
    # recorded, but the principal's account is not known: still undecided
    assert dev_edges({**ou, "accounts": [ACCT]}, account=None) == [("conditional", (why,))]


def test_scp_ou_membership_with_fullawsaccess_read_is_not_taken_for_no_organization():
    """A live read (FullAWSAccess in the scan) where the account has no SCP of its own but is
    recorded under an OU: it is in the Organization, and the OU's Deny applies for certain."""
    full = scp(
        "FullAWSAccess",
        [{"id": "r-ab12", "type": "ROOT", "name": "Root"}],
        allow("*"),
        arn="arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    )
    ou = {"id": "ou-ab12-ml", "type": "ORGANIZATIONAL_UNIT", "name": "ml", "accounts": [ACCT]}
    _, g = graph_of(user("dev", SELF_EDIT), full, scp("deny", [ou], DENY_IAM))
    assert edges(g, "u.dev") == []
    # outside the OU, and with no SCP of its own: not in the Organization, nothing caps it
    _, g = graph_of(user("dev", SELF_EDIT), full, scp("deny", [{**ou, "accounts": []}], DENY_IAM))
    assert [e.confidence for e in edges(g, "u.dev")] == ["certain"]


def test_queue_and_topic_arns_resolve_from_iac_references():
    from scanner.graph.aws_resolve import Arns, infer_scope, resolve_refs
    from scanner.model.inventory import Inventory

    inv = Inventory()
    q = res("tf:aws_sqs_queue.jobs", "aws.sqs.queue", "jobs", arn=None, policy=None)
    t = res("tf:aws_sns_topic.done", "aws.sns.topic", "done", arn=None, policy=None)
    for r in (q, t):
        r.attrs["name"], r.region = r.name, "eu-west-1"
        inv.add(r)
    arns = Arns(inv, infer_scope(inv))
    policy = doc(
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sns:Publish"],
            "Resource": [Ref(q.uid, "arn"), Ref(t.uid, "arn")],
        }
    )
    got = resolve_refs(policy, inv, arns)
    assert got["Statement"][0]["Resource"] == [
        f"arn:aws:sqs:eu-west-1:{ACCT}:jobs",
        f"arn:aws:sns:eu-west-1:{ACCT}:done",
    ]
    assert arns.of(q) == (f"arn:aws:sqs:eu-west-1:{ACCT}:jobs", True)
    # an SNS topic's Terraform id is its ARN; a queue's name is its name
    assert resolve_refs(Ref(t.uid, "id"), inv, arns) == f"arn:aws:sns:eu-west-1:{ACCT}:done"
    assert resolve_refs(Ref(q.uid, "name"), inv, arns) == "jobs"


def test_identity_policy_on_a_terraform_queue_reaches_it():
    q = res("tf:aws_sqs_queue.train_jobs", "aws.sqs.queue", "train-jobs", arn=None, policy=None)
    q.attrs["name"], q.region = "train-jobs", "us-east-1"
    reader = role("reader", "lambda.amazonaws.com", allow("sqs:ReceiveMessage", Ref(q.uid, "arn")))
    _, g = graph_of(q, reader)
    assert [(e.dst, e.confidence) for e in edges(g, "r.reader", "aws-data-read")] == [(q.uid, "certain")]


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


def test_live_secret_policy_read_none_or_not_read():
    from scanner.normalize.aws import Unread

    def live(**extra):
        data = {"ARN": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:x-AbCdEf", "Name": "x"}
        out = normalize_live([Raw("secretsmanager.secret", ACCT, "us-east-1", data, extra=extra)])
        (s,) = out.resources
        canonical(s)
        return s

    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
    read = live(policy=text)  # GetResourcePolicy's ResourcePolicy: JSON text
    assert read.attrs["policy"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::1:role/x"]}
    assert read.provenance.get("policy") != "unresolved"
    none = live(policy=None)  # an answer without ResourcePolicy: no policy attached
    assert none.attrs["policy"] is None and none.provenance.get("policy") != "unresolved"
    failed = live(policy=Unread("secretsmanager:GetResourcePolicy was denied"))
    assert isinstance(failed.attrs["policy"], Unresolved) and failed.provenance["policy"] == "unresolved"
    assert failed.attrs["policy"].expr == "not read: secretsmanager:GetResourcePolicy was denied"


def test_live_normalizers_turn_unread_details_into_unresolved():
    """What a collector could not read arrives as `Unread`; the normalizer makes it
    Unresolved (provenance unresolved), and the rule that reads it says UNKNOWN."""
    from scanner.engine import ScanOptions, run
    from scanner.model.inventory import Inventory
    from scanner.normalize.aws import Unread

    no = Unread("x:Y was denied")
    user_data = {"Arn": f"arn:aws:iam::{ACCT}:user/ci", "UserName": "ci"}
    fn = {"FunctionArn": f"arn:aws:lambda:us-east-1:{ACCT}:function:f", "FunctionName": "f", "Role": "r"}
    key = {"Arn": f"arn:aws:kms:us-east-1:{ACCT}:key/k", "KeyId": "k"}
    out = normalize_live(
        [
            Raw("iam.user", ACCT, None, user_data, extra={"access_keys": no}),
            Raw("iam.user", ACCT, None, {**user_data, "Arn": user_data["Arn"] + "2", "UserName": "ci2"}),
            Raw("lambda.function", ACCT, "us-east-1", fn, extra={"url": no, "policy": no, "tags": no}),
            Raw("kms.key", ACCT, "us-east-1", key, extra={"rotation": no, "policy": no}),
            Raw(
                "s3.bucket",
                ACCT,
                "us-east-1",
                {
                    "Name": "b",
                    **dict.fromkeys(
                        (
                            "Acl",
                            "Policy",
                            "PublicAccessBlock",
                            "Encryption",
                            "Versioning",
                            "LoggingEnabled",
                            "Tags",
                        ),
                        no,
                    ),
                },
            ),
        ]
    )
    assert out.errors == []
    by = {r.uid: r for r in out.resources}
    for r in by.values():
        canonical(r)
    ci, ci2 = by[user_data["Arn"]], by[user_data["Arn"] + "2"]
    assert isinstance(ci.attrs["access_keys"], Unresolved) and ci.provenance["access_keys"] == "unresolved"
    assert ci2.attrs["access_keys"] == 0  # not in extra: the test's stand-in for "listed, none"
    perm = by[fn["FunctionArn"] + "#policy"]
    url = by[fn["FunctionArn"] + "#url"]
    assert all(isinstance(perm.attrs[k], Unresolved) for k in ("principal", "action", "source_arn"))
    assert isinstance(url.attrs["auth_type"], Unresolved)
    assert by[fn["FunctionArn"]].provenance["tags"] == "unresolved"
    bucket = by["arn:aws:s3:::b"]
    for k in ("acl", "policy", "public_access_block", "encryption", "versioning", "logging"):
        assert isinstance(bucket.attrs[k], Unresolved) and bucket.provenance[k] == "unresolved", k
    assert bucket.provenance["tags"] == "unresolved"
    inv = Inventory()
    inv.extend(out.resources, out.relations)
    res = run(
        inv,
        targets=["aws"],
        errors=[],
        sources=[],
        options=ScanOptions(
            include_rules=[
                "iam-user-no-access-keys-for-pipelines",
                "lambda-permission-not-public",
                "lambda-function-url-auth-required",
                "kms-key-rotation-enabled",
                "s3-bucket-not-public",
                "s3-bucket-public-access-blocked",
            ]
        ),
        started_at="2026-01-01T00:00:00Z",
    )
    assert sorted((f.rule_id, f.status) for f in res.findings) == [
        ("iam-user-no-access-keys-for-pipelines", "unknown"),
        ("kms-key-rotation-enabled", "unknown"),
        ("lambda-function-url-auth-required", "unknown"),
        ("lambda-permission-not-public", "unknown"),
        ("s3-bucket-not-public", "unknown"),
        ("s3-bucket-public-access-blocked", "unknown"),
    ]


def test_bucket_with_unknown_acl_but_public_policy_fails():
    from rules.aws.s3 import bucket_not_public

    public = doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*"))
    b = res("b", "aws.s3.bucket", "b", bucket="b", acl=Unresolved("not read: s3:GetBucketAcl was denied"))
    b.attrs["policy"] = public
    assert bucket_not_public(b).status == "fail"
    b.attrs["policy"] = None
    v = bucket_not_public(b)
    assert v.status == "unknown" and v.at == "acl" and "s3:GetBucketAcl was denied" in v.reason


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


def test_unread_function_url_and_policy_are_conditional_internet_edges():
    """A function whose URL config or resource policy could not be read (live AccessDenied)
    may be open to anyone: the internet edge is conditional and names what was not read,
    never missing (an unseen URL is not a private one)."""
    from scanner.model.inventory import Inventory
    from scanner.normalize.aws import Unread

    def fn(name, **extra):
        data = {"FunctionArn": f"arn:aws:lambda:us-east-1:{ACCT}:function:{name}", "FunctionName": name}
        return Raw("lambda.function", ACCT, "us-east-1", data, extra=extra)

    out = normalize_live(
        [
            fn("url_unread", url=Unread("lambda:GetFunctionUrlConfig was denied")),
            fn("policy_unread", policy=Unread("lambda:GetPolicy was denied")),
            fn("private", url={"AuthType": "AWS_IAM"}),
        ]
    )
    inv = Inventory()
    inv.extend(out.resources, out.relations)
    for alias, uid in out.aliases.items():
        inv.add_alias(alias, uid)
    inv.link()
    g = build_graph(inv, ("scanner.graph.aws",))
    got = {e.dst.rsplit(":", 1)[1]: e for e in edges(g, INTERNET, "aws-public-invoke")}
    assert set(got) == {"url_unread", "policy_unread"}  # the IAM-authorized URL stays closed
    for e in got.values():
        assert e.confidence == "conditional"
        assert any("was denied" in c for c in e.conditions)


def test_a_queue_whose_policy_was_not_read_is_a_conditional_path_to_what_it_triggers():
    """Who may send to a queue that triggers a function is not known when its attributes
    could not be read: a conditional internet edge naming that, never none."""
    q_arn = f"arn:aws:sqs:us-east-1:{ACCT}:jobs"
    unread = Unresolved("not read: sqs:GetQueueAttributes was denied")
    queue = res("q.jobs", "aws.sqs.queue", "jobs", arn=q_arn, policy=unread)
    fn = res("f.worker", "aws.lambda.function", "worker", function_name="worker")
    mapping = res(
        "m.1", "aws.lambda.event_source_mapping", "m1", event_source_arn=q_arn, function_name="worker"
    )
    _, g = graph_of(queue, fn, mapping, relations=[("m.1", "triggers", "f.worker")])
    (e,) = edges(g, INTERNET, "aws-public-invoke")
    assert e.dst == "f.worker" and e.confidence == "conditional"
    assert e.conditions == ("unresolved:not read: sqs:GetQueueAttributes was denied",)
