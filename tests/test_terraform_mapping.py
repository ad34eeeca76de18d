"""Terraform -> canonical mapping, on hand-built TfResources (no parsing, no I/O)."""

from __future__ import annotations

import base64
import json

import pytest

from scanner.model.resource import Ref, Relation, Resource, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.terraform.mapping import normalize, supported_types
from scanner.normalize.terraform.model import TfResource
from scanner.normalize.terraform.values import Sensitive

HF = "hf_" + "abcdefghijklmnopqrstuvwxyzABCDEF"
GH = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789"
AKIA = "AKIA" + "ABCDEFGHIJKLMNOP"


def tf(rtype: str, name: str, config: dict, **kw) -> TfResource:
    kw.setdefault("file", "main.tf")
    kw.setdefault("start_line", 1)
    kw.setdefault("end_line", 9)
    return TfResource("managed", rtype, name, "", config, **kw)


def one(*records: TfResource) -> Resource:
    batch = normalize(list(records))
    assert not batch.errors, batch.errors
    return batch.resources[0]


def by_name(batch, name: str) -> Resource:
    return next(r for r in batch.resources if r.name == name)


def assert_no_raw(resource: Resource, *raw: str) -> None:
    text = json.dumps(resource.to_json())
    for value in raw:
        assert value not in text


# ------------------------------------------------------------------------- coverage
def test_every_terraform_type_in_the_contract_is_mapped():
    declared = {t for spec in RESOURCE_TYPES.values() for t in spec.terraform}
    assert declared <= supported_types()


# ------------------------------------------------------------------------- SageMaker
def test_notebook_enum_spellings_defaults_and_lines():
    nb = one(
        tf(
            "aws_sagemaker_notebook_instance",
            "nb",
            {
                "name": "cloud-name",
                "role_arn": "arn:aws:iam::1:role/nb",
                "instance_type": "ml.t3.medium",
                "root_access": "Disabled",
                "security_groups": ["sg-1"],
            },
            lines={"root_access": 4},
        )
    )
    assert nb.uid == "tf:aws_sagemaker_notebook_instance.nb"
    assert nb.name == "nb" and nb.type == "aws.sagemaker.notebook_instance" and nb.provider == "aws"
    assert nb.source.file == "main.tf" and nb.source.dialect == "terraform"
    a = nb.attrs
    assert a["direct_internet_access"] is True and nb.provenance["direct_internet_access"] == "default"
    assert a["root_access"] is False and nb.provenance_of("root_access") == "explicit"
    assert a["imds_min_version"] == "1" and nb.provenance["imds_min_version"] == "default"
    assert a["security_group_ids"] == ["sg-1"]
    assert nb.lines["root_access"] == 4


def test_notebook_enabled_and_imds_block():
    nb = one(
        tf(
            "aws_sagemaker_notebook_instance",
            "nb",
            {
                "direct_internet_access": "Enabled",
                "instance_metadata_service_configuration": [
                    {"minimum_instance_metadata_service_version": "2"}
                ],
            },
        )
    )
    assert nb.attrs["direct_internet_access"] is True
    assert "direct_internet_access" not in nb.provenance
    assert nb.attrs["imds_min_version"] == "2"


def test_unresolved_values_stay_unresolved():
    nb = one(tf("aws_sagemaker_notebook_instance", "nb", {"direct_internet_access": Unresolved("var.x")}))
    assert nb.attrs["direct_internet_access"] == Unresolved("var.x")
    assert nb.provenance["direct_internet_access"] == "unresolved"


def test_lifecycle_config_is_decoded_and_scrubbed():
    script = f"#!/bin/bash\nexport HF_TOKEN={HF}\n"
    lc = one(
        tf(
            "aws_sagemaker_notebook_instance_lifecycle_configuration",
            "lc",
            {
                "name": "lc",
                "on_start": base64.b64encode(script.encode()).decode(),
            },
            lines={"on_start": 3},
        )
    )
    assert lc.attrs["on_start"].startswith("#!/bin/bash\nexport HF_TOKEN=[REDACTED:huggingface-token]")
    assert lc.attrs["on_create"] is None
    assert lc.attrs["secrets"][0]["kind"] == "huggingface-token"
    assert lc.attrs["secrets"][0]["line"] == 4
    assert_no_raw(lc, HF)


