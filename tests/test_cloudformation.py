"""CloudFormation / SAM: loading, intrinsics, SAM expansion, type mapping, secrets,
suppressions and every way a template can be bad."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.collect.iac.cloudformation import load
from scanner.collect.iac.discover import Limits
from scanner.model.resource import Ref, Relation, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.cloudformation import normalize_template
from scanner.normalize.cloudformation.intrinsics import Resolver, find_cycles
from scanner.normalize.cloudformation.template import MAPPERS

PROPERTY_NAMES = [
    "DirectInternetAccess",
    "RootAccess",
    "RoleArn",
    "Role",
    "SecurityGroupIds",
    "InstanceMetadataServiceConfiguration",
    "OnStart",
    "OnCreate",
    "PrimaryContainer",
    "Containers",
    "VpcConfig",
    "ProductionVariants",
    "DataCaptureConfig",
    "EndpointConfigName",
    "DefaultUserSettings",
    "Environment",
    "TracingConfig",
    "Tracing",
    "Layers",
    "Policies",
    "FunctionUrlConfig",
    "DeadLetterQueue",
    "Cors",
    "AuthType",
    "FunctionName",
    "TargetFunctionArn",
    "AssumeRolePolicyDocument",
    "ManagedPolicyArns",
    "PolicyDocument",
    "Roles",
    "Users",
    "Groups",
    "Bucket",
    "BucketEncryption",
    "PublicAccessBlockConfiguration",
    "VersioningConfiguration",
    "LoggingConfiguration",
    "AccessControl",
    "Tags",
    "UserName",
    "ReservedConcurrentExecutions",
    "ExecutionRoleArn",
    "AsyncInferenceConfig",
]

FIXTURES = Path(__file__).parent / "fixtures_cfn"
RAW_SECRETS = [
    "hf_abcdefghijklmnopqrstuvwxyzABCDEF1234",
    "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOp",
    "S3cr3tPassw0rd",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
    "Xk9#mP2$vL7qR4tZ",
]


def load_text(tmp_path: Path, text: str, name: str = "t.yaml", limits: Limits = Limits()):
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return load([f], tmp_path, limits)


def by_name(batch):
    return {r.name: r for r in batch.resources}


def uid(name: str, file: str = "t.yaml") -> str:
    return f"cfn:{file}#{name}"


def assert_no_raw_secrets(batch):
    dumped = (
        json.dumps([r.to_json() for r in batch.resources])
        + json.dumps([rel.to_json() for rel in batch.relations])
        + json.dumps([e.to_json() for e in batch.errors])
    )
    for s in RAW_SECRETS:
        assert s not in dumped


def assert_canonical(r):
    """Every attribute the contract names is present, and nothing else."""
    spec = RESOURCE_TYPES[r.type]
    assert set(r.attrs) == set(spec.attrs) - {"Container"}, (r.type, set(r.attrs) ^ set(spec.attrs))


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sam_batch():
    return load([FIXTURES / "sam_app.yaml"], FIXTURES, Limits())


def test_sam_function_with_globals(sam_batch):
    assert sam_batch.errors == []
    fn = by_name(sam_batch)["InferFunction"]
    assert fn.type == "aws.lambda.function"
    assert_canonical(fn)
    a = fn.attrs
    assert a["runtime"] == "python3.12"  # from Globals
    assert a["tracing_mode"] == "Active"
    assert a["layers"] == [
        "arn:aws:lambda:us-east-1:123456789012:layer:common:1",
        "arn:aws:lambda:us-east-1:123456789012:layer:torch:3",
    ]  # lists add up
    assert a["environment"]["STAGE"] == "prod" and a["environment"]["LOG_LEVEL"] == "info"  # maps merge
    assert a["dead_letter_target_arn"] == "arn:aws:sqs:us-east-1:123456789012:dlq"
    assert a["reserved_concurrency"] == 5
    assert a["package_type"] == "Zip" and fn.provenance["package_type"] == "default"
    assert a["role_arn"] == Ref(uid("InferFunctionRole", "sam_app.yaml"), "Arn")
    assert fn.source.start_line == 23 and fn.source.end_line < 63
    assert fn.lines["reserved_concurrency"] == 57


def test_sam_implicit_role_and_policies(sam_batch):
    rs = by_name(sam_batch)
    role = rs["InferFunctionRole"]
    assert role.type == "aws.iam.role"
    assert_canonical(role)
    assert role.attrs["assume_role_policy"]["Statement"][0]["Principal"] == {
        "Service": ["lambda.amazonaws.com"]
    }
    managed = role.attrs["managed_policy_arns"]
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in managed
    assert "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess" in managed  # Tracing: Active
    assert "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" in managed
    assert "arn:aws:iam::123456789012:policy/custom" in managed
    shared = uid("SharedPolicy", "sam_app.yaml")
    assert Ref(shared, "Ref") in managed
    names = [p["name"] for p in role.attrs["inline_policies"]]
    assert "DynamoDBCrudPolicy" in names
    template = next(p for p in role.attrs["inline_policies"] if p["name"] == "DynamoDBCrudPolicy")
    # a common SAM policy template is expanded into its documented, table-scoped statements
    assert "dynamodb:DeleteItem" in template["document"]["Statement"][0]["Action"]
    assert all(isinstance(r, Unresolved) for r in template["document"]["Statement"][0]["Resource"])
    stmt_docs = [p["document"] for p in role.attrs["inline_policies"] if isinstance(p["document"], dict)]
    actions = {a for d in stmt_docs for s in d["Statement"] for a in s["Action"]}
    assert {"sagemaker:InvokeEndpoint", "sqs:SendMessage"} <= actions
    rels = set(sam_batch.relations)
    fn_uid, role_uid = uid("InferFunction", "sam_app.yaml"), uid("InferFunctionRole", "sam_app.yaml")
    assert Relation(fn_uid, "execution_role", role_uid, "role_arn") in rels
    assert any(r.src == role_uid and r.kind == "attached_policy" and r.dst == shared for r in rels)
    # The managed policy's Sub resolved Partition and the parameter default.
    doc = rs["SharedPolicy"].attrs["document"]
    assert doc["Statement"][0]["Resource"] == ["arn:aws:s3:::models-prod/*"]


def test_sam_function_url_and_public_permission(sam_batch):
    rs = by_name(sam_batch)
    url = rs["InferFunctionUrl"]
    assert url.type == "aws.lambda.function_url"
    assert_canonical(url)
    fn_uid = uid("InferFunction", "sam_app.yaml")
    assert url.attrs["auth_type"] == "NONE"
    assert url.attrs["cors"] == {
        "allow_origins": ["*"],
        "allow_methods": ["POST"],
        "allow_credentials": False,
    }
    assert Relation(url.uid, "url_of", fn_uid, "function_name") in sam_batch.relations
    perm = rs["InferFunctionUrlPublicPermissions"]
    assert perm.attrs["principal"] == "*" and perm.attrs["function_url_auth_type"] == "NONE"
    assert Relation(perm.uid, "grants_on", fn_uid, "function_name") in sam_batch.relations


def test_sam_explicit_role_image_function(sam_batch):
    rs = by_name(sam_batch)
    assert "TrainFunctionRole" not in rs
    fn = rs["TrainFunction"].attrs
    assert fn["package_type"] == "Image"
    assert fn["image_uri"].endswith("train:latest")
    assert fn["tracing_mode"] == "PassThrough"
    assert fn["vpc_config"] == {"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"]}
    assert fn["role_arn"] == Ref(uid("TrainRole", "sam_app.yaml"), "Arn")
    assert (
        Relation(
            uid("TrainFunction", "sam_app.yaml"),
            "execution_role",
            uid("TrainRole", "sam_app.yaml"),
            "role_arn",
        )
        in sam_batch.relations
    )


def test_secrets_scrubbed_everywhere(sam_batch):
    fn = by_name(sam_batch)["InferFunction"]
    env = fn.attrs["environment"]
    assert env["OPENAI_API_KEY"] == "[REDACTED:openai-api-key]"
    assert "[REDACTED:database-url-password]" in env["DB_URL"]
    kinds = {(s["path"], s["kind"]) for s in fn.attrs["secrets"]}
    assert ("environment.OPENAI_API_KEY", "openai-api-key") in kinds
    assert all(s["line"] for s in fn.attrs["secrets"])
    stack = by_name(sam_batch)["sam_app"]
    assert stack.type == "aws.cloudformation.stack" and stack.uid == "cfn:sam_app.yaml"
    assert stack.attrs["parameters"]["HfToken"]["no_echo"] is True
    assert stack.attrs["parameters"]["HfToken"]["default"].startswith("[REDACTED:")
    assert stack.attrs["secrets"][0]["path"] == "parameters.HfToken.default"
    assert stack.lines["parameters.HfToken.default"] == 11
    assert stack.attrs["transform"] == ["AWS::Serverless-2016-10-31"]
    assert_no_raw_secrets(sam_batch)


def test_suppressions(sam_batch):
    fn = by_name(sam_batch)["InferFunction"]
    rules = {(s.rule, s.reason, s.expires) for s in fn.suppressions}
    assert ("lambda-function-url-auth", "public demo", "2030-01-01") in rules
    assert ("CKV_AWS_117", "no VPC needed", None) in rules
    assert all(s.line for s in fn.suppressions)


def test_json_template_sagemaker(tmp_path):
    b = load([FIXTURES / "ml_stack.json"], FIXTURES, Limits())
    assert b.errors == []
    rs = by_name(b)
    nb = rs["Notebook"]
    assert_canonical(nb)
    assert nb.attrs["direct_internet_access"] is False and nb.attrs["root_access"] is False
    assert nb.attrs["imds_min_version"] == "2"
    assert nb.attrs["kms_key_id"] == Unresolved("Ref KmsKey") and nb.provenance["kms_key_id"] == "unresolved"
    assert nb.lines["direct_internet_access"] == 12
    rels = set(b.relations)
    assert Relation(nb.uid, "execution_role", uid("NotebookRole", "ml_stack.json"), "role_arn") in rels
    assert (
        Relation(nb.uid, "lifecycle_config", uid("Lifecycle", "ml_stack.json"), "lifecycle_config_name")
        in rels
    )
    lc = rs["Lifecycle"]
    assert_canonical(lc)
    assert lc.attrs["on_start"].startswith("#!/bin/bash")  # base64 decoded
    assert "[REDACTED:aws-access-key-id]" in lc.attrs["on_start"]
    assert lc.attrs["secrets"][0]["kind"] == "aws-access-key-id"
    assert lc.attrs["on_create"] is None and lc.provenance["on_create"] == "default"
    assert_no_raw_secrets(b)


# ------------------------------------------------------------------- type mapping
def test_notebook_defaults(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties: {InstanceType: ml.t3.medium, RoleArn: arn:aws:iam::1:role/r}
    """,
    )
    nb = by_name(b)["Nb"]
    for attr, want in (
        ("direct_internet_access", True),
        ("root_access", True),
        ("imds_min_version", "1"),
        ("security_group_ids", []),
    ):
        assert nb.attrs[attr] == want
        assert nb.provenance[attr] == "default"
    assert nb.provenance_of("instance_type") == "explicit"
    assert Relation(nb.uid, "execution_role", "arn:aws:iam::1:role/r", "role_arn") in b.relations


