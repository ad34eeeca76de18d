"""AWS and GCP rules and their helpers, on hand-built canonical resources (independent of
the normalizers: the examples test covers those end to end)."""

from __future__ import annotations

import pytest

from rules.helpers.gcp import is_default_service_account
from rules.helpers.iam import (
    aws_managed_admin,
    passrole_on_any,
    principal_admin,
    resource_policy_public,
    trust_open_to_anyone,
    wildcard_admin,
    wildmatch,
)
from rules.loader import load_catalogue
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved, UnresolvedAccess
from scanner.normalize.iam_policy import normalize_policy

CATALOGUE = load_catalogue()
U = Unresolved("var.x")


def doc(*stmts) -> dict:
    return normalize_policy({"Version": "2012-10-17", "Statement": list(stmts)})


def res(type_: str, attrs: dict, uid: str = "r") -> Resource:
    return Resource(uid=uid, type=type_, provider=type_.split(".")[0], name=uid, attrs=attrs)


def verdict(rule_id: str, r: Resource, inv: Inventory | None = None) -> str:
    """The rule's overall verdict, with unresolved reads as UNKNOWN (as the engine does)."""
    rule = CATALOGUE.by_id[rule_id]
    inv = inv or Inventory()
    try:
        vs = rule.evaluate(r, inv)
    except UnresolvedAccess:
        return "unknown"
    statuses = {v.status for v in vs}
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


# -- IAM helpers ------------------------------------------------------------------------
def test_wildmatch_is_case_insensitive_and_honours_wildcards():
    assert wildmatch("iam:Pass*", "IAM:PassRole")
    assert wildmatch("s3:?etObject", "s3:GetObject")
    assert not wildmatch("s3:*", "iam:PassRole")
    assert not wildmatch("iam:PassRole[", "iam:PassRole")  # brackets are literal