def test_model_containers_env_scrubbed_and_role_relation():
    batch = normalize(
        [
            tf(
                "aws_sagemaker_model",
                "m",
                {
                    "name": "m",
                    "execution_role_arn": Ref("tf:aws_iam_role.exec", "arn"),
                    "primary_container": [
                        {"image": "img:1", "environment": {"OPENAI_KEY": "sk-" + "a" * 48}}
                    ],
                    "container": [{"image": "img:2", "model_data_url": "s3://b/m.tar.gz"}],
                    "vpc_config": [{"subnets": ["s-1"], "security_group_ids": ["sg-1"]}],
                },
            )
        ]
    )
    m = batch.resources[0]
    assert [c["image"] for c in m.attrs["containers"]] == ["img:1", "img:2"]
    assert m.attrs["containers"][0]["environment"]["OPENAI_KEY"].startswith("[REDACTED:")
    assert m.attrs["secrets"][0]["path"] == "containers[0].environment.OPENAI_KEY"
    assert (
        m.attrs["enable_network_isolation"] is False and m.provenance["enable_network_isolation"] == "default"
    )
    assert m.attrs["vpc_config"] == {"subnet_ids": ["s-1"], "security_group_ids": ["sg-1"]}
    assert Relation(m.uid, "execution_role", "tf:aws_iam_role.exec", "execution_role_arn") in batch.relations
    assert_no_raw(m, "a" * 48)


def test_endpoint_config_and_endpoint_relations_by_ref_and_by_name():
    batch = normalize(
        [
            tf("aws_sagemaker_model", "m", {"name": "model-a"}),
            tf(
                "aws_sagemaker_endpoint_configuration",
                "ec",
                {
                    "name": "ec",
                    "kms_key_arn": "arn:aws:kms:us-east-1:1:key/k",
                    "production_variants": [
                        {
                            "variant_name": "v",
                            "model_name": "model-a",
                            "instance_type": "ml.m5.large",
                            "initial_instance_count": 1,
                        }
                    ],
                    "data_capture_config": [{"destination_s3_uri": "s3://x"}],
                },
            ),
            tf(
                "aws_sagemaker_endpoint",
                "ep",
                {"endpoint_config_name": Ref("tf:aws_sagemaker_endpoint_configuration.ec", "name")},
            ),
        ]
    )
    ec = by_name(batch, "ec")
    assert ec.attrs["kms_key_id"] == "arn:aws:kms:us-east-1:1:key/k"
    assert ec.attrs["production_variants"][0]["serverless"] is False
    assert ec.attrs["data_capture"] == {"enabled": True, "kms_key_id": None, "destination": "s3://x"}
    rels = set(batch.relations)
    assert (
        Relation(ec.uid, "serves_model", "tf:aws_sagemaker_model.m", "production_variants[0].model_name")
        in rels
    )
    assert Relation("tf:aws_sagemaker_endpoint.ep", "uses_config", ec.uid, "endpoint_config_name") in rels


def test_domain_defaults_and_role():
    batch = normalize(
        [
            tf(
                "aws_sagemaker_domain",
                "d",
                {
                    "domain_name": "d",
                    "auth_mode": "IAM",
                    "vpc_id": "vpc-1",
                    "subnet_ids": ["s-1"],
                    "default_user_settings": [{"execution_role": "arn:aws:iam::1:role/studio"}],
                },
            )
        ]
    )
    d = batch.resources[0]
    assert d.attrs["app_network_access_type"] == "PublicInternetOnly"
    assert d.provenance["app_network_access_type"] == "default"
    assert d.attrs["default_execution_role"] == "arn:aws:iam::1:role/studio"
    assert (
        Relation(d.uid, "execution_role", "arn:aws:iam::1:role/studio", "default_execution_role")
        in batch.relations
    )


