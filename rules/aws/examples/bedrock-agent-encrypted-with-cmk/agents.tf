variable "agent_key_arn" {
  type = string
}

resource "aws_kms_key" "agent" {
  description = "Bedrock agent key"
}

resource "aws_bedrockagent_agent" "pass_cmk" {
  agent_name                  = "pass-cmk"
  agent_resource_role_arn     = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model            = "anthropic.claude-3-haiku-20240307-v1:0"
  customer_encryption_key_arn = aws_kms_key.agent.arn
}

resource "aws_bedrockagent_agent" "fail_aws_owned_key" {
  agent_name              = "fail-aws-owned-key"
  agent_resource_role_arn = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
}

resource "aws_bedrockagent_agent" "unknown_key_from_variable" {
  agent_name                  = "unknown-key-from-variable"
  agent_resource_role_arn     = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model            = "anthropic.claude-3-haiku-20240307-v1:0"
  customer_encryption_key_arn = var.agent_key_arn
}
