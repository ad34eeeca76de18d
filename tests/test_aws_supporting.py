"""The AWS services ML workloads depend on (ECR, KMS, CloudWatch Logs, security groups,
CloudTrail): their mapping from Terraform and CloudFormation with folding, the
`uses_security_group` relations from ML compute, and the verdicts of rules that follow
relations or look across trails, on hand-built resources."""

from __future__ import annotations

import pytest

from rules.loader import load_catalogue
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved
from scanner.normalize.cloudformation import normalize_template
from scanner.normalize.supporting import advanced_data_events, ingress_rule
from scanner.normalize.terraform.mapping import normalize
from scanner.normalize.terraform.model import TfResource

CATALOGUE = load_catalogue()
SG = "aws.ec2.security_group"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}],
}


def tf(rtype: str, name: str, config: dict, **kw) -> TfResource:
    kw.setdefault("file", "main.tf")
    kw.setdefault("start_line", 1)
    return TfResource("managed", rtype, name, "", config, **kw)


def tf_batch(*records: TfResource):
    batch = normalize(list(records))
    assert not batch.errors, batch.errors
    return {r.name: r for r in batch.resources}, batch


def cfn_batch(resources: dict, parameters: dict | None = None):
    doc = {"Resources": resources, **({"Parameters": parameters} if parameters else {})}
    batch = normalize_template(doc, "t.yaml")
    assert not batch.errors, batch.errors
    return {r.name: r for r in batch.resources}, batch


def sg_relations(batch) -> set[tuple[str, str, str]]:
    return {(r.src, r.dst, r.attr) for r in batch.relations if r.kind == "uses_security_group"}


# ------------------------------------------------------------------------- shared readings
def test_ingress_rule_spellings():
    assert ingress_rule("6", 22, "22", "0.0.0.0/0", None) == {
        "from_port": 22,
        "to_port": 22,
        "protocol": "tcp",
        "cidr_ipv4": ["0.0.0.0/0"],
        "cidr_ipv6": [],
    }
    every = ingress_rule("all", 0, 0, [], ["::/0"])
    assert every["protocol"] == "-1" and every["from_port"] is None and every["to_port"] is None
    assert ingress_rule("ICMP", -1, -1, None, None)["from_port"] is None
    assert isinstance(ingress_rule("tcp", 1, 2, Unresolved("var.c"), None)["cidr_ipv4"], Unresolved)


def test_advanced_selectors_keep_data_events_only():
    def sel(*fields):
        return {"field_selectors": [dict(f) for f in fields]}

    data = {"field": "eventCategory", "equals": ["Data"]}
    got = advanced_data_events(
        [
            sel(data, {"field": "resources.type", "equals": ["AWS::S3::Object"]}),
            sel(
                data,
                {"field": "resources.type", "equals": ["AWS::Lambda::Function"]},
                {"field": "resources.ARN", "starts_with": ["arn:aws:lambda:us-east-1:1:function:inf"]},
                {"field": "readOnly", "equals": ["false"]},
            ),
            sel({"field": "eventCategory", "equals": ["Management"]}),
            sel({"field": "eventCategory", "equals": Unresolved("var.c")}),
        ]
    )
    assert got[0] == {"resource_type": "AWS::S3::Object", "values": [], "read_write": "All"}
    assert got[1]["values"] == ["arn:aws:lambda:us-east-1:1:function:inf"]
    assert got[1]["read_write"] == "WriteOnly"
    assert len(got) == 3 and isinstance(got[2], Unresolved)


# ------------------------------------------------------------------------- Terraform
def test_terraform_ecr_defaults_and_policy_fold():
    rs, _ = tf_batch(
        tf("aws_ecr_repository", "plain", {"name": "plain"}),
        tf(
            "aws_ecr_repository",
            "hard",
            {
                "name": "hard",
                "image_tag_mutability": "IMMUTABLE",
                "image_scanning_configuration": [{"scan_on_push": True}],
                "encryption_configuration": [
                    {"encryption_type": "KMS", "kms_key": Ref("tf:aws_kms_key.k", "arn")}
                ],
            },
        ),
        tf("aws_ecr_repository_policy", "p", {"repository": "plain", "policy": POLICY}, start_line=30),
    )
    plain, hard = rs["plain"], rs["hard"]
    assert plain.type == "aws.ecr.repository"
    assert (
        plain.attrs["scan_on_push"],
        plain.attrs["image_tag_mutability"],
        plain.attrs["encryption_type"],
    ) == (
        False,
        "MUTABLE",
        "AES256",
    )
    assert plain.provenance["scan_on_push"] == "default" and plain.provenance["encryption_type"] == "default"
    assert plain.attrs["policy"]["Statement"][0]["Principal"] == "*" and plain.lines["policy"] == 30
    assert hard.attrs["scan_on_push"] is True and hard.attrs["kms_key"] == Ref("tf:aws_kms_key.k", "arn")
    assert hard.attrs["policy"] is None


