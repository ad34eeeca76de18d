"""Generate a realistic CloudFormation/SAM corpus of ML infrastructure for benchmarks.

Each stack is one template (YAML with short-form intrinsics, or JSON every fifth stack)
with parameters, conditions, mappings, an execution role with an inline policy, a
SageMaker notebook, model, endpoint configuration and endpoint, a SAM function with a
function URL and environment, a bucket with its policy, and outputs, all referencing each
other with !Ref, !GetAtt, !Sub and !If:

    python bench/gen_cloudformation.py /tmp/cfncorpus --stacks 500
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HEADER = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: ML stack {n}
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  SubnetId:
    Type: AWS::EC2::Subnet::Id
  InstanceType:
    Type: String
    Default: ml.t3.medium
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  Sizes:
    dev: {{Count: 1}}
    prod: {{Count: 2}}
Resources:
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${{Env}}-stack{n}-artifacts"
      VersioningConfiguration: {{Status: Enabled}}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  ArtifactsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Artifacts
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Artifacts.Arn, !Sub "${{Artifacts.Arn}}/*"]
            Condition: {{Bool: {{aws:SecureTransport: "false"}}}}
"""

UNIT = """  ExecRole{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: [sagemaker.amazonaws.com, lambda.amazonaws.com]}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: access
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: !Sub "${{Artifacts.Arn}}/*"
              - Effect: Allow
                Action: {action}
                Resource: "*"
      Tags: [{{Key: team, Value: ml}}]
  Notebook{i}:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      NotebookInstanceName: !Sub "${{Env}}-stack{n}-nb-{i}"
      InstanceType: !Ref InstanceType
      RoleArn: !GetAtt ExecRole{i}.Arn
      DirectInternetAccess: {internet}
      RootAccess: {root}
      SubnetId: !Ref SubnetId
  Model{i}:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt ExecRole{i}.Arn
      EnableNetworkIsolation: {isolation}
      PrimaryContainer:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:{i}
        ModelDataUrl: !Sub "s3://${{Artifacts}}/model-{i}.tar.gz"
        Environment: {{MODEL_NAME: model-{i}, LOG_LEVEL: INFO}}
  EndpointConfig{i}:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: primary
          ModelName: !GetAtt Model{i}.ModelName
          InitialInstanceCount: !FindInMap [Sizes, !Ref Env, Count]
          InstanceType: ml.m5.large
      KmsKeyId: !If [IsProd, alias/ml, !Ref AWS::NoValue]
  Endpoint{i}:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt EndpointConfig{i}.EndpointConfigName
  Predict{i}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://code-bucket/predict-{i}.zip
      Role: !GetAtt ExecRole{i}.Arn
      Timeout: 30
      Environment:
        Variables:
          ENDPOINT: !GetAtt Endpoint{i}.EndpointName
          STAGE: !Ref Env
      FunctionUrlConfig:
        AuthType: {auth}
"""

FOOTER = """Outputs:
  ArtifactsArn:
    Value: !GetAtt Artifacts.Arn
"""


def _units(rng: random.Random, n: int, per_stack: int) -> str:
    out = []
    for i in range(per_stack):
        out.append(
            UNIT.format(
                n=n,
                i=i,
                action=rng.choice(
                    ['"sagemaker:InvokeEndpoint"', '"logs:PutLogEvents"', '"s3:ListBucket"', '"*"']
                ),
                internet=rng.choice(["Enabled", "Disabled", "Disabled"]),
                root=rng.choice(["Enabled", "Disabled"]),
                isolation=rng.choice(["true", "false"]),
                auth=rng.choice(["AWS_IAM", "AWS_IAM", "NONE"]),
            )
        )
    return "".join(out)


def generate(out: Path, stacks: int, per_stack: int = 5, seed: int = 7) -> int:
    """Write `stacks` templates under `out`; returns the number of files."""
    import yaml

    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for n in range(stacks):
        text = HEADER.format(n=n) + _units(rng, n, per_stack) + FOOTER
        d = out / f"stack{n:04d}"
        d.mkdir(exist_ok=True)
        if n % 5 == 4:  # some teams write JSON templates: long-form intrinsics
            doc = yaml.load(text, Loader=_LongForm)
            (d / "template.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
        else:
            (d / "template.yaml").write_text(text, encoding="utf-8")
    return stacks


def _long_form_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(loader, suffix, node):
        name = "Ref" if suffix == "Ref" else ("Fn::GetAtt" if suffix == "GetAtt" else f"Fn::{suffix}")
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Loader.add_multi_constructor("!", construct)
    return Loader


# a YAML loader that turns !Tag short forms into {"Fn::Tag": ...} for the JSON templates
_LongForm = _long_form_loader()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--stacks", type=int, default=500)
    ap.add_argument("--per-stack", type=int, default=5)
    a = ap.parse_args()
    generate(a.out, a.stacks, a.per_stack)
    print(f"{a.stacks} templates in {a.out}")


if __name__ == "__main__":
    main()
