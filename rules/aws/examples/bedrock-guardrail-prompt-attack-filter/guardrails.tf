variable "prompt_attack_strength" {
  type = string
}

resource "aws_bedrock_guardrail" "pass_prompt_attack_high" {
  name                      = "pass-prompt-attack-high"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  content_policy_config {
    filters_config {
      type            = "HATE"
      input_strength  = "HIGH"
      output_strength = "HIGH"
    }
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "HIGH"
      output_strength = "NONE"
    }
  }
}

resource "aws_bedrock_guardrail" "fail_prompt_attack_none" {
  name                      = "fail-prompt-attack-none"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = "NONE"
      output_strength = "NONE"
    }
  }
}

resource "aws_bedrock_guardrail" "fail_no_content_policy" {
  name                      = "fail-no-content-policy"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  word_policy_config {
    managed_word_lists_config {
      type = "PROFANITY"
    }
  }
}

resource "aws_bedrock_guardrail" "unknown_strength_from_variable" {
  name                      = "unknown-strength-from-variable"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  content_policy_config {
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = var.prompt_attack_strength
      output_strength = "NONE"
    }
  }
}
