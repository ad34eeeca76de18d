"""Granted access from every source the inventory holds: AWS managed policies by ARN (and
unknown ones said as unknown), bucket and KMS key policies with cross-account principals,
SCP denies, GCP bindings on buckets and projects, Kubernetes group subjects."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_monitor.audit.declared import Declared
from runtime_monitor.audit.granted import Granted, covers
from runtime_monitor.policy import load_policy
from scanner.model.inventory import Inventory

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "audit"
ACCT = "111122223333"
PARTNER = "444455556666"


@pytest.fixture(scope="module")
def declared():
    return Declared(load_policy(str(FIX / "policy.yaml")))


def _role(name, statements=(), managed=()):
    arn = f"arn:aws:iam::{ACCT}:role/{name}"
    inline = (
        [{"name": "p", "document": {"Version": "2012-10-17", "Statement": list(statements)}}]
        if statements
        else []
    )
    return {"uid": arn, "type": "aws.iam.role", "provider": "aws", "name": name, "account": ACCT, "region": None,
            "attrs": {"arn": arn, "inline_policies": inline, "managed_policy_arns": list(managed)},
            "source": {"kind": "live"}}  # fmt: skip


def _res(uid, rtype, name, attrs, account=ACCT):
    return {"uid": uid, "type": rtype, "provider": rtype.split(".")[0], "name": name, "account": account,
            "region": None, "attrs": attrs, "source": {"kind": "live"}}  # fmt: skip


def _granted(declared, resources, relations=()):
    inv = Inventory.from_json({"inventory_version": "1", "resources": resources, "relations": list(relations),
                               "aliases": {}})  # fmt: skip
    return Granted(inv, declared)


def _asset(declared, ident):
    return next(d for d in declared.assets if d.asset.id == ident)


READ_DATA = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ml-data-prod/*"}


def test_aws_managed_policies_by_arn_and_unknown_ones_said(declared):
    g = _granted(declared, [
        _role("viewer", managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
        _role("mystery", managed=["arn:aws:iam::aws:policy/NoSuchPolicyEver"]),
        _role("ec2only", managed=["arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"]),
    ])  # fmt: skip
    grants = g.principals(_asset(declared, "fraud-transactions"))
    assert grants[f"arn:aws:iam::{ACCT}:role/viewer"].decision == "allow"
    mystery = grants[f"arn:aws:iam::{ACCT}:role/mystery"]
    assert mystery.decision == "unknown" and "NoSuchPolicyEver" in mystery.via[0]
    from scanner.graph import aws_managed

    if aws_managed.lookup("arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess") is not None:
        assert f"arn:aws:iam::{ACCT}:role/ec2only" not in grants  # known, and grants no S3 read
    else:
        assert grants[f"arn:aws:iam::{ACCT}:role/ec2only"].decision == "unknown"


def test_bucket_policy_grants_same_and_cross_account_principals(declared):
    bucket = _res("arn:aws:s3:::ml-data-prod", "aws.s3.bucket", "ml-data-prod", {"bucket": "ml-data-prod", "policy": {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{ACCT}:role/no-iam", PARTNER]},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ml-data-prod/credit/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ml-data-prod/*",
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}})  # fmt: skip
    g = _granted(declared, [_role("no-iam"), bucket])
    credit = g.principals(_asset(declared, "credit-applications"))
    assert credit[f"arn:aws:iam::{ACCT}:role/no-iam"].decision == "allow"  # the bucket policy alone
    partner = credit[f"arn:aws:iam::{PARTNER}:root"]
    assert partner.decision == "conditional-allow" and "cross-account" in partner.via[0]
    assert "*" not in credit  # public statements are the static rules' concern
    fraud = g.principals(_asset(declared, "fraud-transactions"))
    # on fraud/* only the statement for "*" with a VPC endpoint condition applies: conditional
    assert {p: x.decision for p, x in fraud.items()} == {
        f"arn:aws:iam::{ACCT}:role/no-iam": "conditional-allow",
        f"arn:aws:iam::{PARTNER}:root": "conditional-allow",
    }
    # a partner role's logged read falls under the account grant
    assert g.granted_to(_asset(declared, "credit-applications"), f"arn:aws:iam::{PARTNER}:role/etl") == (
        "conditional-allow"
    )


def test_kms_key_policy_must_also_allow_decrypt(declared):
    key_arn = f"arn:aws:kms:us-east-1:{ACCT}:key/k1"

    def world(key_statements):
        key = _res(key_arn, "aws.kms.key", "k1", {"arn": key_arn, "policy": {"Version": "2012-10-17",
                   "Statement": key_statements}})  # fmt: skip
        bucket = _res("arn:aws:s3:::ml-data-prod", "aws.s3.bucket", "ml-data-prod", {
            "bucket": "ml-data-prod", "encryption": {"sse_algorithm": "aws:kms", "kms_key_id": key_arn},
            "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": PARTNER},
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ml-data-prod/*"}]}})  # fmt: skip
        reader = _role("reader", [READ_DATA, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}])
        plain = _role("plain", [READ_DATA])  # may read S3 but has no kms:Decrypt
        return _granted(declared, [reader, plain, key, bucket]).principals(
            _asset(declared, "fraud-transactions")
        )

    delegating = world([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
                         "Resource": "*"}])  # fmt: skip
    assert delegating[f"arn:aws:iam::{ACCT}:role/reader"].decision == "allow"
    assert f"arn:aws:iam::{ACCT}:role/plain" not in delegating
    assert f"arn:aws:iam::{PARTNER}:root" not in delegating  # the key does not trust the partner
    # a key policy that names neither the account nor the role: IAM cannot grant its use
    closed = world(
        [{"Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "kms:Decrypt", "Resource": "*"}]
    )
    assert f"arn:aws:iam::{ACCT}:role/reader" not in closed
    assert closed[f"arn:aws:iam::{PARTNER}:root"].decision == "conditional-allow"


def test_scp_deny_removes_a_grant_for_the_accounts_it_targets(declared):
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::ml-data-prod/credit/*"}]}  # fmt: skip
    roles = [_role("reader", [READ_DATA])]
    scp = _res(
        "p-1",
        "aws.organizations.policy",
        "deny-credit",
        {"type": "SERVICE_CONTROL_POLICY", "policy": deny, "targets": [{"id": ACCT, "type": "ACCOUNT"}]},
    )
    g = _granted(declared, [*roles, scp])
    assert f"arn:aws:iam::{ACCT}:role/reader" not in g.principals(_asset(declared, "credit-applications"))
    assert g.principals(_asset(declared, "fraud-transactions"))[f"arn:aws:iam::{ACCT}:role/reader"]
    other = _res(
        "p-2",
        "aws.organizations.policy",
        "deny-credit",
        {
            "type": "SERVICE_CONTROL_POLICY",
            "policy": deny,
            "targets": [{"id": "999999999999", "type": "ACCOUNT"}],
        },
    )
    g = _granted(declared, [*roles, other])
    assert g.principals(_asset(declared, "credit-applications"))[f"arn:aws:iam::{ACCT}:role/reader"]
    # on the organization root it covers every account
    root = _res("p-3", "aws.organizations.policy", "deny-credit",
                {"type": "SERVICE_CONTROL_POLICY", "policy": deny, "targets": [{"id": "r-ab12", "type": "ROOT"}]})  # fmt: skip
    g = _granted(declared, [*roles, root])
    assert f"arn:aws:iam::{ACCT}:role/reader" not in g.principals(_asset(declared, "credit-applications"))


def test_gcp_bindings_on_the_bucket_and_above_it(declared):
    bucket = _res("//storage.googleapis.com/projects/_/buckets/ml-data-eu", "gcp.storage.bucket", "ml-data-eu", {
        "name": "ml-data-eu", "iam_members": [
            {"role": "roles/storage.objectViewer", "member": "user:a@x.example"},
            {"role": "roles/storage.objectViewer", "member": "allUsers"},
            {"role": "roles/storage.objectViewer", "member": "user:c@x.example",
             "condition": {"title": "t", "expression": "request.time < timestamp('2027-01-01T00:00:00Z')"}},
            {"role": "projects/ml-proj-eu/roles/reader", "member": "serviceAccount:d@p.iam.gserviceaccount.com"},
            {"role": "roles/storage.legacyBucketReader", "member": "user:e@x.example"}]}, account="ml-proj-eu")  # fmt: skip
    custom = _res("r", "gcp.iam.custom_role", "reader", {"role_id": "projects/ml-proj-eu/roles/reader",
                  "permissions": ["storage.objects.get"]}, account="ml-proj-eu")  # fmt: skip

    def binding(scope, ident, role, member):
        return _res(f"b-{scope}-{ident}-{member}", "gcp.iam.project_binding", "b", {
            "scope": scope, "scope_id": ident, "role": role, "members": [member], "condition": None})  # fmt: skip

    g = _granted(declared, [bucket, custom,
                            binding("project", "ml-proj-eu", "roles/storage.admin", "domain:x.example"),
                            binding("project", "other-proj", "roles/storage.admin", "user:f@x.example"),
                            binding("organization", "123", "roles/storage.objectViewer", "user:g@x.example"),
                            binding("project", "ml-proj-eu", "roles/storage.madeUpRole", "user:h@x.example")])  # fmt: skip
    grants = {p: gr.decision for p, gr in g.principals(_asset(declared, "credit-features")).items()}
    assert grants == {
        "user:a@x.example": "allow",
        "user:c@x.example": "conditional-allow",
        "serviceAccount:d@p.iam.gserviceaccount.com": "allow",  # the custom role, from the inventory
        "domain:x.example": "allow",
        "user:g@x.example": "conditional-allow",  # above the project: placement not known
        "user:h@x.example": "unknown",  # a role the catalogue does not know
    }
    assert covers("domain:x.example", "user:zed@x.example") and not covers(
        "domain:x.example", "user:z@y.example"
    )


def test_kubernetes_group_subjects(declared):
    role = _res("k8s:prod/credit-prod/Role/r", "k8s.role", "r", {"namespace": "credit-prod", "rules": [
        {"resources": ["secrets"], "verbs": ["get"], "resource_names": ["credit-db"]}]})  # fmt: skip
    binding = _res("k8s:prod/credit-prod/RoleBinding/b", "k8s.role_binding", "b", {"namespace": "credit-prod",
        "subjects": [{"kind": "Group", "name": "system:serviceaccounts:credit-prod"},
                     {"kind": "Group", "name": "system:authenticated"}, {"kind": "Group", "name": "ml-admins"}]})  # fmt: skip
    g = _granted(declared, [role, binding], [{"src": binding["uid"], "kind": "binds", "dst": role["uid"]}])
    grants = g.principals(_asset(declared, "credit-db"))
    assert set(grants) == {
        "system:serviceaccounts:credit-prod",
        "system:authenticated",
        "k8s-group:ml-admins",
    }
    assert covers("system:serviceaccounts:credit-prod", "system:serviceaccount:credit-prod:job")
    assert not covers("system:serviceaccounts:credit-prod", "system:serviceaccount:fraud-prod:job")
    assert covers("system:authenticated", "dave@example.com")
    assert covers("k8s-group:ml-admins", "dave@example.com") is None  # membership is not in the logs