def test_lifecycle_fn_base64_of_literal(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Lc:
            Type: AWS::SageMaker::NotebookInstanceLifecycleConfig
            Properties:
              OnCreate:
                - Content: !Base64 |
                    #!/bin/bash
                    echo hi
                    export GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
    """,
    )
    lc = by_name(b)["Lc"]
    assert lc.attrs["on_create"].startswith("#!/bin/bash\necho hi")
    assert lc.attrs["secrets"] == [
        {
            "path": "on_create",
            "kind": "github-token",
            "fingerprint": lc.attrs["secrets"][0]["fingerprint"],
            "line": 10,
        }
    ]
    assert_no_raw_secrets(b)


def test_model_endpoint_config_endpoint(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Model:
            Type: AWS::SageMaker::Model
            Properties:
              ExecutionRoleArn: !GetAtt Role.Arn
              VpcConfig: {Subnets: [subnet-1], SecurityGroupIds: [sg-1]}
              PrimaryContainer:
                Image: 123.dkr.ecr.us-east-1.amazonaws.com/llm:1
                ModelDataUrl: s3://models/llm.tar.gz
                Environment:
                  HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyzABCDEF1234
                  MAX_TOKENS: 512
              Containers:
                - Image: 123.dkr.ecr.us-east-1.amazonaws.com/post:1
                  Mode: SingleModel
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{Effect: Allow, Principal: {Service: sagemaker.amazonaws.com}, Action: sts:AssumeRole}]
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              KmsKeyId: alias/sm
              ProductionVariants:
                - VariantName: main
                  ModelName: !GetAtt Model.ModelName
                  InstanceType: ml.g5.xlarge
                  InitialInstanceCount: 2
                - VariantName: cheap
                  ModelName: !Ref Model
                  ServerlessConfig: {MaxConcurrency: 1, MemorySizeInMB: 2048}
              DataCaptureConfig:
                DestinationS3Uri: s3://capture
                InitialSamplingPercentage: 10
                CaptureOptions: [{CaptureMode: Input}]
              AsyncInferenceConfig:
                OutputConfig: {KmsKeyId: alias/async}
          Endpoint:
            Type: AWS::SageMaker::Endpoint
            Properties:
              EndpointConfigName: !GetAtt Config.EndpointConfigName
    """,
    )
    assert b.errors == []
    rs = by_name(b)
    m = rs["Model"]
    assert_canonical(m)
    assert (
        m.attrs["enable_network_isolation"] is False and m.provenance["enable_network_isolation"] == "default"
    )
    assert m.attrs["vpc_config"] == {"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"]}
    c0, c1 = m.attrs["containers"]
    assert c0["environment"] == {"HF_TOKEN": "[REDACTED:huggingface-token]", "MAX_TOKENS": "512"}
    assert c0["model_data_url"] == "s3://models/llm.tar.gz"
    assert c1["mode"] == "SingleModel" and c1["environment"] == {}
    assert m.attrs["secrets"][0]["path"] == "containers[0].environment.HF_TOKEN"
    cfg = rs["Config"]
    assert_canonical(cfg)
    v0, v1 = cfg.attrs["production_variants"]
    assert v0["model_name"] == Ref(uid("Model"), "ModelName") and v0["initial_instance_count"] == 2
    assert v0["serverless"] is False and v1["serverless"] is True
    assert cfg.attrs["data_capture"] == {"enabled": True, "kms_key_id": None, "destination": "s3://capture"}
    assert cfg.attrs["async_output_kms_key_id"] == "alias/async"
    ep = rs["Endpoint"]
    assert_canonical(ep)
    rels = set(b.relations)
    assert Relation(m.uid, "execution_role", uid("Role"), "execution_role_arn") in rels
    assert Relation(cfg.uid, "serves_model", uid("Model"), "production_variants[0].model_name") in rels
    assert Relation(cfg.uid, "serves_model", uid("Model"), "production_variants[1].model_name") in rels
    assert Relation(ep.uid, "uses_config", uid("Config"), "endpoint_config_name") in rels
    assert_no_raw_secrets(b)