@pytest.mark.parametrize(
    "stmt, want",
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "fail"),
        ({"Effect": "Allow", "Action": "*:*", "Resource": ["*"]}, "fail"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "fail"),
        ({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::x"}, "fail"),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, "pass"),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, "pass"),
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::models/*"}, "pass"),
        ({"Effect": "Allow", "Action": U, "Resource": "*"}, "unknown"),
        ({"Effect": "Allow", "Action": "*", "Resource": [U]}, "unknown"),
        ({"Effect": U, "Action": "*", "Resource": "*"}, "unknown"),
    ],
)
def test_wildcard_admin(stmt, want):
    assert wildcard_admin(doc(stmt)).verdict == want


def test_wildcard_admin_on_unresolved_document_is_unknown():
    assert wildcard_admin(U).verdict == "unknown"
    assert wildcard_admin({"Statement": [U]}).verdict == "unknown"


@pytest.mark.parametrize(
    "stmt, want",
    [
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, "fail"),
        ({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, "fail"),
        (
            {"Effect": "Allow", "Action": "iam:passrole", "Resource": "arn:aws:iam::123456789012:role/*"},
            "fail",
        ),
        ({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, "fail"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "pass"),  # left to wildcard_admin
        (
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/train"},
            "pass",
        ),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "pass"),
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": U}, "unknown"),
    ],
)
def test_passrole_on_any(stmt, want):
    assert passrole_on_any(doc(stmt)).verdict == want


ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole"}
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


@pytest.mark.parametrize(
    "extra, want",
    [
        ({"Principal": "*"}, "fail"),
        ({"Principal": {"AWS": "*"}}, "fail"),
        ({"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}}, "fail"),
        ({"Principal": {"AWS": "*"}, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, "fail"),
        ({"Principal": {"AWS": "*"}, "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}}}, "fail"),
        (
            {"Principal": {"AWS": "*"}, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-x"}}},
            "fail",
        ),
        ({"Principal": {"AWS": "*"}, "Condition": ORG}, "pass"),
        ({"Principal": {"Service": "sagemaker.amazonaws.com"}}, "pass"),
        ({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, "pass"),
        ({"Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": U}}}, "unknown"),
        ({"Principal": {"AWS": [U]}}, "unknown"),
    ],
)
def test_trust_open_to_anyone(extra, want):
    assert trust_open_to_anyone(doc({**ASSUME, **extra})).verdict == want


def test_trust_ignores_non_assume_actions_and_public_policy_does_not():
    stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Principal": "*", "Resource": "arn:aws:s3:::b/*"}
    assert trust_open_to_anyone(doc(stmt)).verdict == "pass"
    assert resource_policy_public(doc(stmt)).verdict == "fail"
    assert resource_policy_public(doc({**stmt, "Condition": ORG})).verdict == "pass"


def test_aws_managed_admin():
    assert aws_managed_admin("arn:aws:iam::aws:policy/AdministratorAccess") == "AdministratorAccess"
    assert aws_managed_admin("arn:aws-us-gov:iam::aws:policy/IAMFullAccess") == "IAMFullAccess"
    assert aws_managed_admin("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess") is None
    assert aws_managed_admin("arn:aws:iam::123456789012:policy/AdministratorAccess") is None
    assert aws_managed_admin(U) is None


TRUST = doc({**ASSUME, "Principal": {"Service": "lambda.amazonaws.com"}})
ADMIN_DOC = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCOPED_DOC = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})


def role(uid: str, **attrs) -> Resource:
    base = {"role_name": uid, "assume_role_policy": TRUST, "inline_policies": [], "managed_policy_arns": []}
    return res("aws.iam.role", {**base, **attrs}, uid)


def test_principal_admin_sees_managed_inline_and_attached_policies():
    inv = Inventory()
    pol = res(
        "aws.iam.policy",
        {"policy_name": "p", "document": ADMIN_DOC, "arn": "arn:aws:iam::123456789012:policy/p"},
        "tf:aws_iam_policy.p",
    )
    inv.add(pol)
    cases = {
        "managed": role("managed", managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"]),
        "inline": role("inline", inline_policies=[{"name": "i", "document": ADMIN_DOC}]),
        "by_ref": role("by_ref", managed_policy_arns=[Ref(pol.uid, "arn")]),
        "by_arn": role("by_arn", managed_policy_arns=["arn:aws:iam::123456789012:policy/p"]),
        "scoped": role("scoped", inline_policies=[{"name": "i", "document": SCOPED_DOC}]),
        "unreadable": role("unreadable", inline_policies=[{"name": "i", "document": U}]),
        "unresolved_arn": role("unresolved_arn", managed_policy_arns=[U]),
    }
    for r in cases.values():
        inv.add(r)
    got = {k: principal_admin(r, inv).verdict for k, r in cases.items()}
    assert got == {
        "managed": "fail",
        "inline": "fail",
        "by_ref": "fail",
        "by_arn": "fail",
        "scoped": "pass",
        "unreadable": "unknown",
        "unresolved_arn": "unknown",
    }


def test_default_service_accounts():
    assert is_default_service_account("123456789012-compute@developer.gserviceaccount.com")
    assert is_default_service_account("ml-prod@appspot.gserviceaccount.com")
    assert not is_default_service_account("runner@ml-prod.iam.gserviceaccount.com")


# -- execution-role rules, through the inventory ----------------------------------------
@pytest.mark.parametrize(
    "rule_id, type_, attr",
    [
        ("lambda-function-execution-role-not-admin", "aws.lambda.function", "role_arn"),
        ("sagemaker-execution-role-not-admin", "aws.sagemaker.notebook_instance", "role_arn"),
        ("sagemaker-execution-role-not-admin", "aws.sagemaker.model", "execution_role_arn"),
    ],
)
def test_execution_role_rules(rule_id, type_, attr):
    inv = Inventory()
    admin = role("tf:aws_iam_role.admin", managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    scoped = role("tf:aws_iam_role.scoped", inline_policies=[{"name": "i", "document": SCOPED_DOC}])
    inv.extend([admin, scoped])

    def subject(uid, value, target=None):
        r = res(type_, {attr: value}, uid)
        inv.add(r)
        if target:
            inv.relate(uid, "execution_role", target.uid, attr)
        return r

    assert verdict(rule_id, subject("a", Ref(admin.uid, "arn"), admin), inv) == "fail"
    assert verdict(rule_id, subject("b", Ref(scoped.uid, "arn"), scoped), inv) == "pass"
    assert verdict(rule_id, subject("c", "arn:aws:iam::123456789012:role/elsewhere"), inv) == "pass"
    assert verdict(rule_id, subject("d", U), inv) == "unknown"
    fails = CATALOGUE.by_id[rule_id].evaluate(inv.get("a"), inv)
    assert fails[0].at == attr and "AdministratorAccess" in fails[0].reason


# -- single-resource rules ----------------------------------------------------------------
NB, MODEL, EC, DOMAIN = (
    "aws.sagemaker.notebook_instance",
    "aws.sagemaker.model",
    "aws.sagemaker.endpoint_config",
    "aws.sagemaker.domain",
)
FN, URL, PERM, ROLE, POLICY, BUCKET = (
    "aws.lambda.function",
    "aws.lambda.function_url",
    "aws.lambda.permission",
    "aws.iam.role",
    "aws.iam.policy",
    "aws.s3.bucket",
)
EP, WB, RUN, GCF = (
    "gcp.vertex.endpoint",
    "gcp.vertex.workbench_instance",
    "gcp.run.service",
    "gcp.functions.function",
)


def secret(path: str) -> list[dict]:
    return [{"path": path, "kind": "aws-access-key-id", "fingerprint": "hmac:0", "line": 3}]


PAB = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}
PUBLIC_GET = doc(
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
)

VENDOR_TRUST = {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
}

CASES = [
    # -- SageMaker feature groups and model packages, Lambda layers (tests/test_sagemaker_more.py)
    (
        "sagemaker-feature-group-encrypted-with-cmk",
        "aws.sagemaker.feature_group",
        {"online_store_enabled": True, "online_kms_key_id": None, "offline_store_enabled": False},
        "fail",
    ),
    (
        "sagemaker-feature-group-encrypted-with-cmk",
        "aws.sagemaker.feature_group",
        {
            "online_store_enabled": True,
            "online_kms_key_id": "k",
            "offline_store_enabled": True,
            "offline_kms_key_id": "k",
        },
        "pass",
    ),
    (
        "sagemaker-model-package-requires-approval",
        "aws.sagemaker.model_package",
        {"model_approval_status": "Approved"},
        "fail",
    ),
    (
        "sagemaker-model-package-requires-approval",
        "aws.sagemaker.model_package",
        {"model_approval_status": "PendingManualApproval"},
        "pass",
    ),
    (
        "lambda-layer-not-public",
        "aws.lambda.layer_version",
        {"permissions": [{"principal": "*", "organization_id": None}]},
        "fail",
    ),
    (
        "lambda-layer-not-public",
        "aws.lambda.layer_version",
        {"permissions": [{"principal": "*", "organization_id": "o-a1b2c3d4e5"}]},
        "pass",
    ),
    (
        "lambda-function-layers-same-account",
        FN,
        {
            "role_arn": "arn:aws:iam::123456789012:role/fn",
            "layers": ["arn:aws:lambda:us-east-1:999988887777:layer:x:1"],
        },
        "fail",
    ),
    (
        "lambda-function-layers-same-account",
        FN,
        {
            "role_arn": "arn:aws:iam::123456789012:role/fn",
            "layers": ["arn:aws:lambda:us-east-1:123456789012:layer:x:1"],
        },
        "pass",
    ),
    ("sagemaker-notebook-root-access-disabled", NB, {}, "fail"),
    ("sagemaker-notebook-root-access-disabled", NB, {"root_access": False}, "pass"),
    ("sagemaker-notebook-root-access-disabled", NB, {"root_access": U}, "unknown"),
    ("sagemaker-notebook-encrypted-with-cmk", NB, {"kms_key_id": None}, "fail"),
    ("sagemaker-notebook-encrypted-with-cmk", NB, {"kms_key_id": Ref("tf:aws_kms_key.k", "arn")}, "pass"),
    ("sagemaker-notebook-in-vpc", NB, {}, "fail"),
    ("sagemaker-notebook-in-vpc", NB, {"subnet_id": "subnet-1"}, "pass"),
    ("sagemaker-notebook-imdsv2-required", NB, {"imds_min_version": "1"}, "fail"),
    ("sagemaker-notebook-imdsv2-required", NB, {"imds_min_version": "2"}, "pass"),
    (
        "sagemaker-lifecycle-config-no-secrets",
        "aws.sagemaker.notebook_lifecycle_config",
        {"on_start": "[REDACTED:aws-access-key-id]", "secrets": secret("on_start")},
        "fail",
    ),
    (
        "sagemaker-lifecycle-config-no-secrets",
        "aws.sagemaker.notebook_lifecycle_config",
        {"on_start": "pip install x", "secrets": []},
        "pass",
    ),
    (
        "sagemaker-lifecycle-config-no-secrets",
        "aws.sagemaker.notebook_lifecycle_config",
        {"on_start": U, "secrets": []},
        "unknown",
    ),
    ("sagemaker-model-network-isolation", MODEL, {}, "fail"),
    ("sagemaker-model-network-isolation", MODEL, {"enable_network_isolation": True}, "pass"),
    ("sagemaker-model-in-vpc", MODEL, {"vpc_config": None}, "fail"),
    (
        "sagemaker-model-in-vpc",
        MODEL,
        {"vpc_config": {"subnet_ids": ["s"], "security_group_ids": ["g"]}},
        "pass",
    ),
    (
        "sagemaker-model-env-no-secrets",
        MODEL,
        {
            "containers": [{"environment": {"K": "[REDACTED:x]"}}],
            "secrets": secret("containers[0].environment.K"),
        },
        "fail",
    ),
    (
        "sagemaker-model-env-no-secrets",
        MODEL,
        {"containers": [{"environment": {"A": "b"}}], "secrets": []},
        "pass",
    ),
    ("sagemaker-endpoint-config-encrypted-with-cmk", EC, {}, "fail"),
    (
        "sagemaker-endpoint-config-encrypted-with-cmk",
        EC,
        {"kms_key_id": "arn:aws:kms:us-east-1:1:key/k"},
        "pass",
    ),
    ("sagemaker-endpoint-config-data-capture-enabled", EC, {"data_capture": None}, "fail"),
    ("sagemaker-endpoint-config-data-capture-enabled", EC, {"data_capture": {"enabled": False}}, "fail"),
    ("sagemaker-endpoint-config-data-capture-enabled", EC, {"data_capture": {"enabled": True}}, "pass"),
    ("sagemaker-domain-vpc-only", DOMAIN, {"app_network_access_type": "PublicInternetOnly"}, "fail"),
    ("sagemaker-domain-vpc-only", DOMAIN, {"app_network_access_type": "VpcOnly"}, "pass"),
    ("sagemaker-domain-encrypted-with-cmk", DOMAIN, {}, "fail"),
    ("sagemaker-domain-encrypted-with-cmk", DOMAIN, {"kms_key_id": "k"}, "pass"),
    (
        "lambda-function-env-no-secrets",
        FN,
        {"environment": {"K": "[REDACTED:x]"}, "secrets": secret("environment.K")},
        "fail",
    ),
    ("lambda-function-env-no-secrets", FN, {"environment": {"A": "b"}, "secrets": []}, "pass"),
    ("lambda-function-env-no-secrets", FN, {"environment": U, "secrets": []}, "unknown"),
    ("lambda-function-env-encrypted-with-cmk", FN, {"environment": {"A": "b"}}, "fail"),
    ("lambda-function-env-encrypted-with-cmk", FN, {"environment": {}}, "pass"),
    ("lambda-function-env-encrypted-with-cmk", FN, {"environment": {"A": "b"}, "kms_key_arn": "k"}, "pass"),
    ("lambda-function-env-encrypted-with-cmk", FN, {"environment": {"A": "b"}, "kms_key_arn": U}, "unknown"),
    ("lambda-function-tracing-active", FN, {"tracing_mode": "PassThrough"}, "fail"),
    ("lambda-function-tracing-active", FN, {"tracing_mode": "Active"}, "pass"),
    ("lambda-function-in-vpc", FN, {}, "fail"),
    ("lambda-function-in-vpc", FN, {"vpc_config": {"subnet_ids": ["s"], "security_group_ids": []}}, "pass"),
    ("lambda-function-url-auth-required", URL, {"auth_type": "NONE"}, "fail"),
    ("lambda-function-url-auth-required", URL, {"auth_type": "AWS_IAM"}, "pass"),
    ("lambda-function-url-auth-required", URL, {"auth_type": U}, "unknown"),
    ("lambda-function-url-cors-restricted", URL, {"cors": {"allow_origins": ["*"]}}, "fail"),
    ("lambda-function-url-cors-restricted", URL, {"cors": {"allow_origins": ["https://a.example"]}}, "pass"),
    ("lambda-function-url-cors-restricted", URL, {"cors": None}, "pass"),
    ("lambda-permission-not-public", PERM, {"principal": "*"}, "fail"),
    ("lambda-permission-not-public", PERM, {"principal": "*", "source_account": "123456789012"}, "pass"),
    ("lambda-permission-not-public", PERM, {"principal": "*", "source_arn": U}, "unknown"),
    ("lambda-permission-not-public", PERM, {"principal": "s3.amazonaws.com"}, "pass"),
    ("iam-role-trust-not-public", ROLE, {"assume_role_policy": doc({**ASSUME, "Principal": "*"})}, "fail"),
    ("iam-role-trust-not-public", ROLE, {"assume_role_policy": TRUST}, "pass"),
    ("iam-role-trust-not-public", ROLE, {"assume_role_policy": U}, "unknown"),
    ("iam-policy-no-admin-wildcard", POLICY, {"document": ADMIN_DOC}, "fail"),
    ("iam-policy-no-admin-wildcard", POLICY, {"document": SCOPED_DOC}, "pass"),
    (
        "iam-policy-no-admin-wildcard",
        ROLE,
        {"inline_policies": [{"name": "a", "document": SCOPED_DOC}, {"name": "b", "document": ADMIN_DOC}]},
        "fail",
    ),
    ("iam-policy-no-admin-wildcard", ROLE, {"inline_policies": [{"name": "a", "document": U}]}, "unknown"),
    ("iam-policy-no-admin-wildcard", ROLE, {"inline_policies": []}, "pass"),
    (
        "iam-policy-no-passrole-on-any-resource",
        POLICY,
        {"document": doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})},
        "fail",
    ),
    ("iam-policy-no-passrole-on-any-resource", POLICY, {"document": SCOPED_DOC}, "pass"),
    ("s3-bucket-public-access-blocked", BUCKET, {"public_access_block": None}, "fail"),
    (
        "s3-bucket-public-access-blocked",
        BUCKET,
        {"public_access_block": {**PAB, "block_public_policy": False}},
        "fail",
    ),
    ("s3-bucket-public-access-blocked", BUCKET, {"public_access_block": PAB}, "pass"),
    ("s3-bucket-not-public", BUCKET, {"acl": "public-read"}, "fail"),
    ("s3-bucket-not-public", BUCKET, {"acl": "private", "policy": PUBLIC_GET}, "fail"),
    ("s3-bucket-not-public", BUCKET, {"acl": "private", "policy": SCOPED_DOC}, "pass"),
    ("s3-bucket-not-public", BUCKET, {"policy": U}, "unknown"),
    (
        "cloudformation-parameter-defaults-no-secrets",
        "aws.cloudformation.stack",
        {
            "parameters": {"K": {"type": "String", "default": "[REDACTED:x]"}},
            "secrets": secret("parameters.K.default"),
        },
        "fail",
    ),
    (
        "cloudformation-parameter-defaults-no-secrets",
        "aws.cloudformation.stack",
        {"parameters": {"M": {"type": "String", "default": "resnet"}}, "secrets": []},
        "pass",
    ),
    ("vertex-endpoint-private", EP, {}, "fail"),
    ("vertex-endpoint-private", EP, {"network": "projects/1/global/networks/v"}, "pass"),
    ("vertex-endpoint-private", EP, {"private_service_connect": True}, "pass"),
    ("vertex-endpoint-encrypted-with-cmek", EP, {}, "fail"),
    (
        "vertex-endpoint-encrypted-with-cmek",
        EP,
        {"encryption_key": "projects/p/locations/l/keyRings/r/cryptoKeys/k"},
        "pass",
    ),
    ("vertex-workbench-no-public-ip", WB, {"no_public_ip": False}, "fail"),
    ("vertex-workbench-no-public-ip", WB, {"no_public_ip": True}, "pass"),
    ("vertex-workbench-disk-encrypted-with-cmek", WB, {}, "fail"),
    ("vertex-workbench-disk-encrypted-with-cmek", WB, {"disk_encryption_key": "k"}, "pass"),
    ("vertex-workbench-not-default-service-account", WB, {"service_account": None}, "fail"),
    (
        "vertex-workbench-not-default-service-account",
        WB,
        {"service_account": "1-compute@developer.gserviceaccount.com"},
        "fail",
    ),
    (
        "vertex-workbench-not-default-service-account",
        WB,
        {"service_account": Ref("tf:google_service_account.s")},
        "pass",
    ),
    ("vertex-workbench-not-default-service-account", WB, {"service_account": U}, "unknown"),
    # Vertex AI data, Vector Search, managed notebook runtimes, Cloud Storage, Cloud KMS
    ("vertex-dataset-encrypted-with-cmek", "gcp.vertex.dataset", {}, "fail"),
    ("vertex-dataset-encrypted-with-cmek", "gcp.vertex.dataset", {"encryption_key": "k"}, "pass"),
    ("vertex-dataset-encrypted-with-cmek", "gcp.vertex.dataset", {"encryption_key": U}, "unknown"),
    ("vertex-metadata-store-encrypted-with-cmek", "gcp.vertex.metadata_store", {}, "fail"),
    (
        "vertex-metadata-store-encrypted-with-cmek",
        "gcp.vertex.metadata_store",
        {"encryption_key": "k"},
        "pass",
    ),
    ("vertex-featurestore-encrypted-with-cmek", "gcp.vertex.featurestore", {"encryption_key": None}, "fail"),
    ("vertex-featurestore-encrypted-with-cmek", "gcp.vertex.featurestore", {"encryption_key": "k"}, "pass"),
    ("vertex-tensorboard-encrypted-with-cmek", "gcp.vertex.tensorboard", {}, "fail"),
    ("vertex-tensorboard-encrypted-with-cmek", "gcp.vertex.tensorboard", {"encryption_key": "k"}, "pass"),
    ("vertex-index-endpoint-private", "gcp.vertex.index_endpoint", {}, "fail"),
    (
        "vertex-index-endpoint-private",
        "gcp.vertex.index_endpoint",
        {"public_endpoint_enabled": True, "network": "projects/1/global/networks/v"},
        "fail",
    ),
    ("vertex-index-endpoint-private", "gcp.vertex.index_endpoint", {"network": "n"}, "pass"),
    ("vertex-index-endpoint-private", "gcp.vertex.index_endpoint", {"private_service_connect": True}, "pass"),
    ("vertex-index-endpoint-private", "gcp.vertex.index_endpoint", {"public_endpoint_enabled": U}, "unknown"),
    ("vertex-notebook-runtime-encrypted-with-cmek", "gcp.vertex.notebook_runtime", {}, "fail"),
    (
        "vertex-notebook-runtime-encrypted-with-cmek",
        "gcp.vertex.notebook_runtime",
        {"disk_encryption_key": "k"},
        "pass",
    ),
    ("vertex-notebook-runtime-private", "gcp.vertex.notebook_runtime", {"no_public_ip": False}, "fail"),
    ("vertex-notebook-runtime-private", "gcp.vertex.notebook_runtime", {"no_public_ip": True}, "pass"),
    ("vertex-notebook-runtime-private", "gcp.vertex.notebook_runtime", {"no_public_ip": U}, "unknown"),
    ("vertex-workbench-shielded-vtpm-enabled", WB, {"shielded_vtpm": False}, "fail"),
    ("vertex-workbench-shielded-vtpm-enabled", WB, {"shielded_vtpm": True}, "pass"),
    (
        "vertex-workbench-shielded-vtpm-enabled",
        "gcp.vertex.notebook_runtime",
        {"shielded_vtpm": False},
        "fail",
    ),
    (
        "vertex-workbench-shielded-integrity-monitoring-enabled",
        WB,
        {"shielded_integrity_monitoring": False},
        "fail",
    ),
    (
        "vertex-workbench-shielded-integrity-monitoring-enabled",
        WB,
        {"shielded_integrity_monitoring": True},
        "pass",
    ),
    (
        "gcs-bucket-not-public",
        "gcp.storage.bucket",
        {"iam_members": [{"role": "r", "member": "allUsers"}]},
        "fail",
    ),
    (
        "gcs-bucket-not-public",
        "gcp.storage.bucket",
        {"iam_members": [{"role": U, "member": U}, {"role": U, "member": "allAuthenticatedUsers"}]},
        "fail",
    ),
    (
        "gcs-bucket-not-public",
        "gcp.storage.bucket",
        {"iam_members": [{"role": "roles/storage.objectViewer", "member": "group:ml@example.com"}]},
        "pass",
    ),
    ("gcs-bucket-not-public", "gcp.storage.bucket", {"iam_members": []}, "pass"),
    ("gcs-bucket-not-public", "gcp.storage.bucket", {"iam_members": [U]}, "unknown"),
    ("gcs-bucket-not-public", "gcp.storage.bucket", {"iam_members": [{"role": "r", "member": U}]}, "unknown"),
    ("gcs-bucket-uniform-access", "gcp.storage.bucket", {"uniform_bucket_level_access": False}, "fail"),
    ("gcs-bucket-uniform-access", "gcp.storage.bucket", {"uniform_bucket_level_access": True}, "pass"),
    (
        "gcs-bucket-public-access-prevention-enforced",
        "gcp.storage.bucket",
        {"public_access_prevention": "inherited"},
        "fail",
    ),
    (
        "gcs-bucket-public-access-prevention-enforced",
        "gcp.storage.bucket",
        {"public_access_prevention": "enforced"},
        "pass",
    ),
    ("kms-crypto-key-rotation-90-days", "gcp.kms.crypto_key", {"rotation_period_seconds": None}, "fail"),
    ("kms-crypto-key-rotation-90-days", "gcp.kms.crypto_key", {"rotation_period_seconds": 7776001}, "fail"),
    ("kms-crypto-key-rotation-90-days", "gcp.kms.crypto_key", {"rotation_period_seconds": 7776000}, "pass"),
    (
        "kms-crypto-key-rotation-90-days",
        "gcp.kms.crypto_key",
        {"purpose": "ASYMMETRIC_SIGN", "rotation_period_seconds": None},
        "pass",
    ),
    ("kms-crypto-key-rotation-90-days", "gcp.kms.crypto_key", {"rotation_period_seconds": U}, "unknown"),
    ("cloudrun-service-not-public", RUN, {"invoker_members": ["allUsers"]}, "fail"),
    ("cloudrun-service-not-public", RUN, {"invoker_members": [U, "allAuthenticatedUsers"]}, "fail"),
    ("cloudrun-service-not-public", RUN, {"invoker_members": ["user:a@example.com"]}, "pass"),
    ("cloudrun-service-not-public", RUN, {"invoker_members": [U]}, "unknown"),
    ("cloudrun-service-ingress-restricted", RUN, {"ingress": "all"}, "fail"),
    ("cloudrun-service-ingress-restricted", RUN, {"ingress": "internal"}, "pass"),
    ("cloudrun-service-not-default-service-account", RUN, {}, "fail"),
    (
        "cloudrun-service-not-default-service-account",
        RUN,
        {"service_account": "r@p.iam.gserviceaccount.com"},
        "pass",
    ),
    (
        "cloudrun-service-env-no-secrets",
        RUN,
        {"containers": [{"env": {"K": "[REDACTED:x]"}}], "secrets": secret("containers[0].env.K")},
        "fail",
    ),
    ("cloudrun-service-env-no-secrets", RUN, {"containers": [{"env": {}}], "secrets": []}, "pass"),
    ("cloudfunctions-function-not-public", GCF, {"invoker_members": ["allUsers"]}, "fail"),
    ("cloudfunctions-function-not-public", GCF, {"invoker_members": []}, "pass"),
    ("cloudfunctions-function-ingress-restricted", GCF, {}, "fail"),
    ("cloudfunctions-function-ingress-restricted", GCF, {"ingress_settings": "ALLOW_INTERNAL_ONLY"}, "pass"),
    ("cloudfunctions-function-https-only", GCF, {"generation": "v1", "https_trigger": True}, "fail"),
    (
        "cloudfunctions-function-https-only",
        GCF,
        {"generation": "v1", "https_trigger": True, "https_security_level": "SECURE_ALWAYS"},
        "pass",
    ),
    ("cloudfunctions-function-https-only", GCF, {"generation": "v2", "https_trigger": True}, "pass"),
    ("cloudfunctions-function-https-only", GCF, {"generation": "v1", "https_trigger": False}, "pass"),
    (
        "cloudfunctions-function-env-no-secrets",
        GCF,
        {"environment": {"K": "[REDACTED:x]"}, "secrets": secret("environment.K")},
        "fail",
    ),
    ("cloudfunctions-function-env-no-secrets", GCF, {"environment": {}, "secrets": []}, "pass"),
    # the rest of GCP (mapping and relation-following cases in test_gcp_more.py)
    ("cloudrun-service-encrypted-with-cmek", RUN, {"encryption_key": None}, "fail"),
    ("cloudrun-service-encrypted-with-cmek", RUN, {"encryption_key": "projects/p/k"}, "pass"),
    ("cloudrun-service-encrypted-with-cmek", RUN, {"encryption_key": U}, "unknown"),
    ("cloudrun-job-not-default-service-account", "gcp.run.job", {}, "fail"),
    (
        "cloudrun-job-not-default-service-account",
        "gcp.run.job",
        {"service_account": "1234-compute@developer.gserviceaccount.com"},
        "fail",
    ),
    (
        "cloudrun-job-not-default-service-account",
        "gcp.run.job",
        {"service_account": "job@p.iam.gserviceaccount.com"},
        "pass",
    ),
    (
        "cloudrun-job-env-no-secrets",
        "gcp.run.job",
        {"containers": [{"env": {"K": "[REDACTED:x]"}}], "secrets": secret("containers[0].env.K")},
        "fail",
    ),
    ("cloudrun-job-env-no-secrets", "gcp.run.job", {"containers": [{"env": {}}], "secrets": []}, "pass"),
    ("cloudrun-job-env-no-secrets", "gcp.run.job", {"containers": U, "secrets": []}, "unknown"),
    (
        "artifactregistry-repository-not-public",
        "gcp.artifactregistry.repository",
        {"iam_members": [{"role": "roles/artifactregistry.reader", "member": "allUsers"}]},
        "fail",
    ),
    (
        "artifactregistry-repository-not-public",
        "gcp.artifactregistry.repository",
        {"iam_members": [{"role": "roles/artifactregistry.reader", "member": "user:a@example.com"}]},
        "pass",
    ),
    (
        "artifactregistry-repository-not-public",
        "gcp.artifactregistry.repository",
        {"iam_members": [U]},
        "unknown",
    ),
    ("artifactregistry-repository-encrypted-with-cmek", "gcp.artifactregistry.repository", {}, "fail"),
    (
        "artifactregistry-repository-encrypted-with-cmek",
        "gcp.artifactregistry.repository",
        {"kms_key_name": "k"},
        "pass",
    ),
    (
        "secretmanager-secret-rotation-configured",
        "gcp.secretmanager.secret",
        {"rotation_period": None},
        "fail",
    ),
    (
        "secretmanager-secret-rotation-configured",
        "gcp.secretmanager.secret",
        {"rotation_period": "7776000s"},
        "pass",
    ),
    (
        "secretmanager-secret-rotation-configured",
        "gcp.secretmanager.secret",
        {"rotation_period": U},
        "unknown",
    ),
    (
        "gcp-audit-logs-data-access-for-ml",
        "gcp.logging.audit_config",
        {"project": "p", "service": "allServices", "log_types": ["DATA_READ", "DATA_WRITE"]},
        "pass",
    ),
    (
        "gcp-audit-logs-data-access-for-ml",
        "gcp.logging.audit_config",
        {"project": "p", "service": "allServices", "log_types": ["ADMIN_READ", "DATA_READ"]},
        "fail",
    ),
    (
        "gcp-audit-logs-data-access-for-ml",
        "gcp.logging.audit_config",
        {"project": "p", "service": "aiplatform.googleapis.com", "log_types": ["DATA_READ", "DATA_WRITE"]},
        "fail",
    ),
    (
        "gcp-audit-logs-data-access-for-ml",
        "gcp.logging.audit_config",
        {"project": "p", "service": U, "log_types": ["DATA_READ", "DATA_WRITE"]},
        "unknown",
    ),
    ("vertex-endpoint-request-response-logging", EP, {"request_response_logging": False}, "fail"),
    ("vertex-endpoint-request-response-logging", EP, {"request_response_logging": True}, "pass"),
    ("vertex-endpoint-request-response-logging", EP, {"request_response_logging": U}, "unknown"),
    # governance (more cases, and the inventory-following rules, in test_governance_aws_gcp.py)
    (
        "secretsmanager-secret-rotation-enabled",
        "aws.secretsmanager.secret",
        {"rotation_enabled": False},
        "fail",
    ),
    (
        "secretsmanager-secret-rotation-enabled",
        "aws.secretsmanager.secret",
        {"rotation_enabled": True, "rotation_days": 30},
        "pass",
    ),
    ("iam-user-no-access-keys-for-pipelines", "aws.iam.user", {"access_keys": 1}, "fail"),
    ("iam-user-no-access-keys-for-pipelines", "aws.iam.user", {"access_keys": 0}, "pass"),
    ("sagemaker-gpu-notebook-idle-shutdown", NB, {"instance_type": "ml.g5.xlarge"}, "fail"),
    ("sagemaker-gpu-notebook-idle-shutdown", NB, {"instance_type": "ml.t3.medium"}, "pass"),
    ("gcp-workbench-gpu-idle-shutdown", WB, {"accelerators": [{"type": "NVIDIA_L4", "count": 1}]}, "fail"),
    ("gcp-workbench-gpu-idle-shutdown", WB, {"accelerators": []}, "pass"),
    # AWS supporting services (mapping and relation-following cases in test_aws_supporting.py)
    ("ecr-repository-scan-on-push", "aws.ecr.repository", {"scan_on_push": False}, "fail"),
    ("ecr-repository-scan-on-push", "aws.ecr.repository", {"scan_on_push": True}, "pass"),
    ("ecr-repository-scan-on-push", "aws.ecr.repository", {"scan_on_push": U}, "unknown"),
    ("ecr-repository-tags-immutable", "aws.ecr.repository", {"image_tag_mutability": "MUTABLE"}, "fail"),
    ("ecr-repository-tags-immutable", "aws.ecr.repository", {"image_tag_mutability": "IMMUTABLE"}, "pass"),
    ("ecr-repository-encrypted-with-cmk", "aws.ecr.repository", {"encryption_type": "AES256"}, "fail"),
    ("ecr-repository-encrypted-with-cmk", "aws.ecr.repository", {"encryption_type": "KMS"}, "fail"),
    (
        "ecr-repository-encrypted-with-cmk",
        "aws.ecr.repository",
        {"encryption_type": "KMS", "kms_key": Ref("tf:aws_kms_key.k", "arn")},
        "pass",
    ),
    ("kms-key-rotation-enabled", "aws.kms.key", {"enable_key_rotation": False}, "fail"),
    ("kms-key-rotation-enabled", "aws.kms.key", {"enable_key_rotation": True}, "pass"),
    (
        "kms-key-rotation-enabled",
        "aws.kms.key",
        {"key_spec": "RSA_2048", "enable_key_rotation": False},
        "pass",
    ),
    ("logs-log-group-retention-set", "aws.logs.log_group", {"retention_in_days": None}, "fail"),
    ("logs-log-group-retention-set", "aws.logs.log_group", {"retention_in_days": 90}, "pass"),
    ("logs-log-group-retention-set", "aws.logs.log_group", {"retention_in_days": U}, "unknown"),
    ("logs-log-group-encrypted-with-cmk", "aws.logs.log_group", {"kms_key_id": None}, "fail"),
    ("logs-log-group-encrypted-with-cmk", "aws.logs.log_group", {"kms_key_id": "arn:aws:kms:x"}, "pass"),
    ("cloudtrail-logs-lambda-and-s3-data-events", "aws.cloudtrail.trail", {"data_events": []}, "fail"),
    (
        "cloudtrail-logs-lambda-and-s3-data-events",
        "aws.cloudtrail.trail",
        {
            "data_events": [
                {"resource_type": "AWS::S3::Object", "values": ["arn:aws:s3"], "read_write": "All"},
                {"resource_type": "AWS::Lambda::Function", "values": [], "read_write": "All"},
            ]
        },
        "pass",
    ),
    (
        "cloudtrail-logs-lambda-and-s3-data-events",
        "aws.cloudtrail.trail",
        {"data_events": [U]},
        "unknown",
    ),
    (
        "cloudtrail-multi-region-and-validated",
        "aws.cloudtrail.trail",
        {"is_multi_region": True, "log_file_validation": False},
        "fail",
    ),
    (
        "cloudtrail-multi-region-and-validated",
        "aws.cloudtrail.trail",
        {"is_multi_region": True, "log_file_validation": True},
        "pass",
    ),
    # Bedrock (mapping and more cases in test_bedrock.py)
    ("bedrock-agent-encrypted-with-cmk", "aws.bedrock.agent", {"customer_encryption_key_arn": None}, "fail"),
    ("bedrock-agent-encrypted-with-cmk", "aws.bedrock.agent", {"customer_encryption_key_arn": "k"}, "pass"),
    ("bedrock-agent-has-guardrail", "aws.bedrock.agent", {"guardrail": None}, "fail"),
    ("bedrock-agent-has-guardrail", "aws.bedrock.agent", {"guardrail": {"id": "g", "version": "1"}}, "pass"),
    (
        "bedrock-guardrail-prompt-attack-filter",
        "aws.bedrock.guardrail",
        {"prompt_attack_filter": False},
        "fail",
    ),
    (
        "bedrock-guardrail-prompt-attack-filter",
        "aws.bedrock.guardrail",
        {"prompt_attack_filter": True},
        "pass",
    ),
    (
        "bedrock-guardrail-sensitive-information-filter",
        "aws.bedrock.guardrail",
        {"sensitive_information": False},
        "fail",
    ),
    (
        "bedrock-guardrail-sensitive-information-filter",
        "aws.bedrock.guardrail",
        {"sensitive_information": True},
        "pass",
    ),
    ("bedrock-guardrail-encrypted-with-cmk", "aws.bedrock.guardrail", {"kms_key_arn": None}, "fail"),
    ("bedrock-guardrail-encrypted-with-cmk", "aws.bedrock.guardrail", {"kms_key_arn": "k"}, "pass"),
    (
        "bedrock-invocation-logging-enabled",
        "aws.bedrock.invocation_logging",
        {"text_data_delivery": True, "s3_enabled": False, "cloudwatch_enabled": False},
        "fail",
    ),
    (
        "bedrock-invocation-logging-enabled",
        "aws.bedrock.invocation_logging",
        {"text_data_delivery": True, "s3_enabled": True},
        "pass",
    ),
    ("bedrock-custom-model-encrypted-with-cmk", "aws.bedrock.custom_model", {}, "fail"),
    (
        "bedrock-custom-model-encrypted-with-cmk",
        "aws.bedrock.custom_model",
        {"custom_model_kms_key_id": "k"},
        "pass",
    ),
    # SageMaker jobs (mapping and more cases in test_sagemaker_jobs.py)
    ("sagemaker-training-job-network-isolation", "aws.sagemaker.training_job", {}, "fail"),
    (
        "sagemaker-training-job-network-isolation",
        "aws.sagemaker.training_job",
        {"enable_network_isolation": True},
        "pass",
    ),
    ("sagemaker-training-job-in-vpc", "aws.sagemaker.training_job", {"vpc_config": None}, "fail"),
    (
        "sagemaker-training-job-in-vpc",
        "aws.sagemaker.training_job",
        {"vpc_config": {"subnet_ids": ["subnet-1"], "security_group_ids": []}},
        "pass",
    ),
    ("sagemaker-training-job-intercontainer-encryption", "aws.sagemaker.training_job", {}, "fail"),
    (
        "sagemaker-training-job-intercontainer-encryption",
        "aws.sagemaker.training_job",
        {"enable_inter_container_traffic_encryption": True},
        "pass",
    ),
    (
        "sagemaker-training-job-volume-and-output-encrypted",
        "aws.sagemaker.training_job",
        {"volume_kms_key_id": "k", "output_kms_key_id": None},
        "fail",
    ),
    (
        "sagemaker-training-job-volume-and-output-encrypted",
        "aws.sagemaker.training_job",
        {"volume_kms_key_id": "k", "output_kms_key_id": "k"},
        "pass",
    ),
    (
        "sagemaker-job-no-secrets",
        "aws.sagemaker.training_job",
        {"hyperparameters": {"k": "[REDACTED:aws-access-key-id]"}, "secrets": secret("hyperparameters.k")},
        "fail",
    ),
    ("sagemaker-job-no-secrets", "aws.sagemaker.processing_job", {"environment": {}, "secrets": []}, "pass"),
    ("sagemaker-job-no-secrets", "aws.sagemaker.transform_job", {"environment": U}, "unknown"),
    ("sagemaker-data-quality-job-encrypted", "aws.sagemaker.data_quality_job_definition", {}, "fail"),
    (
        "sagemaker-data-quality-job-encrypted",
        "aws.sagemaker.data_quality_job_definition",
        {"output_kms_key_id": "k", "volume_kms_key_id": "k"},
        "pass",
    ),
    (
        "sagemaker-data-quality-job-intercontainer-encryption",
        "aws.sagemaker.data_quality_job_definition",
        {"enable_inter_container_traffic_encryption": False},
        "fail",
    ),
    (
        "sagemaker-data-quality-job-intercontainer-encryption",
        "aws.sagemaker.data_quality_job_definition",
        {"enable_inter_container_traffic_encryption": True},
        "pass",
    ),
    # supply chain, availability, API Gateway routes (more in test_supply_chain.py)
    ("sagemaker-model-image-pinned", "aws.sagemaker.model", {"containers": [{"image": "r/serve:1"}]}, "fail"),
    (
        "sagemaker-model-image-pinned",
        "aws.sagemaker.model",
        {"containers": [{"image": "r/s@sha256:" + "a" * 64}]},
        "pass",
    ),
    ("sagemaker-model-image-pinned", "aws.sagemaker.model", {"containers": [{"image": U}]}, "unknown"),
    ("lambda-function-code-signing", FN, {"code_signing_config_arn": None}, "fail"),
    ("lambda-function-code-signing", FN, {"code_signing_config_arn": "arn:csc"}, "pass"),
    ("lambda-function-dead-letter-queue", FN, {"dead_letter_target_arn": None}, "fail"),
    ("lambda-function-dead-letter-queue", FN, {"dead_letter_target_arn": "arn:sqs"}, "pass"),
    ("lambda-function-reserved-concurrency", FN, {"reserved_concurrency": None}, "fail"),
    ("lambda-function-reserved-concurrency", FN, {"reserved_concurrency": 0}, "pass"),
    (
        "sagemaker-endpoint-config-multi-instance",
        "aws.sagemaker.endpoint_config",
        {"production_variants": [{"initial_instance_count": 1, "serverless": False}]},
        "fail",
    ),
    (
        "sagemaker-endpoint-config-multi-instance",
        "aws.sagemaker.endpoint_config",
        {"production_variants": [{"initial_instance_count": None, "serverless": True}]},
        "pass",
    ),
    (
        "iam-role-trust-cross-account-external-id",
        ROLE,
        {"assume_role_policy": doc(VENDOR_TRUST)},
        "fail",
    ),
    (
        "iam-role-trust-cross-account-external-id",
        ROLE,
        {
            "assume_role_policy": doc(
                {**VENDOR_TRUST, "Condition": {"StringEquals": {"sts:ExternalId": "x1"}}}
            )
        },
        "pass",
    ),
    (
        "iam-role-trust-cross-account-external-id",
        ROLE,
        {"arn": "arn:aws:iam::444455556666:role/r", "assume_role_policy": doc(VENDOR_TRUST)},
        "pass",
    ),
    ("iam-role-trust-cross-account-external-id", ROLE, {"assume_role_policy": U}, "unknown"),
    ("cloudfunctions-function-not-default-service-account", GCF, {"service_account": None}, "fail"),
    (
        "cloudfunctions-function-not-default-service-account",
        GCF,
        {"service_account": "fn@ml-prod.iam.gserviceaccount.com"},
        "pass",
    ),
    (
        "apigateway-route-to-model-authorized",
        "aws.apigateway.rest_method",
        {"authorization": "NONE", "api_key_required": False, "integration_target": "sagemaker"},
        "fail",
    ),
    (
        "apigateway-route-to-model-authorized",
        "aws.apigateway.http_route",
        {"authorization": "JWT", "api_key_required": False, "integration_target": "lambda"},
        "pass",
    ),
    (
        "apigateway-route-to-model-authorized",
        "aws.apigateway.http_route",
        {"authorization": "NONE", "api_key_required": False, "integration_target": U},
        "unknown",
    ),
    (
        "sagemaker-vpc-only-domain-has-runtime-endpoints",
        "aws.sagemaker.domain",
        {"app_network_access_type": "VpcOnly", "vpc_id": "vpc-1"},
        "fail",
    ),
    (
        "sagemaker-vpc-only-domain-has-runtime-endpoints",
        "aws.sagemaker.domain",
        {"app_network_access_type": "PublicInternetOnly", "vpc_id": "vpc-1"},
        "pass",
    ),
    (
        "sagemaker-vpc-only-domain-has-runtime-endpoints",
        "aws.sagemaker.domain",
        {"app_network_access_type": "VpcOnly", "vpc_id": U},
        "unknown",
    ),
    # -- live GCP types: models, jobs, runtime templates, custom roles, keys, secrets (tests/test_live_gcp_gaps.py)
    ("vertex-model-encrypted-with-cmek", "gcp.vertex.model", {"encryption_key": None}, "fail"),
    ("vertex-model-encrypted-with-cmek", "gcp.vertex.model", {"encryption_key": "projects/p/k"}, "pass"),
    ("vertex-job-encrypted-with-cmek", "gcp.vertex.pipeline_job", {"encryption_key": None}, "fail"),
    ("vertex-job-encrypted-with-cmek", "gcp.vertex.custom_job", {"encryption_key": "projects/p/k"}, "pass"),
    ("vertex-job-dedicated-service-account", "gcp.vertex.custom_job", {"service_account": None}, "fail"),
    (
        "vertex-job-dedicated-service-account",
        "gcp.vertex.pipeline_job",
        {"service_account": "1-compute@developer.gserviceaccount.com"},
        "fail",
    ),
    (
        "vertex-job-dedicated-service-account",
        "gcp.vertex.pipeline_job",
        {"service_account": "pipes@p.iam.gserviceaccount.com"},
        "pass",
    ),
    ("vertex-job-vpc-network", "gcp.vertex.custom_job", {"network": None}, "fail"),
    ("vertex-job-vpc-network", "gcp.vertex.custom_job", {"network": "projects/1/global/networks/v"}, "pass"),
    ("vertex-custom-job-web-access-disabled", "gcp.vertex.custom_job", {"web_access": True}, "fail"),
    ("vertex-custom-job-web-access-disabled", "gcp.vertex.custom_job", {"web_access": False}, "pass"),
    (
        "vertex-runtime-template-no-internet-access",
        "gcp.vertex.notebook_runtime_template",
        {"internet_access": True},
        "fail",
    ),
    (
        "vertex-runtime-template-no-internet-access",
        "gcp.vertex.notebook_runtime_template",
        {"internet_access": False},
        "pass",
    ),
    (
        "vertex-runtime-template-idle-shutdown",
        "gcp.vertex.notebook_runtime_template",
        {"idle_shutdown": False},
        "fail",
    ),
    (
        "vertex-runtime-template-idle-shutdown",
        "gcp.vertex.notebook_runtime_template",
        {"idle_shutdown": True},
        "pass",
    ),
    (
        "vertex-runtime-template-not-default-service-account",
        "gcp.vertex.notebook_runtime_template",
        {"service_account": None, "end_user_credentials": False},
        "fail",
    ),
    (
        "vertex-runtime-template-not-default-service-account",
        "gcp.vertex.notebook_runtime_template",
        {"service_account": None, "end_user_credentials": True},
        "pass",
    ),
    (
        "secretmanager-secret-encrypted-with-cmek",
        "gcp.secretmanager.secret",
        {"customer_managed_encryption": False},
        "fail",
    ),
    (
        "secretmanager-secret-encrypted-with-cmek",
        "gcp.secretmanager.secret",
        {"customer_managed_encryption": True},
        "pass",
    ),
    (
        "gcp-custom-role-no-privilege-escalation",
        "gcp.iam.custom_role",
        {"permissions": ["aiplatform.models.get", "iam.serviceAccounts.signJwt"]},
        "fail",
    ),
    (
        "gcp-custom-role-no-privilege-escalation",
        "gcp.iam.custom_role",
        {"permissions": ["aiplatform.models.get"]},
        "pass",
    ),
    (
        "gcp-service-account-key-rotated-90-days",
        "gcp.iam.service_account_key",
        {"valid_after_time": "2020-01-01T00:00:00Z"},
        "fail",
    ),
    (
        "gcp-service-account-key-rotated-90-days",
        "gcp.iam.service_account_key",
        {"valid_after_time": "2999-01-01T00:00:00Z"},
        "pass",
    ),
    (
        "gcp-service-account-key-rotated-90-days",
        "gcp.iam.service_account_key",
        {"valid_after_time": None},
        "unknown",
    ),
]


@pytest.mark.parametrize(
    "rule_id, type_, attrs, want", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_verdicts(rule_id, type_, attrs, want):
    assert type_ in CATALOGUE.by_id[rule_id].meta.applies_to
    assert verdict(rule_id, res(type_, attrs)) == want


def test_every_aws_and_gcp_rule_has_a_pass_and_a_fail_case_here():
    covered: dict[str, set[str]] = {}
    for rule_id, *_, want in CASES:
        covered.setdefault(rule_id, set()).add(want)
    covered.setdefault("sagemaker-execution-role-not-admin", set()).update({"pass", "fail"})
    covered.setdefault("lambda-function-execution-role-not-admin", set()).update({"pass", "fail"})
    covered.setdefault("bedrock-agent-role-not-admin", set()).update({"pass", "fail"})  # test_bedrock.py
    # follows uses_security_group relations; its verdicts are tested in test_aws_supporting.py
    covered.setdefault("ml-compute-security-group-not-open-to-internet", set()).update({"pass", "fail"})
    # these follow relations; their verdicts are tested in test_governance_aws_gcp.py
    covered.setdefault("sagemaker-gpu-endpoint-autoscaling", set()).update({"pass", "fail"})
    covered.setdefault("gcp-service-account-no-user-managed-keys", set()).update({"pass", "fail"})
    # follow relations; their verdicts are tested in test_sagemaker_more.py
    covered.setdefault("sagemaker-endpoint-has-monitoring-schedule", set()).update({"pass", "fail"})
    covered.setdefault("sagemaker-user-profile-execution-role-not-admin", set()).update({"pass", "fail"})
    # follows runs_as relations; its verdicts are tested in test_gcp_more.py
    covered.setdefault("gcp-ml-service-account-no-primitive-roles", set()).update({"pass", "fail"})
    # the tag policy rules read Resource.tags; their verdicts are tested in test_tag_policy.py
    for rid in ("gpu-capacity-cost-attribution-tagged", "resources-required-tags", "tag-values-allowed"):
        covered.setdefault(rid, set()).update({"pass", "fail"})
    # follows in_api/invokes relations; its verdicts are tested in test_apigateway_rest_api.py
    covered.setdefault("apigateway-rest-api-private-or-restricted", set()).update({"pass", "fail"})
    for r in CATALOGUE.rules:
        if r.meta.provider in ("aws", "gcp") and r.id != "sagemaker-notebook-no-direct-internet":
            assert {"pass", "fail"} <= covered.get(r.id, set()), r.id


def test_fail_reasons_name_kind_and_path_never_the_value():
    r = res(FN, {"environment": {"K": "[REDACTED:aws-access-key-id]"}, "secrets": secret("environment.K")})
    (v,) = CATALOGUE.by_id["lambda-function-env-no-secrets"].evaluate(r, Inventory())
    assert v.at == "environment.K"
    assert "aws-access-key-id" in v.reason and "environment.K" in v.reason


def test_gpu_backed_detection():
    from rules.helpers.gpu import is_gpu_backed, is_gpu_instance_type

    assert all(
        is_gpu_instance_type(t)
        for t in ("ml.g5.2xlarge", "ml.p4d.24xlarge", "ml.inf2.xlarge", "ml.trn1.32xlarge", "ml.g4dn.xlarge")
    )
    assert not any(is_gpu_instance_type(t) for t in ("ml.t3.medium", "ml.m5.large", "ml.c5.xlarge", None, 3))
    nb = Resource(
        "tf:a.b", "aws.sagemaker.notebook_instance", "aws", "b", attrs={"instance_type": "ml.g5.xlarge"}
    )
    cfg = Resource(
        "tf:a.c",
        "aws.sagemaker.endpoint_config",
        "aws",
        "c",
        attrs={"production_variants": [{"instance_type": "ml.m5.large"}, {"instance_type": "ml.p3.2xlarge"}]},
    )
    wl = Resource("k8s:x", "k8s.workload", "k8s", "w", attrs={"gpu": True})
    cpu = Resource(
        "tf:a.d", "aws.sagemaker.notebook_instance", "aws", "d", attrs={"instance_type": "ml.t3.medium"}
    )
    assert is_gpu_backed(nb) and is_gpu_backed(cfg) and is_gpu_backed(wl) and not is_gpu_backed(cpu)