def test_terraform_kms_key_and_log_group():
    rs, _ = tf_batch(
        tf("aws_kms_key", "k", {"enable_key_rotation": "true", "customer_master_key_spec": "RSA_2048"}),
        tf("aws_kms_key", "d", {}),
        tf("aws_cloudwatch_log_group", "never", {"name": "/a"}),
        tf("aws_cloudwatch_log_group", "zero", {"name": "/b", "retention_in_days": 0}),
        tf(
            "aws_cloudwatch_log_group",
            "year",
            {"name": "/c", "retention_in_days": 365, "kms_key_id": "arn:k"},
        ),
    )
    k, d = rs["k"], rs["d"]
    assert k.attrs["enable_key_rotation"] is True and k.attrs["key_spec"] == "RSA_2048"
    assert d.attrs["enable_key_rotation"] is False and d.provenance["enable_key_rotation"] == "default"
    assert d.attrs["key_spec"] == "SYMMETRIC_DEFAULT" and d.attrs["deletion_window_in_days"] == 30
    assert rs["never"].attrs["retention_in_days"] is None
    assert rs["never"].provenance["retention_in_days"] == "default"
    assert rs["zero"].attrs["retention_in_days"] is None  # 0 = never expire
    assert rs["zero"].provenance_of("retention_in_days") == "explicit"
    assert rs["year"].attrs["retention_in_days"] == 365 and rs["year"].attrs["kms_key_id"] == "arn:k"


def test_terraform_security_group_folds_standalone_ingress_rules():
    sg_ref = Ref("tf:aws_security_group.sg", "id")
    inline = {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}
    rs, _ = tf_batch(
        tf("aws_security_group", "sg", {"name": "sg", "ingress": [inline]}),
        tf("aws_security_group", "bare", {"name": "bare"}),
        tf(
            "aws_security_group_rule",
            "ssh",
            {
                "type": "ingress",
                "security_group_id": sg_ref,
                "from_port": 22,
                "to_port": 22,
                "protocol": "tcp",
                "cidr_blocks": ["0.0.0.0/0"],
            },
            start_line=20,
        ),
        tf(
            "aws_security_group_rule",
            "out",
            {"type": "egress", "security_group_id": sg_ref, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]},
        ),
        tf(
            "aws_vpc_security_group_ingress_rule",
            "v6",
            {"security_group_id": sg_ref, "ip_protocol": "-1", "cidr_ipv6": "::/0"},
        ),
    )
    sg, bare = rs["sg"], rs["bare"]
    assert [r["cidr_ipv4"] for r in sg.attrs["ingress"]] == [["10.0.0.0/8"], ["0.0.0.0/0"], []]
    assert sg.attrs["ingress"][2] == {
        "from_port": None,
        "to_port": None,
        "protocol": "-1",
        "cidr_ipv4": [],
        "cidr_ipv6": ["::/0"],
    }
    assert sg.lines["ingress[1]"] == 20
    assert bare.attrs["ingress"] == [] and bare.provenance["ingress"] == "default"


def test_terraform_unresolved_ingress_cidr_is_marked():
    rs, _ = tf_batch(
        tf(
            "aws_security_group",
            "sg",
            {
                "ingress": [
                    {"from_port": 1, "to_port": 1, "protocol": "tcp", "cidr_blocks": Unresolved("var.c")}
                ]
            },
        )
    )
    sg = rs["sg"]
    assert isinstance(sg.attrs["name"], Unresolved)  # generated by Terraform
    assert sg.provenance["ingress[0].cidr_ipv4"] == "unresolved"