def test_domain_defaults_and_role(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Studio:
            Type: AWS::SageMaker::Domain
            Properties:
              AuthMode: IAM
              DomainName: d
              VpcId: vpc-1
              SubnetIds: [subnet-1, subnet-2]
              DefaultUserSettings:
                ExecutionRole: arn:aws:iam::123456789012:role/studio
    """,
    )
    d = by_name(b)["Studio"]
    assert_canonical(d)
    assert d.attrs["app_network_access_type"] == "PublicInternetOnly"
    assert d.provenance["app_network_access_type"] == "default"
    assert d.attrs["subnet_ids"] == ["subnet-1", "subnet-2"]
    assert d.attrs["default_execution_role"] == "arn:aws:iam::123456789012:role/studio"
    assert (
        Relation(d.uid, "execution_role", "arn:aws:iam::123456789012:role/studio", "default_execution_role")
        in b.relations
    )


def test_plain_lambda_url_and_permission(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: app.h
              Role: arn:aws:iam::123456789012:role/fn
              Code: {ZipFile: "def h(e, c): pass"}
              Environment:
                Variables:
                  DB_PASSWORD: Xk9#mP2$vL7qR4tZ
              TracingConfig: {Mode: Active}
              DeadLetterConfig: {TargetArn: !GetAtt Dlq.Arn}
          Dlq:
            Type: AWS::SQS::Queue
          Url:
            Type: AWS::Lambda::Url
            Properties:
              TargetFunctionArn: !GetAtt Fn.Arn
              AuthType: AWS_IAM
          Perm:
            Type: AWS::Lambda::Permission
            Properties:
              FunctionName: !Ref Fn
              Action: lambda:InvokeFunction
              Principal: s3.amazonaws.com
              SourceArn: arn:aws:s3:::bucket
              SourceAccount: "123456789012"
    """,
    )
    assert b.errors == []
    rs = by_name(b)
    fn = rs["Fn"]
    assert_canonical(fn)
    assert fn.attrs["tracing_mode"] == "Active"
    assert fn.attrs["environment"]["DB_PASSWORD"] == "[REDACTED:generic-high-entropy]"
    assert fn.attrs["dead_letter_target_arn"] == Ref(uid("Dlq"), "Arn")
    assert fn.attrs["layers"] == [] and fn.provenance["layers"] == "default"
    assert fn.attrs["function_name"] == "Fn" and fn.provenance["function_name"] == "default"
    url, perm = rs["Url"], rs["Perm"]
    assert_canonical(url)
    assert_canonical(perm)
    assert url.attrs["function_name"] == Ref(fn.uid, "Arn") and url.attrs["cors"] is None
    assert perm.attrs["principal"] == "s3.amazonaws.com" and perm.attrs["source_account"] == "123456789012"
    rels = set(b.relations)
    assert Relation(url.uid, "url_of", fn.uid, "function_name") in rels
    assert Relation(perm.uid, "grants_on", fn.uid, "function_name") in rels
    assert_no_raw_secrets(b)


