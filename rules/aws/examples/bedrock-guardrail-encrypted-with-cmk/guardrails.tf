resource "aws_kms_key" "guardrail" {
  description = "Bedrock guardrail key"
}

resource "aws_bedrock_guardrail" "pass_cmk" {
  name                      = "pass-cmk"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  kms_key_arn               = aws_kms_key.guardrail.arn
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }
}

resource "aws_bedrock_guardrail" "fail_aws_owned_key" {
  name                      = "fail-aws-owned-key"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }
}
