resource "aws_sagemaker_pipeline" "pass_cmk" {
  pipeline_name         = "pass-cmk"
  pipeline_display_name = "pass-cmk"
  role_arn              = "arn:aws:iam::123456789012:role/train"
  pipeline_definition = jsonencode({
    "Version": "2020-12-01",
    "Parameters": [
      {
        "Name": "InputData",
        "Type": "String",
        "DefaultValue": "s3://ml-data/train"
      }
    ],
    "Steps": [
      {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
          "AlgorithmSpecification": {
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310",
            "TrainingInputMode": "File"
          },
          "RoleArn": "arn:aws:iam::123456789012:role/train",
          "OutputDataConfig": {
            "S3OutputPath": "s3://ml-artifacts/out",
            "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          },
          "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          },
          "StoppingCondition": {
            "MaxRuntimeInSeconds": 3600
          }
        }
      }
    ]
  })
}

resource "aws_sagemaker_pipeline" "fail_no_keys" {
  pipeline_name         = "fail-no-keys"
  pipeline_display_name = "fail-no-keys"
  role_arn              = "arn:aws:iam::123456789012:role/train"
  pipeline_definition = jsonencode({
    "Version": "2020-12-01",
    "Parameters": [
      {
        "Name": "InputData",
        "Type": "String",
        "DefaultValue": "s3://ml-data/train"
      }
    ],
    "Steps": [
      {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
          "AlgorithmSpecification": {
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310",
            "TrainingInputMode": "File"
          },
          "RoleArn": "arn:aws:iam::123456789012:role/train",
          "OutputDataConfig": {
            "S3OutputPath": "s3://ml-artifacts/out"
          },
          "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 30
          },
          "StoppingCondition": {
            "MaxRuntimeInSeconds": 3600
          }
        }
      }
    ]
  })
}

resource "aws_sagemaker_pipeline" "fail_output_only" {
  pipeline_name         = "fail-output-only"
  pipeline_display_name = "fail-output-only"
  role_arn              = "arn:aws:iam::123456789012:role/train"
  pipeline_definition = jsonencode({
    "Version": "2020-12-01",
    "Parameters": [
      {
        "Name": "InputData",
        "Type": "String",
        "DefaultValue": "s3://ml-data/train"
      }
    ],
    "Steps": [
      {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
          "AlgorithmSpecification": {
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310",
            "TrainingInputMode": "File"
          },
          "RoleArn": "arn:aws:iam::123456789012:role/train",
          "OutputDataConfig": {
            "S3OutputPath": "s3://ml-artifacts/out",
            "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          },
          "ResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge",
            "VolumeSizeInGB": 30
          },
          "StoppingCondition": {
            "MaxRuntimeInSeconds": 3600
          }
        }
      }
    ]
  })
}