def test_iam_principals_and_policy_folding(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: exec
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "arn:aws:iam::999999999999:root"}
                    Action: sts:AssumeRole
              Policies:
                - PolicyName: inline
                  PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
              ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
              PermissionsBoundary: arn:aws:iam::123456789012:policy/boundary
          Extra:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: extra
              PolicyDocument: {Statement: [{Effect: Allow, Action: iam:PassRole, Resource: "*"}]}
              Roles: [exec]
              Users: [!Ref User]
          Managed:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              ManagedPolicyName: shared
              PolicyDocument: {Statement: [{Effect: Allow, Action: "sagemaker:*", Resource: "*"}]}
              Roles: [!Ref Role]
              Groups: [!Ref Group]
          User:
            Type: AWS::IAM::User
            Properties:
              Groups: [!Ref Group]
          Key:
            Type: AWS::IAM::AccessKey
            Properties: {UserName: !Ref User}
          Group:
            Type: AWS::IAM::Group
            Properties: {GroupName: ml}
    """,
    )
    assert b.errors == []
    rs = by_name(b)
    assert "Extra" not in rs  # AWS::IAM::Policy is folded, not a resource of its own
    role = rs["Role"]
    assert_canonical(role)
    assert role.attrs["role_name"] == "exec"
    assert role.attrs["assume_role_policy"]["Statement"][0]["Principal"] == {
        "AWS": ["arn:aws:iam::999999999999:root"]
    }
    assert [p["name"] for p in role.attrs["inline_policies"]] == ["inline", "extra"]
    assert role.attrs["permissions_boundary"] == "arn:aws:iam::123456789012:policy/boundary"
    managed_uid = uid("Managed")
    assert role.attrs["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        Ref(managed_uid, "Ref"),
    ]
    pol = rs["Managed"]
    assert pol.type == "aws.iam.policy"
    assert_canonical(pol)
    assert pol.attrs["policy_name"] == "shared"
    user, group = rs["User"], rs["Group"]
    assert_canonical(user)
    assert_canonical(group)
    assert [p["name"] for p in user.attrs["inline_policies"]] == ["extra"]
    assert user.attrs["access_keys"] == 1
    assert user.attrs["groups"] == [Ref(group.uid, "Ref")]
    assert group.attrs["managed_policy_arns"] == [Ref(managed_uid, "Ref")]
    rels = set(b.relations)
    assert Relation(role.uid, "attached_policy", managed_uid, "managed_policy_arns[1]") in rels
    assert Relation(group.uid, "attached_policy", managed_uid, "managed_policy_arns[0]") in rels
    assert Relation(user.uid, "member_of", group.uid, "groups[0]") in rels


def test_bucket_and_bucket_policy(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          Data:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: training-data
              AccessControl: PublicRead
              BucketEncryption:
                ServerSideEncryptionConfiguration:
                  - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: alias/data}
              PublicAccessBlockConfiguration: {BlockPublicAcls: true, RestrictPublicBuckets: "true"}
              VersioningConfiguration: {Status: Enabled}
              LoggingConfiguration: {DestinationBucketName: logs}
          Plain:
            Type: AWS::S3::Bucket
          Policy:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref Data
              PolicyDocument:
                Statement: [{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: !Sub "${Data.Arn}/*"}]
    """,
    )
    rs = by_name(b)
    data, plain = rs["Data"], rs["Plain"]
    assert_canonical(data)
    assert data.attrs["bucket"] == "training-data" and data.attrs["acl"] == "public-read"
    assert data.attrs["encryption"] == {"sse_algorithm": "aws:kms", "kms_key_id": "alias/data"}
    assert data.attrs["public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": False,
        "block_public_policy": False,
        "restrict_public_buckets": True,
    }
    assert data.attrs["versioning"] is True and data.attrs["logging"] is True
    stmt = data.attrs["policy"]["Statement"][0]
    assert stmt["Principal"] == "*" and isinstance(stmt["Resource"], Unresolved)  # ${Data.Arn}
    assert data.provenance_of("policy") == "explicit"
    assert plain.attrs["versioning"] is False and plain.provenance["versioning"] == "default"
    assert plain.attrs["logging"] is False and plain.attrs["policy"] is None
    assert plain.attrs["encryption"] is None and plain.attrs["acl"] is None


