"""VPC endpoints and the VPC-only Studio domain rule, IAM instance profiles, and the
training jobs of pipeline Tuning steps."""

from __future__ import annotations

import json
from pathlib import Path

from rules.loader import load_catalogue
from scanner.engine import ScanOptions, scan_iac
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, SourceRef, Unresolved
from scanner.normalize.sagemaker_pipeline import TRAINING, job_attrs, pipeline_jobs

CATALOGUE = load_catalogue()
RULE = "sagemaker-vpc-only-domain-has-runtime-endpoints"
ROLE = "arn:aws:iam::123456789012:role/train"


def scan(tmp_path: Path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    result, inv = scan_iac([p], ScanOptions())
    assert not result.errors, result.errors
    return result, inv


def res(uid: str, rtype: str, **attrs) -> Resource:
    return Resource(uid=uid, type=rtype, provider="aws", name=uid, attrs=attrs, source=SourceRef("iac", "x"))


def verdict(domain: Resource, inv: Inventory) -> str:
    inv.add(domain)
    (v,) = CATALOGUE.by_id[RULE].evaluate(domain, inv)
    return v.status


def endpoint(uid: str, vpc, svc: str, etype="Interface") -> Resource:
    return res(uid, "aws.ec2.vpc_endpoint", vpc_id=vpc, service_name=svc, vpc_endpoint_type=etype)


# ------------------------------------------------------------------------- normalizers
def test_vpc_endpoint_and_instance_profile_terraform(tmp_path):
    _, inv = scan(
        tmp_path,
        "main.tf",
        """
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-1"
  service_name = "com.amazonaws.us-east-1.s3"
  policy       = jsonencode({Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "*",
                                           Principal = "*"}]})
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
resource "aws_iam_instance_profile" "p" {
  name = "p"
  role = aws_iam_role.r.name
}
""",
    )
    (ep,) = inv.of_type("aws.ec2.vpc_endpoint")
    assert ep.attrs["vpc_endpoint_type"] == "Gateway" and ep.provenance["vpc_endpoint_type"] == "default"
    assert ep.attrs["private_dns_enabled"] is False
    assert ep.attrs["policy"]["Statement"][0]["Action"] == ["s3:GetObject"]
    (prof,) = inv.of_type("aws.iam.instance_profile")
    assert [r.uid for r in inv.related(prof, "has_role")] == ["tf:aws_iam_role.r"]


def test_vpc_endpoint_and_instance_profile_cloudformation(tmp_path):
    _, inv = scan(
        tmp_path,
        "t.cfn.yaml",
        """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Role]
  Api:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-1
      ServiceName: com.amazonaws.us-east-1.sagemaker.api
      VpcEndpointType: Interface
      PrivateDnsEnabled: true
      PolicyDocument: {Statement: [{Effect: Allow, Action: "sagemaker:*", Resource: "*", Principal: "*"}]}
""",
    )
    (ep,) = inv.of_type("aws.ec2.vpc_endpoint")
    assert ep.attrs["vpc_endpoint_type"] == "Interface" and ep.attrs["private_dns_enabled"] is True
    assert ep.attrs["policy"]["Statement"][0]["Action"] == ["sagemaker:*"]
    (prof,) = inv.of_type("aws.iam.instance_profile")
    assert prof.attrs["name"] == "Profile"
    assert [r.type for r in inv.related(prof, "has_role")] == ["aws.iam.role"]


# ------------------------------------------------------------------------- the rule
def test_vpc_only_domain_endpoints_verdicts():
    d = res("d", "aws.sagemaker.domain", app_network_access_type="VpcOnly", vpc_id=Ref("tf:aws_vpc.v", "id"))
    inv = Inventory()
    inv.extend([endpoint("api", Ref("tf:aws_vpc.v", "id"), "com.amazonaws.us-east-1.sagemaker.api")])
    assert verdict(d, inv) == "fail"  # runtime missing
    inv.add(endpoint("rt", Ref("tf:aws_vpc.other", "id"), "com.amazonaws.us-east-1.sagemaker.runtime"))
    assert verdict(d, inv) == "fail"  # another VPC's endpoint
    inv.add(
        endpoint("rt-gw", Ref("tf:aws_vpc.v", "id"), "com.amazonaws.us-east-1.sagemaker.runtime", "Gateway")
    )
    assert verdict(d, inv) == "fail"  # not an interface endpoint
    inv.add(endpoint("rt-u", Unresolved("var.vpc"), "com.amazonaws.us-east-1.sagemaker.runtime"))
    assert verdict(d, inv) == "unknown"  # may be in the domain's VPC
    inv.add(
        endpoint("rt-ok", Ref("tf:aws_vpc.v", "id"), Unresolved("com.amazonaws.${var.r}.sagemaker.runtime"))
    )
    assert verdict(d, inv) == "pass"


def test_vpc_only_domain_literal_vpc_and_unresolved_vpc():
    inv = Inventory()
    inv.extend(
        [
            endpoint("api", "vpc-1", "com.amazonaws.eu-west-1.sagemaker.api"),
            endpoint("rt", "vpc-1", "com.amazonaws.eu-west-1.sagemaker.runtime"),
        ]
    )
    ok = res("a", "aws.sagemaker.domain", app_network_access_type="VpcOnly", vpc_id="vpc-1")
    other = res("b", "aws.sagemaker.domain", app_network_access_type="VpcOnly", vpc_id="vpc-2")
    unresolved = res("c", "aws.sagemaker.domain", app_network_access_type="VpcOnly", vpc_id=Unresolved("v"))
    public = res("e", "aws.sagemaker.domain", app_network_access_type="PublicInternetOnly", vpc_id="vpc-2")
    assert [verdict(r, inv) for r in (ok, other, unresolved, public)] == ["pass", "fail", "unknown", "pass"]


# ------------------------------------------------------------------------- Tuning steps
TRAIN_DEF = {
    "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.g5.xlarge", "VolumeSizeInGB": 30},
    "StaticHyperParameters": {"epochs": "3", "api_key": "AKIAIOSFODNN7EXAMPLE"},
    "EnableNetworkIsolation": True,
}
TUNING = {
    "Version": "2020-12-01",
    "Steps": [
        {
            "Name": "Tune",
            "Type": "Tuning",
            "Arguments": {"HyperParameterTuningJobConfig": {}, "TrainingJobDefinition": TRAIN_DEF},
        },
        {
            "Name": "TuneMany",
            "Type": "Tuning",
            "Arguments": {
                "TrainingJobDefinitions": [
                    {**TRAIN_DEF, "DefinitionName": "xgb"},
                    {**TRAIN_DEF, "RoleArn": {"Get": "Parameters.Role"}},
                ]
            },
        },
    ],
}


