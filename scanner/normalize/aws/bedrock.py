"""Bedrock from GetAgent (+ ListAgentActionGroups/GetAgentActionGroup), GetGuardrail,
GetKnowledgeBase, GetModelInvocationLoggingConfiguration and GetCustomModel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.normalize.terraform.bedrock import prompt_attack_filter

from .base import LiveBuilder, Normalized, Unread, scoped

if TYPE_CHECKING:
    from . import Raw

GUARDRAIL = "aws.bedrock.guardrail"


def agent(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.bedrock.agent", d["agentArn"], d["agentName"], raw.account, raw.region, "bedrock:GetAgent"
    )
    b.put("arn", d["agentArn"])
    b.put("agent_name", d["agentName"])
    b.put("role_arn", d.get("agentResourceRoleArn"))
    b.relate("execution_role", d.get("agentResourceRoleArn"), "role_arn")
    b.put("customer_encryption_key_arn", d.get("customerEncryptionKeyArn"))
    g = d.get("guardrailConfiguration")
    gid = (g or {}).get("guardrailIdentifier")
    b.put("guardrail", {"id": gid, "version": g.get("guardrailVersion")} if g and gid else None)
    if gid:
        target = gid if gid.startswith("arn:") else scoped(GUARDRAIL, raw.account, raw.region, gid)
        b.relate("uses_guardrail", target, "guardrail.id")
    b.put("idle_session_ttl", d.get("idleSessionTTLInSeconds"), default=600)
    b.put("prepare_agent", d.get("agentStatus") == "PREPARED")
    b.put("foundation_model", d.get("foundationModel"))
    b.put("instruction", b.scrub_script("instruction", d.get("instruction")))
    groups: Any = []
    got = raw.extra.get("action_groups")
    if isinstance(got, Unread):  # ListAgentActionGroups failed: not "no action groups"
        groups, got = got, []
    for i, ag in enumerate(got or []):
        fn = (ag.get("actionGroupExecutor") or {}).get("lambda")
        groups.append({"name": ag.get("actionGroupName"), "lambda_arn": fn})
        b.relate("action_group_function", fn, f"action_groups[{i}].lambda_arn")
    b.put("action_groups", groups)
    return b.finish(with_secrets=True)


def guardrail(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(GUARDRAIL, d["guardrailArn"], d["name"], raw.account, raw.region, "bedrock:GetGuardrail")
    b.put("arn", d["guardrailArn"])
    b.put("name", d["name"])
    b.alias_name(d.get("guardrailId"))
    b.put("kms_key_arn", d.get("kmsKeyArn"))
    filters = [
        {
            "type": f.get("type"),
            "input_strength": f.get("inputStrength"),
            "output_strength": f.get("outputStrength"),
        }
        for f in (d.get("contentPolicy") or {}).get("filters") or []
    ]
    b.put("content_filters", filters)
    b.put("prompt_attack_filter", prompt_attack_filter(filters))
    sip = d.get("sensitiveInformationPolicy") or {}
    b.put("sensitive_information", bool(sip.get("piiEntities") or sip.get("regexes")))
    b.put("contextual_grounding", bool((d.get("contextualGroundingPolicy") or {}).get("filters")))
    wp = d.get("wordPolicy") or {}
    b.put("word_filters", bool(wp.get("words") or wp.get("managedWordLists")))
    return b.finish()


def knowledge_base(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.bedrock.knowledge_base",
        d["knowledgeBaseArn"],
        d["name"],
        raw.account,
        raw.region,
        "bedrock:GetKnowledgeBase",
    )
    b.put("arn", d["knowledgeBaseArn"])
    b.put("name", d["name"])
    b.put("role_arn", d.get("roleArn"))
    b.relate("execution_role", d.get("roleArn"), "role_arn")
    b.put("storage_type", (d.get("storageConfiguration") or {}).get("type"))
    return b.finish()


def invocation_logging(raw: Raw) -> Normalized:
    """One per account and region; an empty configuration means logging is off."""
    lc = raw.data.get("loggingConfig") or {}
    uid = f"arn:aws:bedrock:{raw.region}:{raw.account}:model-invocation-logging"
    b = LiveBuilder(
        "aws.bedrock.invocation_logging",
        uid,
        f"invocation-logging/{raw.region}",
        raw.account,
        raw.region,
        "bedrock:GetModelInvocationLoggingConfiguration",
    )
    b.put("text_data_delivery", lc.get("textDataDeliveryEnabled"), default=True)
    group = (lc.get("cloudWatchConfig") or {}).get("logGroupName")
    bucket = (lc.get("s3Config") or {}).get("bucketName")
    b.put("cloudwatch_enabled", bool(group))
    b.put("cloudwatch_log_group", group)
    b.put("s3_enabled", bool(bucket))
    b.put("s3_bucket", bucket)
    return b.finish()


def custom_model(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.bedrock.custom_model",
        d["modelArn"],
        d["modelName"],
        raw.account,
        raw.region,
        "bedrock:GetCustomModel",
    )
    b.put("arn", d["modelArn"])
    b.put("custom_model_name", d["modelName"])
    b.put("custom_model_kms_key_id", d.get("modelKmsKeyArn"))
    role = d.get("roleArn") or raw.extra.get("role_arn")
    b.put("role_arn", role)
    b.relate("execution_role", role, "role_arn")
    return b.finish()


NORMALIZERS = {
    "bedrock.agent": agent,
    "bedrock.guardrail": guardrail,
    "bedrock.knowledge_base": knowledge_base,
    "bedrock.invocation_logging": invocation_logging,
    "bedrock.custom_model": custom_model,
}
