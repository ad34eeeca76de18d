"""SageMaker jobs declared inside pipelines and state machines, and data-quality job
definitions: the shared definition reader, both IaC mappings, errors and secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules.loader import load_catalogue
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import Unresolved
from scanner.normalize.sagemaker_pipeline import (
    PROCESSING,
    TRAINING,
    TRANSFORM,
    DefinitionError,
    JobSpec,
    job_attrs,
    pipeline_jobs,
    state_machine_jobs,
)

ROLE = "arn:aws:iam::123456789012:role/train"
TRAIN_ARGS = {
    "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.g5.xlarge", "VolumeSizeInGB": 30},
}
CATALOGUE = load_catalogue()


def scan(tmp_path: Path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    return scan_iac([p], ScanOptions())


def jobs(inv) -> dict:
    return {r.name: r for r in inv.of_type(TRAINING, PROCESSING, TRANSFORM)}


# ------------------------------------------------------------------------- the reader
def test_pipeline_steps_conditions_and_expressions():
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {"Name": "Prep", "Type": "Processing", "Arguments": {"RoleArn": {"Get": "Parameters.Role"}}},
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {
                    "IfSteps": [{"Name": "Train", "Type": "Training", "Arguments": TRAIN_ARGS}],
                    "ElseSteps": [{"Name": "Score", "Type": "Transform", "Arguments": {"ModelName": "m"}}],
                },
            },
            {"Name": "Register", "Type": "RegisterModel", "Arguments": {}},
        ],
    }
    specs = pipeline_jobs(json.dumps(definition))
    assert [(s.rtype, s.step) for s in specs] == [
        (PROCESSING, "Prep"),
        (TRAINING, "Train"),
        (TRANSFORM, "Score"),
    ]
    assert isinstance(specs[0].args["RoleArn"], Unresolved)


def test_state_machine_tasks_in_branches_and_maps():
    task = {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync"}
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "T1", "States": {"T1": {**task, "Parameters": TRAIN_ARGS}}}],
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "States": {"T2": {**task, "Parameters": {"EnableNetworkIsolation.$": "$.iso"}}}
                },
            },
            "Lambda": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"},
            "Proc": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createProcessingJob",
                "Arguments": {"RoleArn": "{% $states.input.role %}"},
            },
        },
    }
    specs = {s.step: s for s in state_machine_jobs(definition)}
    assert set(specs) == {"T1", "T2", "Proc"}
    assert specs["Proc"].rtype == PROCESSING and isinstance(specs["Proc"].args["RoleArn"], Unresolved)
    attrs = job_attrs(specs["T2"], "tf:x", "aws_sfn_state_machine", 3)
    assert isinstance(attrs.attrs["enable_network_isolation"], Unresolved)
    assert attrs.provenance["enable_network_isolation"] == "unresolved"


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", Unresolved("var.def"), json.dumps({"Steps": {}})])
def test_unreadable_pipeline_definitions_raise(bad):
    with pytest.raises(DefinitionError):
        pipeline_jobs(bad)


def test_job_attrs_defaults_and_secrets():
    args = {**TRAIN_ARGS, "HyperParameters": {"epochs": "3", "aws_key": "AKIAIOSFODNN7EXAMPLE"}}
    a = job_attrs(JobSpec(TRAINING, "Train", args), "cfn:t.yaml#P", "AWS::SageMaker::Pipeline", 7)
    assert (
        a.attrs["enable_network_isolation"] is False and a.provenance["enable_network_isolation"] == "default"
    )
    assert a.attrs["instance_type"] == "ml.g5.xlarge" and a.attrs["image"] == "img:1"
    assert a.attrs["hyperparameters"]["epochs"] == "3"
    assert "AKIA" not in json.dumps(a.attrs)
    assert a.attrs["secrets"][0]["path"] == "hyperparameters.aws_key" and a.attrs["secrets"][0]["line"] == 7
    assert a.attrs["defined_in"] == {
        "uid": "cfn:t.yaml#P",
        "kind": "AWS::SageMaker::Pipeline",
        "step": "Train",
    }


# ------------------------------------------------------------------------- Terraform
TF = """
resource "aws_iam_role" "train" {
  name               = "train"
  assume_role_policy = "{}"
}