def test_tuning_steps_become_training_jobs():
    specs = pipeline_jobs(TUNING)
    assert [(s.rtype, s.step) for s in specs] == [
        (TRAINING, "Tune"),
        (TRAINING, "TuneMany/xgb"),
        (TRAINING, "TuneMany/1"),
    ]
    a = job_attrs(specs[0], "tf:aws_sagemaker_pipeline.p", "aws_sagemaker_pipeline", 3)
    assert a.attrs["enable_network_isolation"] is True and a.attrs["instance_type"] == "ml.g5.xlarge"
    assert a.attrs["hyperparameters"]["epochs"] == "3"
    assert "AKIA" not in json.dumps(a.attrs) and a.attrs["secrets"][0]["path"] == "hyperparameters.api_key"
    assert isinstance(job_attrs(specs[2], "u", "k", None).attrs["role_arn"], Unresolved)


def test_tuning_step_training_jobs_are_judged_by_training_rules(tmp_path):
    result, inv = scan(
        tmp_path,
        "p.tf",
        'resource "aws_sagemaker_pipeline" "p" {\n'
        '  pipeline_name         = "p"\n'
        '  pipeline_display_name = "p"\n'
        f'  role_arn              = "{ROLE}"\n'
        f"  pipeline_definition   = jsonencode({json.dumps(TUNING)})\n"
        "}\n",
    )
    names = sorted(r.name for r in inv.of_type(TRAINING))
    assert names == ["p/Tune", "p/TuneMany/1", "p/TuneMany/xgb"]
    fails = {(f.rule_id, f.resource.name) for f in result.findings if f.status == "fail"}
    assert ("sagemaker-training-job-in-vpc", "p/Tune") in fails
    assert ("sagemaker-job-no-secrets", "p/TuneMany/xgb") in fails
    assert not any(
        f.rule_id == "sagemaker-training-job-network-isolation" for f in result.findings if f.status == "fail"
    )