# ------------------------------------------------------------------------- Lambda
def test_lambda_function_defaults_env_and_relations():
    batch = normalize(
        [
            tf("aws_iam_role", "exec", {"name": "exec-role"}),
            tf(
                "aws_lambda_function",
                "f",
                {
                    "function_name": "fn",
                    "role": "arn:aws:iam::1:role/exec-role",
                    "runtime": "python3.12",
                    "environment": [
                        {"variables": {"AWS_KEY": AKIA, "MODE": "prod", "DB_PASSWORD": Sensitive("hunter2")}}
                    ],
                    "reserved_concurrent_executions": -1,
                    "tags": {"team": "ml", "x": Unresolved("var.t")},
                },
                lines={"environment[0].variables.AWS_KEY": 7},
            ),
        ]
    )
    f = by_name(batch, "f")
    a = f.attrs
    assert a["function_name"] == "fn" and f.name == "f"
    assert a["package_type"] == "Zip" and f.provenance["package_type"] == "default"
    assert a["tracing_mode"] == "PassThrough" and f.provenance["tracing_mode"] == "default"
    assert a["reserved_concurrency"] is None and a["layers"] == [] and a["vpc_config"] is None
    assert a["environment"]["MODE"] == "prod"
    assert a["environment"]["AWS_KEY"] == "[REDACTED:aws-access-key-id]"
    assert a["environment"]["DB_PASSWORD"].startswith("[REDACTED:")
    kinds = {s["path"]: s for s in a["secrets"]}
    assert kinds["environment.AWS_KEY"]["line"] == 7
    assert "environment.DB_PASSWORD" in kinds
    assert f.tags == {"team": "ml"}
    # a literal role ARN whose name is a role of this batch links to it
    assert Relation(f.uid, "execution_role", "tf:aws_iam_role.exec", "role_arn") in batch.relations
    assert_no_raw(f, AKIA, "hunter2")


def test_function_url_and_permission():
    batch = normalize(
        [
            tf("aws_lambda_function", "f", {"function_name": "fn"}),
            tf(
                "aws_lambda_function_url",
                "u",
                {
                    "function_name": Ref("tf:aws_lambda_function.f", "function_name"),
                    "authorization_type": "NONE",
                    "cors": [{"allow_origins": ["*"], "allow_methods": ["GET"]}],
                },
            ),
            tf(
                "aws_lambda_permission",
                "p",
                {"function_name": "fn", "action": "lambda:InvokeFunction", "principal": "*"},
            ),
        ]
    )
    u, p = by_name(batch, "u"), by_name(batch, "p")
    assert u.attrs["auth_type"] == "NONE"
    assert u.attrs["cors"] == {"allow_origins": ["*"], "allow_methods": ["GET"], "allow_credentials": False}
    assert p.attrs["principal"] == "*" and p.attrs["source_arn"] is None
    rels = set(batch.relations)
    assert Relation(u.uid, "url_of", "tf:aws_lambda_function.f", "function_name") in rels
    assert Relation(p.uid, "grants_on", "tf:aws_lambda_function.f", "function_name") in rels


# ------------------------------------------------------------------------- IAM folding
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST = json.dumps(
    {
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
        ]
    }
)


