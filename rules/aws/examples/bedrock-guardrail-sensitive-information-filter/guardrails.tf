resource "aws_bedrock_guardrail" "pass_pii_entities" {
  name                      = "pass-pii-entities"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  sensitive_information_policy_config {
    pii_entities_config {
      type   = "EMAIL"
      action = "ANONYMIZE"
    }
  }
}

resource "aws_bedrock_guardrail" "pass_regex" {
  name                      = "pass-regex"
  blocked_input_messaging   = "Sorry, I cannot help with that."
  blocked_outputs_messaging = "Sorry, I cannot answer that."
  sensitive_information_policy_config {
    regexes_config {
      name    = "customer-id"
      pattern = "CUST-[0-9]{8}"
      action  = "BLOCK"
    }
  }
}

resource "aws_bedrock_guardrail" "fail_no_sensitive_information_policy" {
  name                      = "fail-no-sensitive-information-policy"
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
