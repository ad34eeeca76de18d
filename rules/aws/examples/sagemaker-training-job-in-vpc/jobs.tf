resource "aws_sagemaker_pipeline" "pass_in_vpc" {
  pipeline_name         = "pass-in-vpc"
  pipeline_display_name = "pass-in-vpc"
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
          "VpcConfig": {
            "Subnets": [
              "subnet-0a1b2c3d"
            ],
            "SecurityGroupIds": [
              "sg-0a1b2c3d"
            ]
          }
        }
      }
    ]
  })
}

resource "aws_sagemaker_pipeline" "fail_no_vpc" {
  pipeline_name         = "fail-no-vpc"
  pipeline_display_name = "fail-no-vpc"
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