def test_role_policy_and_attachments_fold_into_the_role():
    batch = normalize(
        [
            tf(
                "aws_iam_role",
                "exec",
                {
                    "name": "exec",
                    "assume_role_policy": TRUST,
                    "inline_policy": [{"name": "inl", "policy": json.dumps(ADMIN)}],
                },
            ),
            tf("aws_iam_policy", "p", {"name": "pol", "policy": json.dumps(ADMIN)}),
            tf(
                "aws_iam_role_policy",
                "rp",
                {"role": Ref("tf:aws_iam_role.exec", "id"), "name": "extra", "policy": ADMIN},
                file="other.tf",
                start_line=30,
            ),
            tf(
                "aws_iam_role_policy_attachment",
                "a1",
                {"role": "exec", "policy_arn": Ref("tf:aws_iam_policy.p", "arn")},
                start_line=40,
            ),
            tf(
                "aws_iam_policy_attachment",
                "a2",
                {
                    "roles": [Ref("tf:aws_iam_role.exec", "name")],
                    "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                },
            ),
            tf("aws_iam_role_policy_attachment", "orphan", {"role": "elsewhere", "policy_arn": "arn:x"}),
        ]
    )
    assert [r.type for r in batch.resources] == ["aws.iam.role", "aws.iam.policy"]  # folded are not resources
    role = by_name(batch, "exec")
    a = role.attrs
    assert a["role_name"] == "exec"
    assert a["assume_role_policy"]["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert [p["name"] for p in a["inline_policies"]] == ["inl", "extra"]
    assert a["inline_policies"][1]["document"]["Statement"][0]["Action"] == ["*"]
    assert a["managed_policy_arns"] == [
        Ref("tf:aws_iam_policy.p", "arn"),
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]
    assert role.lines["managed_policy_arns[0]"] == 40  # the attachment's line, same file
    assert "inline_policies[1]" not in role.lines  # other file: keeps the role's own location
    rels = set(batch.relations)
    assert Relation(role.uid, "attached_policy", "tf:aws_iam_policy.p", "managed_policy_arns[0]") in rels
    assert (
        Relation(
            role.uid, "attached_policy", "arn:aws:iam::aws:policy/ReadOnlyAccess", "managed_policy_arns[1]"
        )
        in rels
    )
    assert not batch.errors


def test_role_without_name_gets_an_unresolved_name():
    role = one(tf("aws_iam_role", "r", {"name_prefix": "x-"}))
    assert isinstance(role.attrs["role_name"], Unresolved)
    assert role.provenance["role_name"] == "unresolved"


def test_users_groups_memberships_and_keys():
    batch = normalize(
        [
            tf("aws_iam_user", "alice", {"name": "alice"}),
            tf("aws_iam_group", "admins", {"name": "admins"}),
            tf("aws_iam_user_policy", "up", {"user": "alice", "name": "u", "policy": json.dumps(ADMIN)}),
            tf(
                "aws_iam_group_policy_attachment",
                "ga",
                {
                    "group": Ref("tf:aws_iam_group.admins", "name"),
                    "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
                },
            ),
            tf(
                "aws_iam_user_group_membership",
                "m",
                {"user": "alice", "groups": [Ref("tf:aws_iam_group.admins", "name")]},
            ),
            tf("aws_iam_access_key", "k", {"user": Ref("tf:aws_iam_user.alice", "name")}),
        ]
    )
    alice, admins = by_name(batch, "alice"), by_name(batch, "admins")
    assert alice.attrs["inline_policies"][0]["name"] == "u"
    assert alice.attrs["groups"] == [Ref("tf:aws_iam_group.admins", "name")]
    assert alice.attrs["access_keys"] == 1
    assert admins.attrs["managed_policy_arns"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert Relation(alice.uid, "member_of", admins.uid, "groups[0]") in batch.relations


# ------------------------------------------------------------------------- S3 folding
def test_s3_split_resources_fold_by_ref_and_by_name():
    batch = normalize(
        [
            tf("aws_s3_bucket", "b", {"bucket": "data-bkt", "tags": {"env": "prod"}}),
            tf(
                "aws_s3_bucket_versioning",
                "v",
                {
                    "bucket": Ref("tf:aws_s3_bucket.b", "id"),
                    "versioning_configuration": [{"status": "Enabled"}],
                },
            ),
            tf(
                "aws_s3_bucket_public_access_block",
                "pab",
                {"bucket": "data-bkt", "block_public_acls": True, "block_public_policy": Unresolved("var.x")},
            ),
            tf(
                "aws_s3_bucket_server_side_encryption_configuration",
                "sse",
                {
                    "bucket": "data-bkt",
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {"sse_algorithm": "aws:kms", "kms_master_key_id": "k"}
                            ]
                        }
                    ],
                },
            ),
            tf(
                "aws_s3_bucket_policy",
                "pol",
                {"bucket": Ref("tf:aws_s3_bucket.b", "id"), "policy": json.dumps(ADMIN)},
            ),
            tf("aws_s3_bucket_acl", "acl", {"bucket": "data-bkt", "acl": "public-read"}),
            tf("aws_s3_bucket_logging", "log", {"bucket": "data-bkt", "target_bucket": "logs"}),
            tf("aws_s3_bucket_acl", "orphan", {"bucket": "not-here", "acl": "private"}),
        ]
    )
    assert len(batch.resources) == 1 and not batch.errors
    b = batch.resources[0]
    a = b.attrs
    assert a["bucket"] == "data-bkt" and b.tags == {"env": "prod"}
    assert a["versioning"] is True and a["logging"] is True and a["acl"] == "public-read"
    assert a["encryption"] == {"sse_algorithm": "aws:kms", "kms_key_id": "k"}
    assert a["policy"]["Statement"][0]["Resource"] == ["*"]
    assert a["public_access_block"]["block_public_acls"] is True
    assert a["public_access_block"]["ignore_public_acls"] is False
    assert b.provenance["public_access_block.ignore_public_acls"] == "default"
    assert b.provenance["public_access_block.block_public_policy"] == "unresolved"
    assert "versioning" not in b.provenance
    assert batch.aliases["arn:aws:s3:::data-bkt"] == b.uid


