"""Bedrock: agents, guardrails, model invocation logging and custom models."""

from __future__ import annotations

from rules.helpers.roles import execution_role_admin_verdict
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

AGENT = "aws.bedrock.agent"
GUARDRAIL = "aws.bedrock.guardrail"
LOGGING = "aws.bedrock.invocation_logging"
CUSTOM_MODEL = "aws.bedrock.custom_model"

_TAGS = ("gen-ai",)


@rule(
    id="bedrock-agent-encrypted-with-cmk",
    title="Bedrock agents are encrypted with a customer-managed KMS key",
    severity="medium",
    category="encryption",
    applies_to=[AGENT],
    description="Without a customer encryption key the agent's configuration and session data are "
    "encrypted with an AWS-owned key that you cannot audit, restrict or revoke.",
    risk="No key-level control over who can read the agent's instructions and conversation data, "
    "and no way to crypto-shred it.",
    remediation={
        "terraform": "customer_encryption_key_arn = aws_kms_key.agent.arn",
        "cloudformation": "CustomerEncryptionKeyArn: !GetAtt AgentKey.Arn",
        "cli": "aws bedrock-agent update-agent --agent-id ID ... --customer-encryption-key-arn KEY_ARN",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-agents.html"],
    aliases=["CKV_AWS_373"],
    tags=_TAGS,
)
def agent_encrypted_with_cmk(agent: Resource):
    if not agent.a.get("customer_encryption_key_arn"):
        return fail("no customer-managed KMS key is set", at="customer_encryption_key_arn")
    return ok()


@rule(
    id="bedrock-agent-has-guardrail",
    title="Bedrock agents are associated with a guardrail",
    severity="high",
    category="governance",
    applies_to=[AGENT],
    description="A guardrail screens the agent's inputs and outputs for prompt attacks, harmful content "
    "and sensitive information. An agent without one passes whatever users and retrieved documents "
    "say straight to the model and its action groups.",
    risk="Prompt injection drives the agent's tools; harmful content or personal data reaches users.",
    remediation={
        "terraform": "guardrail_configuration = [{\n  guardrail_identifier = aws_bedrock_guardrail.main.guardrail_id\n"
        "  guardrail_version    = aws_bedrock_guardrail_version.main.version\n}]",
        "cloudformation": "GuardrailConfiguration:\n  GuardrailIdentifier: !GetAtt Guardrail.GuardrailId\n"
        "  GuardrailVersion: !GetAtt GuardrailVersion.Version",
        "cli": "aws bedrock-agent update-agent --agent-id ID ... "
        "--guardrail-configuration guardrailIdentifier=GID,guardrailVersion=1",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/agents-guardrail.html"],
    aliases=["CKV_AWS_383", "bedrock_agent_guardrail_enabled"],
    tags=_TAGS,
)
def agent_has_guardrail(agent: Resource):
    g = agent.a.get("guardrail")
    if not g or not g.get("id"):
        return fail("no guardrail is associated", at="guardrail")
    return ok()


@rule(
    id="bedrock-agent-role-not-admin",
    title="Bedrock agent service roles do not grant administrator access",
    severity="high",
    category="iam",
    applies_to=[AGENT],
    description="The agent acts with its service role. Prompt injection can steer an agent, so a role "
    "with AdministratorAccess or a wildcard policy lets whoever writes the prompt act as admin.",
    risk="A crafted prompt or a poisoned knowledge-base document takes over the account through the agent.",
    remediation={
        "terraform": "Give agent_resource_role_arn a role that allows only bedrock:InvokeModel on the "
        "agent's foundation model (and what its knowledge bases need).",
        "cloudformation": "Give AgentResourceRoleArn a role that allows only bedrock:InvokeModel on the "
        "agent's foundation model, not AdministratorAccess.",
        "cli": "aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    },
    references=[
        "https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ],
    aliases=["bedrock_agent_role_least_privilege"],
    tags=_TAGS,
)
def agent_role_not_admin(agent: Resource, inv):
    return execution_role_admin_verdict(agent, inv, "role_arn")


@rule(
    id="bedrock-guardrail-prompt-attack-filter",
    title="Bedrock guardrails filter prompt attacks on input",
    severity="high",
    category="governance",
    applies_to=[GUARDRAIL],
    description="The PROMPT_ATTACK content filter detects jailbreaks and prompt injection in user input. "
    "A guardrail without it, or with its input strength NONE, lets those through.",
    risk="Jailbreaks and injected instructions reach the model and the agent's tools.",
    remediation={
        "terraform": 'content_policy_config {\n  filters_config {\n    type            = "PROMPT_ATTACK"\n'
        '    input_strength  = "HIGH"\n    output_strength = "NONE"\n  }\n}',
        "cloudformation": "ContentPolicyConfig:\n  FiltersConfig:\n    - Type: PROMPT_ATTACK\n"
        "      InputStrength: HIGH\n      OutputStrength: NONE",
        "console": "Bedrock > Guardrails > edit > Content filters > Prompt attacks: enable, strength High.",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-prompt-attack.html"],
    aliases=["bedrock_guardrail_prompt_attack_filter_enabled"],
    tags=_TAGS,
)
def guardrail_prompt_attack_filter(g: Resource):
    if not g.a.get("prompt_attack_filter"):
        return fail("no PROMPT_ATTACK filter with an input strength above NONE", at="content_filters")
    return ok()


@rule(
    id="bedrock-guardrail-sensitive-information-filter",
    title="Bedrock guardrails filter sensitive information",
    severity="medium",
    category="governance",
    applies_to=[GUARDRAIL],
    description="A sensitive information policy blocks or masks personal data (PII entity types or your "
    "own regular expressions) in prompts and responses. Without one the guardrail lets it through.",
    risk="Personal or confidential data leaks through model responses or is stored in logs.",
    remediation={
        "terraform": 'sensitive_information_policy_config {\n  pii_entities_config {\n    type   = "EMAIL"\n'
        '    action = "ANONYMIZE"\n  }\n}',
        "cloudformation": "SensitiveInformationPolicyConfig:\n  PiiEntitiesConfig:\n"
        "    - Type: EMAIL\n      Action: ANONYMIZE",
        "console": "Bedrock > Guardrails > edit > Sensitive information filters: add PII types or regexes.",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-sensitive-filters.html"],
    aliases=["bedrock_guardrail_sensitive_information_filter_enabled"],
    tags=_TAGS,
)
def guardrail_sensitive_information_filter(g: Resource):
    if not g.a.get("sensitive_information"):
        return fail("no PII entities or regular expressions are configured", at="sensitive_information")
    return ok()


@rule(
    id="bedrock-guardrail-encrypted-with-cmk",
    title="Bedrock guardrails are encrypted with a customer-managed KMS key",
    severity="low",
    category="encryption",
    applies_to=[GUARDRAIL],
    description="Without a KMS key the guardrail's policies (denied topics, word lists, regular "
    "expressions that describe your sensitive data) are encrypted with an AWS-owned key.",
    risk="No key-level control over who can read the guardrail's configuration.",
    remediation={
        "terraform": "kms_key_arn = aws_kms_key.guardrail.arn",
        "cloudformation": "KmsKeyArn: !GetAtt GuardrailKey.Arn",
        "cli": "aws bedrock update-guardrail --guardrail-identifier GID ... --kms-key-id KEY_ARN",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html"],
    tags=_TAGS,
)
def guardrail_encrypted_with_cmk(g: Resource):
    if not g.a.get("kms_key_arn"):
        return fail("no customer-managed KMS key is set", at="kms_key_arn")
    return ok()


@rule(
    id="bedrock-invocation-logging-enabled",
    title="Bedrock model invocation logging delivers text data to CloudWatch Logs or S3",
    severity="medium",
    category="logging",
    applies_to=[LOGGING],
    description="CloudTrail records that a model was invoked, not what was asked or answered. Invocation "
    "logging keeps prompts and responses, so misuse (prompt injection, data exfiltration, "
    "LLMjacking) can be investigated.",
    risk="No record of the prompts and responses to investigate abuse of the account's models.",
    remediation={
        "terraform": "logging_config {\n  text_data_delivery_enabled = true\n  cloudwatch_config {\n"
        "    log_group_name = aws_cloudwatch_log_group.bedrock.name\n"
        "    role_arn       = aws_iam_role.bedrock_logging.arn\n  }\n}",
        "cli": "aws bedrock put-model-invocation-logging-configuration --logging-config "
        "'textDataDeliveryEnabled=true,s3Config={bucketName=BUCKET}'",
        "console": "Bedrock > Settings > Model invocation logging: enable text, choose S3 and/or CloudWatch Logs.",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html"],
    aliases=["bedrock_model_invocation_logging_enabled"],
    tags=_TAGS,
)
def invocation_logging_enabled(cfg: Resource):
    if not cfg.a.get("text_data_delivery", True):
        return fail("text data delivery is disabled", at="text_data_delivery")
    if not (cfg.a.get("cloudwatch_enabled") or cfg.a.get("s3_enabled")):
        return fail("neither a CloudWatch log group nor an S3 bucket is set", at="s3_enabled")
    return ok()


@rule(
    id="bedrock-custom-model-encrypted-with-cmk",
    title="Bedrock custom models are encrypted with a customer-managed KMS key",
    severity="high",
    category="encryption",
    applies_to=[CUSTOM_MODEL],
    description="A fine-tuned model embodies its training data. Without a customer-managed key it is "
    "encrypted with an AWS-owned key that you cannot audit, restrict or revoke.",
    risk="No key-level control over who can use or copy a model trained on your data.",
    remediation={
        "terraform": "custom_model_kms_key_id = aws_kms_key.models.arn",
        "cli": "Create the customization job again with --custom-model-kms-key-id KEY_ARN "
        "(the key of an existing model cannot be changed).",
    },
    references=["https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html"],
    aliases=["bedrock_custom_model_encrypted_with_cmk"],
    tags=_TAGS,
)
def custom_model_encrypted_with_cmk(m: Resource):
    if not m.a.get("custom_model_kms_key_id"):
        return fail("no customer-managed KMS key is set", at="custom_model_kms_key_id")
    return ok()