def test_terraform_compute_links_its_security_groups():
    sg = Ref("tf:aws_security_group.sg", "id")
    _, batch = tf_batch(
        tf("aws_security_group", "sg", {"name": "sg"}),
        tf(
            "aws_sagemaker_notebook_instance",
            "nb",
            {"name": "nb", "role_arn": "arn:r", "security_groups": [sg, "sg-0abc"]},
        ),
        tf(
            "aws_sagemaker_model",
            "m",
            {
                "name": "m",
                "execution_role_arn": "arn:r",
                "vpc_config": [{"subnets": ["s"], "security_group_ids": sg}],
            },
        ),
        tf(
            "aws_lambda_function",
            "fn",
            {
                "function_name": "fn",
                "role": "arn:r",
                "vpc_config": [{"subnet_ids": ["s"], "security_group_ids": [sg]}],
            },
        ),
        tf("aws_lambda_function", "plain", {"function_name": "plain", "role": "arn:r"}),
    )
    assert sg_relations(batch) == {
        ("tf:aws_sagemaker_notebook_instance.nb", sg.uid, "security_group_ids[0]"),
        ("tf:aws_sagemaker_notebook_instance.nb", "sg-0abc", "security_group_ids[1]"),
        # a plan leaves a list that names one group unknown: it still names that group
        ("tf:aws_sagemaker_model.m", sg.uid, "vpc_config.security_group_ids"),
        ("tf:aws_lambda_function.fn", sg.uid, "vpc_config.security_group_ids[0]"),
    }


def test_terraform_cloudtrail_selectors():
    rs, _ = tf_batch(
        tf("aws_cloudtrail", "mgmt", {"name": "mgmt", "s3_bucket_name": "b"}),
        tf(
            "aws_cloudtrail",
            "data",
            {
                "name": "data",
                "is_multi_region_trail": True,
                "enable_log_file_validation": True,
                "event_selector": [
                    {
                        "read_write_type": "ReadOnly",
                        "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::models/"]}],
                    }
                ],
                "advanced_event_selector": [
                    {
                        "name": "lambda",
                        "field_selector": [
                            {"field": "eventCategory", "equals": ["Data"]},
                            {"field": "resources.type", "equals": ["AWS::Lambda::Function"]},
                        ],
                    }
                ],
            },
        ),
        tf("aws_cloudtrail", "opaque", {"name": "o", "event_selector": Unresolved("var.sel")}),
    )
    mgmt, data = rs["mgmt"], rs["data"]
    assert mgmt.attrs["data_events"] == [] and mgmt.provenance["data_events"] == "default"
    assert mgmt.attrs["is_multi_region"] is False and mgmt.provenance["log_file_validation"] == "default"
    assert data.attrs["is_multi_region"] is True and data.attrs["log_file_validation"] is True
    assert data.attrs["data_events"] == [
        {"resource_type": "AWS::S3::Object", "values": ["arn:aws:s3:::models/"], "read_write": "ReadOnly"},
        {"resource_type": "AWS::Lambda::Function", "values": [], "read_write": "All"},
    ]
    assert isinstance(rs["opaque"].attrs["data_events"][0], Unresolved)


# ------------------------------------------------------------------------- CloudFormation
def test_cloudformation_ecr_kms_and_logs():
    rs, _ = cfn_batch(
        {
            "Repo": {
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "RepositoryName": "models",
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": "true"},
                    "EncryptionConfiguration": {
                        "EncryptionType": "KMS",
                        "KmsKey": {"Fn::GetAtt": ["Key", "Arn"]},
                    },
                    "RepositoryPolicyText": POLICY,
                },
            },
            "Bare": {"Type": "AWS::ECR::Repository"},
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {"EnableKeyRotation": True, "PendingWindowInDays": 7},
            },
            "Lg": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 14}},
            "Forever": {"Type": "AWS::Logs::LogGroup"},
        }
    )
    repo, bare = rs["Repo"], rs["Bare"]
    assert repo.attrs["scan_on_push"] is True and repo.attrs["image_tag_mutability"] == "IMMUTABLE"
    assert repo.attrs["kms_key"] == Ref("cfn:t.yaml#Key", "Arn")
    assert repo.attrs["policy"]["Statement"][0]["Action"] == ["ecr:BatchGetImage"]
    assert bare.attrs["scan_on_push"] is False and bare.provenance["scan_on_push"] == "default"
    assert bare.attrs["encryption_type"] == "AES256" and bare.attrs["policy"] is None
    key = rs["Key"]
    assert key.attrs["enable_key_rotation"] is True and key.attrs["deletion_window_in_days"] == 7
    assert key.attrs["key_spec"] == "SYMMETRIC_DEFAULT"
    assert rs["Lg"].attrs["retention_in_days"] == 14
    assert rs["Forever"].attrs["retention_in_days"] is None


