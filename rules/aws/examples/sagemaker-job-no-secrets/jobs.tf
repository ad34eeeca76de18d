resource "aws_sagemaker_pipeline" "fail_key_in_hyperparameters" {
  pipeline_name         = "fail-key-in-hyperparameters"
  pipeline_display_name = "fail-key-in-hyperparameters"
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
          "HyperParameters": {
            "epochs": "10",
            "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE"
          }
        }
      }
    ]
  })
}

resource "aws_sagemaker_pipeline" "pass_plain" {
  pipeline_name         = "pass-plain"
  pipeline_display_name = "pass-plain"
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
        "Name": "Prepare",
        "Type": "Processing",
        "Arguments": {
          "AppSpecification": {
            "ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
          },
          "ProcessingResources": {
            "ClusterConfig": {
              "InstanceCount": 1,
              "InstanceType": "ml.m5.xlarge",
              "VolumeSizeInGB": 30
            }
          },
          "RoleArn": "arn:aws:iam::123456789012:role/train",
          "Environment": {
            "STAGE": "prod"
          }
        }
      },
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
          "HyperParameters": {
            "epochs": "10"
          },
          "Environment": {
            "HF_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf"
          }
        }
      },
      {
        "Name": "Score",
        "Type": "Transform",
        "Arguments": {
          "ModelName": "churn-model",
          "TransformInput": {
            "DataSource": {
              "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "s3://ml-data/batch"
              }
            }
          },
          "TransformOutput": {
            "S3OutputPath": "s3://ml-artifacts/batch"
          },
          "TransformResources": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.xlarge"
          },
          "Environment": {
            "BATCH": "1"
          }
        }
      }
    ]
  })
}