def test_s3_bucket_defaults_without_split_resources():
    b = one(tf("aws_s3_bucket", "b", {"bucket": "x"}))
    assert b.attrs["versioning"] is False and b.provenance["versioning"] == "default"
    assert b.attrs["logging"] is False and b.attrs["public_access_block"] is None


# ------------------------------------------------------------------------- GCP
def test_cloud_run_v1_annotations_env_and_invoker_binding():
    batch = normalize(
        [
            tf(
                "google_cloud_run_service",
                "svc",
                {
                    "name": "svc",
                    "location": "europe-west1",
                    "project": "p1",
                    "metadata": [
                        {"annotations": {"run.googleapis.com/ingress": "internal-and-cloud-load-balancing"}}
                    ],
                    "template": [
                        {
                            "spec": [
                                {
                                    "service_account_name": Ref("tf:google_service_account.sa", "email"),
                                    "containers": [
                                        {
                                            "image": "gcr.io/p/i",
                                            "env": [
                                                {"name": "GH", "value": GH},
                                                {"name": "PLAIN", "value": "1"},
                                                {
                                                    "name": "DB",
                                                    "value_from": [{"secret_key_ref": [{"name": "db"}]}],
                                                },
                                            ],
                                        }
                                    ],
                                }
                            ],
                            "metadata": [
                                {"annotations": {"run.googleapis.com/vpc-access-egress": "all-traffic"}}
                            ],
                        }
                    ],
                },
            ),
            tf("google_service_account", "sa", {"account_id": "runner", "project": "p1"}),
            tf(
                "google_cloud_run_service_iam_binding",
                "b",
                {"service": "svc", "role": "roles/run.invoker", "members": ["allUsers", "user:a@x.com"]},
            ),
            tf(
                "google_cloud_run_service_iam_member",
                "other_role",
                {"service": "svc", "role": "roles/run.admin", "member": "user:b@x.com"},
            ),
        ]
    )
    svc = by_name(batch, "svc")
    a = svc.attrs
    assert svc.provider == "gcp" and svc.account == "p1" and svc.region == "europe-west1"
    assert a["ingress"] == "internal-and-cloud-load-balancing"
    assert a["containers"][0]["env"] == {"GH": "[REDACTED:github-token]", "PLAIN": "1"}
    assert a["containers"][0]["secret_env"] == ["DB"]
    assert a["vpc_egress"] == "all-traffic"
    assert a["invoker_members"] == ["allUsers", "user:a@x.com"]
    assert a["binary_authorization"] is False
    assert Relation(svc.uid, "runs_as", "tf:google_service_account.sa", "service_account") in batch.relations
    sa = by_name(batch, "sa")
    assert sa.attrs["email"] == "runner@p1.iam.gserviceaccount.com"
    assert_no_raw(svc, GH)