def test_every_cloudformation_type_is_mapped():
    from scanner.normalize.cloudformation.template import MAPPERS

    folded = {"AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::Serverless::Function", "(template)"}
    for spec in RESOURCE_TYPES.values():
        for cfn_type in spec.cloudformation:
            assert cfn_type in MAPPERS or cfn_type in folded, cfn_type


# ------------------------------------------------------------------------ intrinsics
def test_intrinsics(tmp_path):
    b = load_text(
        tmp_path,
        """
        Parameters:
          Env: {Type: String, Default: prod}
          Subnets: {Type: CommaDelimitedList, Default: "subnet-a, subnet-b"}
          NoDefault: {Type: String}
        Mappings:
          Sizes: {prod: {Type: ml.m5.xlarge}}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          IsDev: !Not [!Condition IsProd]
          Unknown: !Equals [!Ref NoDefault, x]
          Both: !And [!Condition IsProd, !Or [!Condition Unknown, true]]
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              RoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/nb"
              InstanceType: !FindInMap [Sizes, !Ref Env, Type]
              DirectInternetAccess: !If [IsProd, Disabled, Enabled]
              RootAccess: !If [Unknown, Disabled, Enabled]
              SubnetId: !Select [1, !Ref Subnets]
              KmsKeyId: !ImportValue shared-key
              SecurityGroupIds:
                - !Join ["-", [sg, !Ref Env]]
                - !If [IsDev, sg-dev, !Ref AWS::NoValue]
                - !Sub ["${Prefix}-${Env}-${!Literal}", {Prefix: sg}]
                - !Select [0, !Split [",", "sg-x,sg-y"]]
              LifecycleConfigName: !If [Both, lc-prod, !Ref AWS::NoValue]
              InstanceMetadataServiceConfiguration: !Ref AWS::NoValue
              VolumeSizeInGB: !Select [0, !GetAZs ""]
    """,
    )
    assert b.errors == []
    nb = by_name(b)["Nb"]
    a = nb.attrs
    assert a["role_arn"] == Unresolved(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/nb", "arn:aws:iam::"
    )
    assert nb.provenance["role_arn"] == "unresolved"
    assert a["instance_type"] == "ml.m5.xlarge"
    assert a["direct_internet_access"] is False
    assert isinstance(a["root_access"], Unresolved)
    assert a["subnet_id"] == "subnet-b"
    assert a["kms_key_id"] == Unresolved('Fn::ImportValue "shared-key"')
    assert a["security_group_ids"] == ["sg-prod", "sg-prod-${Literal}", "sg-x"]
    assert a["lifecycle_config_name"] == "lc-prod"  # And(True, Or(None, True)) is decided
    assert a["imds_min_version"] == "1" and nb.provenance["imds_min_version"] == "default"


