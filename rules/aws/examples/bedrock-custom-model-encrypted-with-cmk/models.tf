resource "aws_kms_key" "models" {
  description = "Bedrock custom model key"
}

resource "aws_bedrock_custom_model" "pass_cmk" {
  custom_model_name       = "pass-cmk"
  job_name                = "pass-cmk-job"
  base_model_identifier   = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
  role_arn                = "arn:aws:iam::123456789012:role/bedrock-customization"
  custom_model_kms_key_id = aws_kms_key.models.arn
  hyperparameters = {
    epochCount = "1"
  }
  output_data_config {
    s3_uri = "s3://model-artifacts/output/"
  }
  training_data_config {
    s3_uri = "s3://training-data/train.jsonl"
  }
}

resource "aws_bedrock_custom_model" "fail_aws_owned_key" {
  custom_model_name     = "fail-aws-owned-key"
  job_name              = "fail-aws-owned-key-job"
  base_model_identifier = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
  role_arn              = "arn:aws:iam::123456789012:role/bedrock-customization"
  hyperparameters = {
    epochCount = "1"
  }
  output_data_config {
    s3_uri = "s3://model-artifacts/output/"
  }
  training_data_config {
    s3_uri = "s3://training-data/train.jsonl"
  }
}
