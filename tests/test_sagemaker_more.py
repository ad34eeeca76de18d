"""SageMaker Studio user profiles and spaces, feature groups, monitoring schedules, the model
registry and code repositories; Lambda layer versions (permissions folded in) and event
source mappings: both IaC mappings, and the rules that follow relations."""

from __future__ import annotations

from pathlib import Path

from rules.loader import load_catalogue
from scanner.engine import ScanOptions, scan_iac
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved, UnresolvedAccess

CATALOGUE = load_catalogue()
EXAMPLES = Path(__file__).resolve().parent.parent / "rules" / "aws" / "examples"


def scan(tmp_path: Path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    result, inv = scan_iac([p], ScanOptions(include_rules=["lambda-layer-not-public"]))
    assert not result.errors, result.errors
    return inv


def by_name(inv, rtype: str) -> dict[str, Resource]:
    return {r.name: r for r in inv.of_type(rtype)}


def verdict(rule_id: str, r: Resource, inv: Inventory) -> str:
    try:
        vs = CATALOGUE.by_id[rule_id].evaluate(r, inv)
    except UnresolvedAccess:
        return "unknown"
    statuses = {v.status for v in vs}
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


TF = """
resource "aws_sagemaker_domain" "d" {
  domain_name = "d"
  auth_mode   = "IAM"
  vpc_id      = "vpc-1"
  subnet_ids  = ["subnet-1"]
  default_user_settings { execution_role = "arn:aws:iam::123456789012:role/default" }
}
resource "aws_sagemaker_user_profile" "alice" {
  domain_id         = aws_sagemaker_domain.d.id
  user_profile_name = "alice"
  user_settings {
    execution_role = "arn:aws:iam::123456789012:role/alice"
    sharing_settings {
      notebook_output_option = "Disabled"
      s3_kms_key_id          = "arn:aws:kms:us-east-1:123456789012:key/k"
    }
  }
}
resource "aws_sagemaker_space" "lab" {
  domain_id  = aws_sagemaker_domain.d.id
  space_name = "lab"
  ownership_settings { owner_user_profile_name = aws_sagemaker_user_profile.alice.user_profile_name }
  space_sharing_settings { sharing_type = "Shared" }
  space_settings { app_type = "JupyterLab" }
}
resource "aws_sagemaker_code_repository" "with_secret" {
  code_repository_name = "with-secret"
  git_config {
    repository_url = "https://github.com/example/models.git"
    secret_arn     = "arn:aws:secretsmanager:us-east-1:123456789012:secret:git"
  }
}
resource "aws_sagemaker_code_repository" "public" {
  code_repository_name = "public"
  git_config { repository_url = "https://github.com/example/public.git" }
}
resource "aws_sagemaker_model_package_group" "g" {
  model_package_group_name = "g"
}
resource "aws_sagemaker_model_package_group_policy" "g" {
  model_package_group_name = aws_sagemaker_model_package_group.g.model_package_group_name
  resource_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "111122223333" },
                   Action = "sagemaker:DescribeModelPackage", Resource = "*" }]
  })
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
resource "aws_lambda_event_source_mapping" "q" {
  function_name    = aws_lambda_function.fn.arn
  event_source_arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
  batch_size       = 5
  enabled          = false
}
resource "aws_lambda_layer_version" "lib" {
  layer_name = "lib"
  filename   = "layer.zip"
}
resource "aws_lambda_layer_version_permission" "by_name" {
  layer_name     = "lib"
  version_number = 1
  statement_id   = "all"
  action         = "lambda:GetLayerVersion"
  principal      = "*"
}
"""


def test_terraform_mapping(tmp_path):
    inv = scan(tmp_path, "main.tf", TF)
    up = by_name(inv, "aws.sagemaker.user_profile")["alice"]
    assert up.attrs["execution_role"] == "arn:aws:iam::123456789012:role/alice"
    assert up.attrs["notebook_output_option"] == "Disabled"
    assert up.attrs["sharing_s3_kms_key_id"].endswith(":key/k")
    domain = by_name(inv, "aws.sagemaker.domain")["d"]
    assert [r.uid for r in inv.related(up, "in_domain")] == [domain.uid]
    sp = by_name(inv, "aws.sagemaker.space")["lab"]
    assert sp.attrs["sharing_type"] == "Shared" and sp.attrs["app_type"] == "JupyterLab"
    assert [r.uid for r in inv.related(sp, "owned_by")] == [up.uid]
    repos = by_name(inv, "aws.sagemaker.code_repository")
    assert repos["with_secret"].attrs["has_secret"] is True
    assert repos["public"].attrs["has_secret"] is False
    group = by_name(inv, "aws.sagemaker.model_package_group")["g"]
    assert group.attrs["policy"]["Statement"][0]["Principal"] == {"AWS": ["111122223333"]}
    esm = by_name(inv, "aws.lambda.event_source_mapping")["q"]
    assert esm.attrs["enabled"] is False and esm.attrs["batch_size"] == 5
    assert [r.name for r in inv.related(esm, "triggers")] == ["fn"]
    layer = by_name(inv, "aws.lambda.layer_version")["lib"]
    assert layer.attrs["permissions"] == [
        {"principal": "*", "organization_id": None, "action": "lambda:GetLayerVersion"}
    ]
    assert verdict("lambda-layer-not-public", layer, inv) == "fail"


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Principal:
    Type: String
Resources:
  Studio:
    Type: AWS::SageMaker::Domain
    Properties:
      DomainName: studio
      AuthMode: IAM
      VpcId: vpc-1
      SubnetIds: [subnet-1]
      DefaultUserSettings: {ExecutionRole: "arn:aws:iam::123456789012:role/default"}
  Alice:
    Type: AWS::SageMaker::UserProfile
    Properties:
      DomainId: !GetAtt Studio.DomainId
      UserProfileName: alice
      UserSettings:
        SharingSettings: {NotebookOutputOption: Allowed}
  Lab:
    Type: AWS::SageMaker::Space
    Properties:
      DomainId: !GetAtt Studio.DomainId
      SpaceName: lab
      OwnershipSettings: {OwnerUserProfileName: alice}
      SpaceSharingSettings: {SharingType: Private}
  Repo:
    Type: AWS::SageMaker::CodeRepository
    Properties:
      GitConfig: {RepositoryUrl: "https://github.com/example/models.git", Branch: main}
  Group:
    Type: AWS::SageMaker::ModelPackageGroup
    Properties:
      ModelPackageGroupName: g
  Lib:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: b, S3Key: k}
  LibShare:
    Type: AWS::Lambda::LayerVersionPermission
    Properties:
      LayerVersionArn: !Ref Lib
      Action: lambda:GetLayerVersion
      Principal: !Ref Principal
  Queue:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: fn
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs
"""


def test_cloudformation_mapping(tmp_path):
    inv = scan(tmp_path, "t.cfn.yaml", CFN)
    up = by_name(inv, "aws.sagemaker.user_profile")["Alice"]
    assert up.attrs["execution_role"] is None and up.provenance["execution_role"] == "default"
    assert up.attrs["notebook_output_option"] == "Allowed"
    assert [r.name for r in inv.related(up, "in_domain")] == ["Studio"]
    sp = by_name(inv, "aws.sagemaker.space")["Lab"]
    assert sp.attrs["sharing_type"] == "Private"
    assert [r.name for r in inv.related(sp, "owned_by")] == ["Alice"]
    repo = by_name(inv, "aws.sagemaker.code_repository")["Repo"]
    assert repo.attrs["has_secret"] is False and repo.attrs["branch"] == "main"
    assert by_name(inv, "aws.sagemaker.model_package_group")["Group"].attrs["policy"] is None
    layer = by_name(inv, "aws.lambda.layer_version")["Lib"]
    assert layer.attrs["layer_name"] == "Lib"
    assert isinstance(layer.attrs["permissions"][0]["principal"], Unresolved)
    assert layer.provenance["permissions[0].principal"] == "unresolved"
    assert verdict("lambda-layer-not-public", layer, inv) == "unknown"
    esm = by_name(inv, "aws.lambda.event_source_mapping")["Queue"]
    assert esm.attrs["enabled"] is True and esm.provenance["enabled"] == "default"


# ------------------------------------------------------------------------- relation rules
def endpoint_inventory(*schedules: Resource, jds=(), relations=()) -> tuple[Inventory, Resource]:
    inv = Inventory()
    ep = Resource("ep", "aws.sagemaker.endpoint", "aws", "ep", attrs={"endpoint_config_name": "c"})
    inv.extend([ep, *schedules, *jds])
    for src, kind, dst in relations:
        inv.relate(src, kind, dst)
    return inv, ep


def schedule(uid: str, endpoint_name=None) -> Resource:
    return Resource(
        uid, "aws.sagemaker.monitoring_schedule", "aws", uid, attrs={"endpoint_name": endpoint_name}
    )


def job_definition(uid: str, endpoint_name) -> Resource:
    return Resource(
        uid, "aws.sagemaker.data_quality_job_definition", "aws", uid, attrs={"endpoint_name": endpoint_name}
    )


RULE = "sagemaker-endpoint-has-monitoring-schedule"


def test_endpoint_monitoring_schedule_direct_and_through_job_definition():
    inv, ep = endpoint_inventory(
        schedule("s", Ref("ep", "EndpointName")), relations=[("s", "monitors", "ep")]
    )
    assert verdict(RULE, ep, inv) == "pass"
    inv, ep = endpoint_inventory(
        schedule("s"),
        jds=[job_definition("jd", Ref("ep", "name"))],
        relations=[("s", "uses_job_definition", "jd"), ("jd", "monitors", "ep")],
    )
    assert verdict(RULE, ep, inv) == "pass"


def test_endpoint_monitoring_schedule_fail_and_unknown():
    assert verdict(RULE, *reversed(endpoint_inventory())) == "fail"
    # a job definition for the endpoint that no schedule runs monitors nothing
    inv, ep = endpoint_inventory(jds=[job_definition("jd", "ep")], relations=[("jd", "monitors", "ep")])
    assert verdict(RULE, ep, inv) == "fail"
    # a schedule of another endpoint does not count
    inv, ep = endpoint_inventory(schedule("s", "other"), relations=[("s", "monitors", "other")])
    assert verdict(RULE, ep, inv) == "fail"
    # a schedule whose endpoint cannot be told (unresolved, or a job definition outside the scan)
    inv, ep = endpoint_inventory(schedule("s", Unresolved("var.endpoint")))
    assert verdict(RULE, ep, inv) == "unknown"
    inv, ep = endpoint_inventory(schedule("s"), relations=[("s", "uses_job_definition", "elsewhere")])
    assert verdict(RULE, ep, inv) == "unknown"


def test_endpoint_monitoring_schedule_examples_in_terraform_and_cloudformation():
    d = EXAMPLES / "sagemaker-endpoint-has-monitoring-schedule"
    for f in ("endpoints.tf", "endpoints.plan.json", "endpoints.cfn.yaml"):
        result, inv = scan_iac([d / f], ScanOptions(include_rules=[RULE]))
        failed = {x.resource.name for x in result.findings if x.rule_id == RULE and x.status == "fail"}
        assert {n.lower().replace("_", "") for n in failed} == {"failunmonitored"}, f


def test_user_profile_role_through_inventory():
    rule = "sagemaker-user-profile-execution-role-not-admin"
    d = EXAMPLES / rule
    for f in ("profiles.tf", "profiles.plan.json", "profiles.cfn.yaml"):
        result, inv = scan_iac([d / f], ScanOptions(include_rules=[rule]))
        got = {
            x.resource.name.lower().replace("_", ""): x.status for x in result.findings if x.rule_id == rule
        }
        assert got.get("failadminrole") == "fail", (f, got)
        assert "passscopedrole" not in got and "passdomaindefaultrole" not in got
    inv = Inventory()
    up = Resource("up", "aws.sagemaker.user_profile", "aws", "up", attrs={"execution_role": None})
    inv.add(up)
    assert verdict(rule, up, inv) == "pass"
    up2 = Resource(
        "up2", "aws.sagemaker.user_profile", "aws", "up2", attrs={"execution_role": Unresolved("v")}
    )
    inv.add(up2)
    assert verdict(rule, up2, inv) == "unknown"


def test_feature_group_unresolved_and_offline_only():
    rule = "sagemaker-feature-group-encrypted-with-cmk"
    fg = Resource(
        "fg",
        "aws.sagemaker.feature_group",
        "aws",
        "fg",
        attrs={
            "online_store_enabled": Unresolved("v"),
            "online_kms_key_id": None,
            "offline_store_enabled": False,
        },
    )
    assert verdict(rule, fg, Inventory()) == "unknown"
    fg.attrs.update(online_store_enabled=False, offline_store_enabled=True, offline_kms_key_id=None)
    assert verdict(rule, fg, Inventory()) == "fail"


def test_function_layers_account_unknown_or_in_scan():
    rule = "lambda-function-layers-same-account"
    fn = Resource(
        "fn",
        "aws.lambda.function",
        "aws",
        "fn",
        attrs={
            "role_arn": Ref("tf:aws_iam_role.r", "arn"),
            "layers": ["arn:aws:lambda:us-east-1:1:layer:x:1"],
        },
    )
    assert verdict(rule, fn, Inventory()) == "pass"  # the function's account is not literal
    fn.attrs.update(
        role_arn="arn:aws:iam::123456789012:role/fn", layers=[Ref("tf:aws_lambda_layer_version.own", "arn")]
    )
    assert verdict(rule, fn, Inventory()) == "pass"  # a layer of the same scan
    fn.attrs.update(arn="arn:aws:lambda:us-east-1:123456789012:function:fn", layers=Unresolved("v"))
    assert verdict(rule, fn, Inventory()) == "unknown"
