variable "isolate" {
  type = bool
}

resource "aws_sagemaker_pipeline" "pass_isolated" {
  pipeline_name         = "pass-isolated"
  pipeline_display_name = "pass-isolated"
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
          },
          "EnableNetworkIsolation": true
        }
      }
    ]
  })
}

resource "aws_sagemaker_pipeline" "fail_open" {
  pipeline_name         = "fail-open"
  pipeline_display_name = "fail-open"
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

resource "aws_sagemaker_pipeline" "unknown_isolation" {
  pipeline_name         = "unknown-isolation"
  pipeline_display_name = "unknown-isolation"
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
          },
          "EnableNetworkIsolation": var.isolate
        }
      }
    ]
  })
}