resource "aws_sfn_state_machine" "flow" {
  name     = "flow"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({
    StartAt = "Train"
    States = {
      Train = {
        Type     = "Task"
        Resource = "arn:aws:states:::sagemaker:createTrainingJob.sync"
        Parameters = {
          "TrainingJobName.$"    = "$$.Execution.Name"
          RoleArn                = aws_iam_role.train.arn
          EnableNetworkIsolation = true
          AlgorithmSpecification = { TrainingImage = "img:1", TrainingInputMode = "File" }
          Environment            = { AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE" }
        }
        End = true
      }
    }
  })
}

resource "aws_sfn_state_machine" "other" {
  name       = "other"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = "{\\"StartAt\\": \\"A\\", \\"States\\": {\\"A\\": {\\"Type\\": \\"Pass\\", \\"End\\": true}}}"
}

resource "aws_sagemaker_pipeline" "broken" {
  pipeline_name         = "broken"
  pipeline_display_name = "broken"
  role_arn              = "arn:aws:iam::123456789012:role/x"
  pipeline_definition   = "{not json"
}
"""


def test_terraform_state_machine_jobs(tmp_path):
    result, inv = scan(tmp_path, "main.tf", TF)
    found = jobs(inv)
    assert set(found) == {"flow/Train"}
    job = found["flow/Train"]
    assert job.uid == "tf:aws_sfn_state_machine.flow#Train"
    assert job.attrs["enable_network_isolation"] is True
    assert job.source.file == "main.tf" and job.lines["enable_network_isolation"] == 10
    assert job.attrs["secrets"][0]["path"] == "environment.AWS_ACCESS_KEY_ID"
    assert "AKIA" not in json.dumps(job.attrs, default=str)
    assert [r.uid for r in inv.related(job, "execution_role")] == ["tf:aws_iam_role.train"]
    # the unparseable pipeline is reported, not a crash, and costs nothing else
    assert len(result.errors) == 1 and "aws_sagemaker_pipeline.broken" in result.errors[0].reason
    ids = {f.rule_id for f in result.findings if f.resource.uid == job.uid and f.status == "fail"}
    assert "sagemaker-job-no-secrets" in ids and "sagemaker-training-job-network-isolation" not in ids


def test_terraform_data_quality_job_definition(tmp_path):
    _, inv = scan(
        tmp_path,
        "dq.tf",
        """
resource "aws_sagemaker_data_quality_job_definition" "dq" {
  role_arn = "arn:aws:iam::123456789012:role/mon"
  data_quality_job_output_config {
    kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/k"
  }
  network_config {
    enable_network_isolation = true
  }
}
""",
    )
    (dq,) = inv.of_type("aws.sagemaker.data_quality_job_definition")
    assert dq.attrs["output_kms_key_id"].endswith("key/k") and dq.attrs["volume_kms_key_id"] is None
    assert dq.attrs["enable_network_isolation"] is True
    assert dq.attrs["enable_inter_container_traffic_encryption"] is False
    assert dq.provenance["enable_inter_container_traffic_encryption"] == "default"


# ------------------------------------------------------------------------- CloudFormation
CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  TrainRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/sfn
      DefinitionSubstitutions:
        Role: !GetAtt TrainRole.Arn
        Image: img:2
      Definition:
        StartAt: Train
        States:
          Train:
            Type: Task
            Resource: arn:aws:states:::sagemaker:createTrainingJob.sync
            Parameters:
              RoleArn: "${Role}"
              AlgorithmSpecification: {TrainingImage: "${Image}", TrainingInputMode: File}
              EnableInterContainerTrafficEncryption: true
            End: true
  FlowString:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/sfn
      DefinitionString: >-
        {"StartAt": "Score", "States": {"Score": {"Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",
        "Parameters": {"ModelName": "m", "TransformOutput": {"S3OutputPath": "s3://b", "KmsKeyId": "k"}},
        "End": true}}}
  Subbed:
    Type: AWS::SageMaker::Pipeline
    Properties:
      PipelineName: subbed
      RoleArn: arn:aws:iam::123456789012:role/x
      PipelineDefinition:
        PipelineDefinitionBody: !Sub |
          {"Version": "2020-12-01", "Steps": [{"Name": "Fit", "Type": "Training",
           "Arguments": {"RoleArn": "${TrainRole.Arn}", "EnableNetworkIsolation": true}}]}
  Broken:
    Type: AWS::SageMaker::Pipeline
    Properties:
      PipelineName: broken
      RoleArn: arn:aws:iam::123456789012:role/x
      PipelineDefinition:
        PipelineDefinitionBody: "{not json"
"""


def test_cloudformation_state_machine_jobs(tmp_path):
    result, inv = scan(tmp_path, "t.cfn.yaml", CFN)
    found = jobs(inv)
    assert set(found) == {"Flow/Train", "FlowString/Score", "Subbed/Fit"}
    fit = found["Subbed/Fit"]
    assert fit.attrs["enable_network_isolation"] is True and isinstance(fit.attrs["role_arn"], Unresolved)
    train = found["Flow/Train"]
    assert train.uid == "cfn:t.cfn.yaml#Flow#Train"
    assert (
        train.attrs["image"] == "img:2" and train.attrs["enable_inter_container_traffic_encryption"] is True
    )
    assert [r.uid for r in inv.related(train, "execution_role")] == ["cfn:t.cfn.yaml#TrainRole"]
    score = found["FlowString/Score"]
    assert score.type == TRANSFORM and score.attrs["output_kms_key_id"] == "k"
    assert score.attrs["volume_kms_key_id"] is None
    assert len(result.errors) == 1 and "Broken" in result.errors[0].reason
    # the containers themselves are not resources of the inventory
    assert inv.get("cfn:t.cfn.yaml#Flow") is None


def test_cloudformation_data_quality_job_definition(tmp_path):
    _, inv = scan(
        tmp_path,
        "dq.cfn.yaml",
        """
Resources:
  Dq:
    Type: AWS::SageMaker::DataQualityJobDefinition
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/mon
      JobResources: {ClusterConfig: {InstanceCount: 1, InstanceType: ml.m5.large, VolumeSizeInGB: 20,
                                     VolumeKmsKeyId: k}}
      NetworkConfig: {EnableInterContainerTrafficEncryption: "true"}
""",
    )
    (dq,) = inv.of_type("aws.sagemaker.data_quality_job_definition")
    assert dq.attrs["volume_kms_key_id"] == "k" and dq.attrs["output_kms_key_id"] is None
    assert dq.attrs["enable_inter_container_traffic_encryption"] is True
    assert dq.attrs["enable_network_isolation"] is False


def test_rules_are_registered_with_their_aliases():
    for alias in ("CKV_AWS_367", "CKV_AWS_369", "sagemaker_training_jobs_vpc_settings_configured"):
        assert CATALOGUE.resolve_id(alias)