@pytest.mark.parametrize(
    "spelling, canonical",
    [
        ("INGRESS_TRAFFIC_ALL", "all"),
        ("INGRESS_TRAFFIC_INTERNAL_ONLY", "internal"),
        ("INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "internal-and-cloud-load-balancing"),
    ],
)
def test_cloud_run_v2_ingress_spellings(spelling, canonical):
    svc = one(tf("google_cloud_run_v2_service", "s", {"ingress": spelling}))
    assert svc.attrs["ingress"] == canonical


def test_cloud_run_v2_defaults_secret_env_and_member_by_ref():
    batch = normalize(
        [
            tf(
                "google_cloud_run_v2_service",
                "s",
                {
                    "name": "s2",
                    "template": [
                        {
                            "containers": [
                                {
                                    "image": "i",
                                    "env": [
                                        {
                                            "name": "K",
                                            "value_source": [
                                                {"secret_key_ref": [{"secret": "k", "version": "latest"}]}
                                            ],
                                        }
                                    ],
                                }
                            ]
                        }
                    ],
                },
            ),
            tf(
                "google_cloud_run_v2_service_iam_member",
                "m",
                {
                    "name": Ref("tf:google_cloud_run_v2_service.s", "name"),
                    "role": "roles/run.invoker",
                    "member": "allUsers",
                },
            ),
        ]
    )
    s = batch.resources[0]
    assert s.attrs["ingress"] == "all" and s.provenance["ingress"] == "default"
    assert s.attrs["containers"][0]["secret_env"] == ["K"]
    assert s.attrs["invoker_members"] == ["allUsers"]


def test_cloud_functions_v1_and_v2():
    batch = normalize(
        [
            tf(
                "google_cloudfunctions_function",
                "f1",
                {
                    "name": "f1",
                    "trigger_http": True,
                    "environment_variables": {"API_TOKEN": GH},
                    "secret_environment_variables": [{"key": "DB", "secret": "db", "version": "1"}],
                },
            ),
            tf(
                "google_cloudfunctions_function_iam_member",
                "i1",
                {"cloud_function": "f1", "role": "roles/cloudfunctions.invoker", "member": "allUsers"},
            ),
            tf(
                "google_cloudfunctions2_function",
                "f2",
                {
                    "name": "f2",
                    "service_config": [
                        {
                            "ingress_settings": "ALLOW_INTERNAL_ONLY",
                            "service_account_email": "sa@p.iam.gserviceaccount.com",
                            "environment_variables": {"X": "1"},
                        }
                    ],
                },
            ),
            tf(
                "google_cloudfunctions2_function_iam_binding",
                "i2",
                {
                    "cloud_function": Ref("tf:google_cloudfunctions2_function.f2", "name"),
                    "role": "roles/run.invoker",
                    "members": ["allAuthenticatedUsers"],
                },
            ),
        ]
    )
    f1, f2 = by_name(batch, "f1"), by_name(batch, "f2")
    assert f1.attrs["generation"] == "v1" and f1.attrs["https_trigger"] is True
    assert f1.attrs["ingress_settings"] == "ALLOW_ALL" and f1.provenance["ingress_settings"] == "default"
    assert f1.attrs["environment"]["API_TOKEN"] == "[REDACTED:github-token]"
    assert f1.attrs["secret_env"] == ["DB"] and f1.attrs["invoker_members"] == ["allUsers"]
    assert f2.attrs["generation"] == "v2" and f2.attrs["https_trigger"] is True
    assert f2.attrs["ingress_settings"] == "ALLOW_INTERNAL_ONLY"
    assert f2.attrs["invoker_members"] == ["allAuthenticatedUsers"]
    assert Relation(f2.uid, "runs_as", "sa@p.iam.gserviceaccount.com", "service_account") in batch.relations
    assert_no_raw(f1, GH)


def test_workbench_and_legacy_notebook_and_vertex_endpoint():
    batch = normalize(
        [
            tf(
                "google_workbench_instance",
                "wb",
                {
                    "name": "wb",
                    "gce_setup": [
                        {
                            "disable_public_ip": True,
                            "metadata": {"notebook-disable-root": "true", "token": GH},
                            "shielded_instance_config": [{"enable_secure_boot": True}],
                            "boot_disk": [{"disk_encryption": "CMEK", "kms_key": "projects/p/keys/k"}],
                        }
                    ],
                },
            ),
            tf("google_notebooks_instance", "legacy", {"name": "old", "no_public_ip": False}),
            tf("google_vertex_ai_endpoint", "ep", {"name": "ep", "encryption_spec": [{"kms_key_name": "k"}]}),
        ]
    )
    wb, legacy, ep = by_name(batch, "wb"), by_name(batch, "legacy"), by_name(batch, "ep")
    assert wb.attrs["no_public_ip"] is True and wb.attrs["root_access"] is False
    assert wb.attrs["shielded_secure_boot"] is True and wb.attrs["shielded_vtpm"] is True
    assert wb.provenance["shielded_vtpm"] == "default"
    assert wb.attrs["disk_encryption_key"] == "projects/p/keys/k"
    assert wb.attrs["metadata"]["token"].startswith("[REDACTED:")
    assert legacy.type == "gcp.vertex.workbench_instance" and legacy.attrs["root_access"] is None
    assert ep.attrs["encryption_key"] == "k" and ep.attrs["private_service_connect"] is False
    assert_no_raw(wb, GH)


def test_project_roles_fold_into_service_accounts():
    batch = normalize(
        [
            tf("google_service_account", "sa", {"account_id": "a", "project": "p"}),
            tf(
                "google_project_iam_member",
                "m",
                {"role": "roles/editor", "member": "serviceAccount:a@p.iam.gserviceaccount.com"},
            ),
        ]
    )
    assert batch.resources[0].attrs["project_roles"] == ["roles/editor"]


# ------------------------------------------------------------------------- robustness
def test_data_sources_and_unknown_types_are_ignored():
    batch = normalize(
        [
            TfResource("data", "aws_iam_policy_document", "d", "", {}),
            tf("aws_vpc", "v", {"cidr_block": "10.0.0.0/16"}),
        ]
    )
    assert batch.resources == [] and batch.errors == []


def test_odd_shapes_do_not_crash():
    batch = normalize(
        [
            tf(
                "aws_lambda_function",
                "f",
                {
                    "environment": "not-a-block",
                    "layers": Ref("tf:x.y", "arn"),
                    "vpc_config": Unresolved("dynamic"),
                },
            ),
            tf(
                "aws_sagemaker_endpoint_configuration", "ec", {"production_variants": [Unresolved("dynamic")]}
            ),
            tf("aws_iam_role", "r", {"name": "r", "assume_role_policy": "{not json"}),
        ]
    )
    assert not batch.errors
    f = by_name(batch, "f")
    assert isinstance(f.attrs["layers"], Unresolved) and isinstance(f.attrs["vpc_config"], Unresolved)
    assert isinstance(by_name(batch, "r").attrs["assume_role_policy"], Unresolved)


def test_module_and_root_are_part_of_the_uid():
    r = one(TfResource("managed", "aws_iam_role", "r[0]", "module.a", {"name": "x"}, root="envs/prod"))
    assert r.uid == "tf:envs/prod:module.a.aws_iam_role.r[0]" and r.name == "r[0]"


def test_suppressions_pass_through():
    from scanner.model.resource import Suppression

    nb = one(tf("aws_sagemaker_notebook_instance", "nb", {}, suppressions=[Suppression("CKV_AWS_122", "ok")]))
    assert nb.suppressions[0].rule == "CKV_AWS_122"