def test_ref_param_without_default_and_sub_of_resource(tmp_path):
    b = load_text(
        tmp_path,
        """
        Parameters:
          Role: {Type: String}
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Role: !Ref Role
              Environment:
                Variables:
                  BUCKET: !Sub "${Data}-x"
                  TOKEN: !Sub "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB${AWS::Region}"
          Data:
            Type: AWS::S3::Bucket
    """,
    )
    fn = by_name(b)["Fn"]
    assert fn.attrs["role_arn"] == Unresolved("Ref Role")
    assert not [r for r in b.relations if r.kind == "execution_role"]
    assert fn.attrs["environment"]["BUCKET"] == Unresolved("${Data}-x")
    assert isinstance(fn.attrs["environment"]["TOKEN"], Unresolved)
    assert fn.attrs["secrets"][0]["path"] == "environment.TOKEN"
    assert_no_raw_secrets(b)


def test_circular_resource_references_terminate(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          A:
            Type: AWS::IAM::Role
            Properties:
              RoleName: !Sub "${B}-a"
              AssumeRolePolicyDocument: {Statement: []}
              PermissionsBoundary: !GetAtt B.Arn
          B:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: !GetAtt A.Arn}]}
            DependsOn: A
          C:
            Type: AWS::S3::Bucket
            DependsOn: C
    """,
    )
    cycles = [e for e in b.errors if "circular" in e.reason]
    assert len(cycles) == 2
    assert "A -> B -> A" in cycles[0].reason and cycles[0].file == "t.yaml"
    rs = by_name(b)
    assert rs["A"].attrs["permissions_boundary"] == Unresolved("circular reference A -> B")
    assert {"A", "B", "C"} <= set(rs)


def test_circular_conditions_terminate(tmp_path):
    b = load_text(
        tmp_path,
        """
        Conditions:
          X: !Not [!Condition Y]
          Y: !And [!Condition X, true]
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              InstanceType: ml.t3.medium
              RoleArn: arn:aws:iam::1:role/r
              DirectInternetAccess: !If [X, Enabled, Disabled]
    """,
    )
    errs = [e for e in b.errors if "circular condition" in e.reason]
    assert len(errs) == 1
    assert isinstance(by_name(b)["Nb"].attrs["direct_internet_access"], Unresolved)


def test_resolver_depth_limit_and_cycle_finder():
    r = Resolver(parameters={}, mappings={}, conditions={}, resource_uids={})
    deep: object = "x"
    for _ in range(300):
        deep = {"Fn::Base64": deep}
    assert isinstance(r.resolve(deep), Unresolved)
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


# --------------------------------------------------------------------- bad templates
def test_bad_yaml_is_an_error_and_others_still_load(tmp_path):
    (tmp_path / "bad.yaml").write_text("Resources:\n  A:\n    Type: [unclosed\n")
    (tmp_path / "good.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    b = load([tmp_path / "bad.yaml", tmp_path / "good.yaml"], tmp_path, Limits())
    assert len(b.errors) == 1
    e = b.errors[0]
    assert e.source == "cloudformation" and e.file == "bad.yaml" and "line" in e.reason
    assert e.unscanned == "the whole file"
    assert "B" in by_name(b)
    assert b.files == 2


def test_alias_bomb_is_refused(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    lines.append("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: *a9}")
    b = load_text(tmp_path, "\n".join(lines) + "\n")
    assert len(b.errors) == 1 and "limit" in b.errors[0].reason
    assert b.resources == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- a\n- b\n", "top level is not a mapping"),
        ("Description: x\n", "no Resources section"),
        ("Resources: [a]\n", "Resources is not a mapping"),
        ("", "empty document"),
    ],
)
def test_structural_errors(tmp_path, text, reason):
    b = load_text(tmp_path, text)
    assert [e.reason for e in b.errors] == [reason]
    assert b.resources == []


def test_non_utf8_and_oversized(tmp_path):
    (tmp_path / "latin.yaml").write_bytes(b"Resources:\n  A:\n    Type: AWS::S3::Bucket # caf\xe9\n")
    (tmp_path / "big.yaml").write_text("Resources: {}\n" + "#" * 200 + "\n")
    b = load([tmp_path / "latin.yaml", tmp_path / "big.yaml"], tmp_path, Limits(max_file_bytes=100))
    reasons = {e.file: e.reason for e in b.errors}
    assert "UTF-8" in reasons["latin.yaml"]
    assert "limit" in reasons["big.yaml"]


def test_bad_resource_is_skipped_others_kept(tmp_path):
    b = load_text(
        tmp_path,
        """
        Resources:
          NoType:
            Properties: {}
          NotMapping: hello
          BadProps:
            Type: AWS::S3::Bucket
            Properties: [1]
          Good:
            Type: AWS::S3::Bucket
    """,
    )
    assert sorted(e.unscanned for e in b.errors) == [
        "resource BadProps",
        "resource NoType",
        "resource NotMapping",
    ]
    assert "Good" in by_name(b)


def test_json_with_tabs_keeps_lines(tmp_path):
    text = (
        '{\n\t"Resources": {\n\t\t"B": {\n\t\t\t"Type": "AWS::S3::Bucket",\n'
        '\t\t\t"Properties": {"BucketName": "x"}\n\t\t}\n\t}\n}\n'
    )
    b = load_text(tmp_path, text, name="t.json")
    assert b.errors == []
    bucket = by_name(b)["B"]
    assert bucket.lines["bucket"] == 5 and bucket.source.start_line == 3


def test_scan_iac_end_to_end():
    from scanner.engine import ScanOptions, scan_iac

    result, inv = scan_iac([FIXTURES], ScanOptions(include_rules=["sagemaker-notebook-no-direct-internet"]))
    assert [e for e in result.errors if e.source == "cloudformation"] == []
    fn = inv.get("cfn:sam_app.yaml#InferFunction")
    assert [r.name for r in inv.related(fn, "execution_role")] == ["InferFunctionRole"]


def test_properties_behind_undecidable_if_are_unresolved(tmp_path):
    b = load_text(
        tmp_path,
        """
        Parameters:
          Mode: {Type: String}
        Conditions:
          Locked: !Equals [!Ref Mode, locked]
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties: !If
              - Locked
              - {InstanceType: ml.t3.medium, RoleArn: r, DirectInternetAccess: Disabled}
              - {InstanceType: ml.t3.medium, RoleArn: r}
          Model:
            Type: AWS::SageMaker::Model
            Properties: !If [Locked, {ExecutionRoleArn: a}, {ExecutionRoleArn: b}]
          Fn:
            Type: AWS::Serverless::Function
            Properties: !If [Locked, {Runtime: python3.12}, {Runtime: python3.11}]
    """,
    )
    rs = by_name(b)
    assert isinstance(rs["Nb"].attrs["direct_internet_access"], Unresolved)
    assert rs["Nb"].provenance["direct_internet_access"] == "unresolved"
    assert isinstance(rs["Model"].attrs["containers"], Unresolved)
    assert isinstance(rs["Fn"].attrs["runtime"], Unresolved)
    assert not [e for e in b.errors if "could not map" in e.reason]


# Arbitrary property values (intrinsics included) must never crash a mapper.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        ["", "Enabled", "Disabled", "NONE", "Active", "*", "arn:aws:iam::1:role/r", "Res", "P", "X"]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "Ref",
                    "Fn::GetAtt",
                    "Fn::Sub",
                    "Fn::If",
                    "Fn::Join",
                    "Fn::Select",
                    "Statement",
                    "Content",
                    "Variables",
                    "Image",
                    "Key",
                    "Value",
                ]
            ),
            inner,
            max_size=2,
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rtype=st.sampled_from(
        sorted(MAPPERS)
        + ["AWS::Serverless::Function", "AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::IAM::AccessKey"]
    ),
    props=st.dictionaries(st.sampled_from(PROPERTY_NAMES), _values, max_size=6),
)
def test_mappers_never_crash(rtype, props):
    doc = {
        "Parameters": {"P": {"Type": "String"}},
        "Conditions": {"X": {"Fn::Equals": [{"Ref": "P"}, "a"]}},
        "Resources": {
            "Res": {"Type": rtype, "Properties": props},
            "Other": {"Type": "AWS::IAM::Role", "Properties": {}},
        },
    }
    batch = normalize_template(doc, "f.yaml")
    assert not [e for e in batch.errors if "could not map" in e.reason], batch.errors
    json.dumps([r.to_json() for r in batch.resources])