def test_cloudformation_security_group_ingress_fold_and_links():
    rs, batch = cfn_batch(
        {
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupName": "ml",
                    "GroupDescription": "d",
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 8888, "ToPort": 8888, "CidrIp": "10.0.0.0/8"}
                    ],
                },
            },
            "ByRef": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "-1", "CidrIpv6": "::/0"},
            },
            "ByName": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupName": "ml",
                    "IpProtocol": "6",
                    "FromPort": 22,
                    "ToPort": 22,
                    "CidrIp": "0.0.0.0/0",
                },
            },
            "Nb": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Properties": {
                    "InstanceType": "ml.t3.medium",
                    "RoleArn": "arn:r",
                    "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}, "sg-0abc"],
                },
            },
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Handler": "a.b",
                    "Runtime": "python3.12",
                    "CodeUri": ".",
                    "VpcConfig": {"SubnetIds": ["s"], "SecurityGroupIds": [{"Ref": "Sg"}]},
                },
            },
            "Model": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ExecutionRoleArn": "arn:r",
                    "VpcConfig": {"Subnets": ["s"], "SecurityGroupIds": [{"Ref": "Sg"}]},
                },
            },
        }
    )
    sg = rs["Sg"]
    assert [(r["protocol"], r["cidr_ipv4"], r["cidr_ipv6"]) for r in sg.attrs["ingress"]] == [
        ("tcp", ["10.0.0.0/8"], []),
        ("-1", [], ["::/0"]),
        ("tcp", ["0.0.0.0/0"], []),
    ]
    assert sg.attrs["ingress"][2]["from_port"] == 22
    assert sg_relations(batch) == {
        ("cfn:t.yaml#Nb", "cfn:t.yaml#Sg", "security_group_ids[0]"),
        ("cfn:t.yaml#Nb", "sg-0abc", "security_group_ids[1]"),
        ("cfn:t.yaml#Fn", "cfn:t.yaml#Sg", "vpc_config.security_group_ids[0]"),
        ("cfn:t.yaml#Model", "cfn:t.yaml#Sg", "vpc_config.security_group_ids[0]"),
    }


