resource "aws_bedrock_guardrail" "main" {
  name                      = "agent-guardrail"
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

resource "aws_bedrockagent_agent" "pass_with_guardrail" {
  agent_name              = "pass-with-guardrail"
  agent_resource_role_arn = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
  guardrail_configuration = [{
    guardrail_identifier = aws_bedrock_guardrail.main.guardrail_id
    guardrail_version    = aws_bedrock_guardrail.main.version
  }]
}

resource "aws_bedrockagent_agent" "fail_no_guardrail" {
  agent_name              = "fail-no-guardrail"
  agent_resource_role_arn = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
  instruction             = "You answer questions about our product catalogue."
}

resource "aws_bedrockagent_agent_action_group" "lookup" {
  action_group_name = "lookup"
  agent_id          = aws_bedrockagent_agent.fail_no_guardrail.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = "arn:aws:lambda:us-east-1:123456789012:function:catalogue-lookup"
  }
  function_schema {
    member_functions {
      functions {
        name = "find_product"
      }
    }
  }
}