def test_cloudformation_trail():
    rs, _ = cfn_batch(
        {
            "Trail": {
                "Type": "AWS::CloudTrail::Trail",
                "Properties": {
                    "IsLogging": True,
                    "S3BucketName": "b",
                    "IsMultiRegionTrail": True,
                    "KMSKeyId": "arn:k",
                    "EventSelectors": [
                        {"DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}
                    ],
                    "AdvancedEventSelectors": [
                        {
                            "FieldSelectors": [
                                {"Field": "eventCategory", "Equals": ["Data"]},
                                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::models/"]},
                            ]
                        }
                    ],
                },
            },
            "Plain": {
                "Type": "AWS::CloudTrail::Trail",
                "Properties": {"IsLogging": True, "S3BucketName": "b"},
            },
        }
    )
    t, plain = rs["Trail"], rs["Plain"]
    assert t.attrs["is_multi_region"] is True and t.attrs["kms_key_id"] == "arn:k"
    assert t.attrs["log_file_validation"] is False
    assert t.attrs["data_events"] == [
        {"resource_type": "AWS::Lambda::Function", "values": ["arn:aws:lambda"], "read_write": "All"},
        {"resource_type": "AWS::S3::Object", "values": ["arn:aws:s3:::models/"], "read_write": "All"},
    ]
    assert plain.attrs["data_events"] == [] and plain.provenance["data_events"] == "default"


# ------------------------------------------------------------------------- rules
def verdict(rule_id: str, r: Resource, inv: Inventory) -> tuple[str, str]:
    vs = CATALOGUE.by_id[rule_id].evaluate(r, inv)
    statuses = {v.status for v in vs}
    status = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
    return status, next((v.at for v in vs if v.status == status), "")


def group(uid: str, *rules: dict) -> Resource:
    return Resource(uid, SG, "aws", uid, attrs={"ingress": list(rules)})


def rule_(ipv4=(), ipv6=(), proto="tcp", port=8888) -> dict:
    return ingress_rule(proto, port, port, list(ipv4), list(ipv6))


@pytest.mark.parametrize(
    "user_type", ["aws.sagemaker.notebook_instance", "aws.sagemaker.model", "aws.lambda.function"]
)
def test_security_group_rule_follows_ml_compute(user_type):
    rid = "ml-compute-security-group-not-open-to-internet"
    inv = Inventory()
    cases = {
        "open4": group("open4", rule_(["10.0.0.0/8"]), rule_(["0.0.0.0/0"])),
        "open6": group("open6", rule_(ipv6=["::/0"], proto="-1")),
        "private": group("private", rule_(["10.0.0.0/8"])),
        "opaque": group("opaque", {**rule_(), "cidr_ipv4": Unresolved("var.c")}),
        "open_unused": group("open_unused", rule_(["0.0.0.0/0"])),
        "open_non_ml": group("open_non_ml", rule_(["0.0.0.0/0"])),
    }
    inv.extend(cases.values())
    inv.add(Resource("compute", user_type, "aws", "compute"))
    inv.add(Resource("bucket", "aws.s3.bucket", "aws", "bucket"))
    for uid in ("open4", "open6", "private", "opaque"):
        inv.relate("compute", "uses_security_group", uid, "security_group_ids[0]")
    inv.relate("bucket", "uses_security_group", "open_non_ml")  # not ML compute
    got = {k: verdict(rid, r, inv) for k, r in cases.items()}
    assert got == {
        "open4": ("fail", "ingress[1].cidr_ipv4[0]"),
        "open6": ("fail", "ingress[0].cidr_ipv6[0]"),
        "private": ("pass", ""),
        "opaque": ("unknown", "ingress"),
        "open_unused": ("pass", ""),
        "open_non_ml": ("pass", ""),
    }
    (v,) = CATALOGUE.by_id[rid].evaluate(cases["open6"], inv)
    assert "all ports" in v.reason and '"compute"' in v.reason


def test_cloudtrail_data_events_look_across_trails_of_the_account():
    rid = "cloudtrail-logs-lambda-and-s3-data-events"
    s3_all = {"resource_type": "AWS::S3::Object", "values": [], "read_write": "All"}
    fn_read = {"resource_type": "AWS::Lambda::Function", "values": [], "read_write": "ReadOnly"}
    fn_write = {**fn_read, "read_write": "WriteOnly"}

    def trail(uid, events, account="111122223333"):
        return Resource(
            uid, "aws.cloudtrail.trail", "aws", uid, account=account, attrs={"data_events": events}
        )

    mgmt, s3, fns = trail("mgmt", []), trail("s3", [s3_all]), trail("fns", [fn_read, fn_write])
    other_account = trail("other", [s3_all, {**fn_read, "read_write": "All"}], account="444455556666")
    inv = Inventory()
    inv.extend([mgmt, s3, other_account])
    assert verdict(rid, mgmt, inv)[0] == "fail"  # no Lambda events in this account
    inv.add(fns)
    assert {verdict(rid, t, inv)[0] for t in (mgmt, s3, fns)} == {"pass"}
    alone = Inventory()
    alone.add(trail("half", [s3_all, fn_read]))
    (v,) = CATALOGUE.by_id[rid].evaluate(alone.get("half"), alone)
    assert v.status == "fail" and "Lambda invocations" in v.reason


def test_cloudtrail_multi_region_and_validation_report_each_gap():
    t = Resource(
        "t",
        "aws.cloudtrail.trail",
        "aws",
        "t",
        attrs={"is_multi_region": False, "log_file_validation": False},
    )
    vs = CATALOGUE.by_id["cloudtrail-multi-region-and-validated"].evaluate(t, Inventory())
    assert [v.at for v in vs] == ["is_multi_region", "log_file_validation"]


def test_unknown_security_group_lists_link_nothing_and_do_not_crash():
    _, batch = tf_batch(
        tf("aws_sagemaker_notebook_instance", "nb", {"name": "nb", "security_groups": Unresolved("var.sgs")}),
        tf("aws_lambda_function", "fn", {"function_name": "fn", "vpc_config": Unresolved("dynamic")}),
    )
    assert sg_relations(batch) == set()
    _, batch = cfn_batch(
        {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Role": "arn:r", "VpcConfig": {"SecurityGroupIds": {"Ref": "Sgs"}}},
            }
        },
        parameters={"Sgs": {"Type": "List<AWS::EC2::SecurityGroup::Id>"}},
    )
    assert sg_relations(batch) == set()
