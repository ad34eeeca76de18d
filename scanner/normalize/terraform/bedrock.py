"""AWS Bedrock: agents (with their action groups folded in), guardrails, knowledge bases,
model invocation logging and custom models."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .fold import Index, _append
from .values import blocks, dig, to_bool, to_int

ROLE = "aws.iam.role"
AGENT = "aws.bedrock.agent"
GUARDRAIL = "aws.bedrock.guardrail"


def _omitted(b: Builder, value: Any) -> bool:
    """An optional+computed argument left out: None in HCL, a reference-free "known after
    apply" in a plan. Either way the provider's default applies."""
    return value is None or (
        isinstance(value, Unresolved) and value.expr == f"known after apply ({b.tf.address})"
    )


def _default(b: Builder, path: str, tf_path: str, default: Any, conv) -> Any:
    v = b.get(tf_path)
    if _omitted(b, v):
        return b.put(path, None, default=default)
    return b.attr(path, tf_path, conv=conv)


def _name(b: Builder, path: str, tf_key: str) -> None:
    v = b.get(tf_key)
    b.put(path, v if v is not None else Unresolved(f"{tf_key} is not known"), tf_path=tf_key)
    b.key(v)


# ------------------------------------------------------------------------- agents
def agent(tf: TfResource) -> Built:
    b = Builder(tf, AGENT, "aws")
    b.attr("arn", "agent_arn")
    _name(b, "agent_name", "agent_name")
    b.key(b.get("agent_id"))
    role = b.attr("role_arn", "agent_resource_role_arn")
    b.relate("execution_role", role, "role_arn", ROLE)
    b.attr("customer_encryption_key_arn")
    gc = b.block("guardrail_configuration")
    if isinstance(gc, dict):
        gid = gc.get("guardrail_identifier")
        b.put(
            "guardrail",
            {"id": gid, "version": gc.get("guardrail_version")},
            tf_path="guardrail_configuration",
        )
        b.relate("uses_guardrail", gid, "guardrail.id", GUARDRAIL)
    else:
        b.put("guardrail", Unresolved("guardrail_configuration is not known") if gc else None)
    _default(b, "idle_session_ttl", "idle_session_ttl_in_seconds", 600, to_int)
    _default(b, "prepare_agent", "prepare_agent", True, to_bool)
    b.attr("foundation_model")
    b.put(
        "instruction",
        b.scrub_script("instruction", b.get("instruction"), "instruction"),
        tf_path="instruction",
    )
    b.put("action_groups", [])  # fold_action_group appends
    return b.finish(with_secrets=True)


def fold_action_group(tf: TfResource, idx: Index) -> None:
    """`aws_bedrockagent_agent_action_group` -> one entry of its agent's `action_groups`."""
    target = idx.find(AGENT, tf.config.get("agent_id"))
    if target is None:
        return
    fn = dig(tf.config, "action_group_executor.lambda")
    _append(target, "action_groups", {"name": tf.config.get("action_group_name"), "lambda_arn": fn}, tf)
    n = len(target.resource.attrs["action_groups"]) - 1
    if isinstance(fn, Unresolved):
        target.resource.provenance[f"action_groups[{n}].lambda_arn"] = "unresolved"
    if isinstance(fn, Ref):
        dst = fn.uid
    else:
        found = idx.find("aws.lambda.function", fn)
        dst = found.resource.uid if found is not None else fn
    if isinstance(dst, str) and dst:
        idx.relations.append(
            Relation(target.resource.uid, "action_group_function", dst, f"action_groups[{n}].lambda_arn")
        )


# ------------------------------------------------------------------------- guardrails
def _flag(cfg: Any, *paths: str) -> Any:
    """True if any of the nested block lists at `paths` is non-empty."""
    seen_unknown = False
    for p in paths:
        v = dig(cfg, p)
        if isinstance(v, Unresolved | Ref):
            seen_unknown = True
        elif blocks(v):
            return True
    return Unresolved(f"{' / '.join(paths)} is not known") if seen_unknown else False


def guardrail(tf: TfResource) -> Built:
    b = Builder(tf, GUARDRAIL, "aws")
    b.attr("arn", "guardrail_arn")
    _name(b, "name", "name")
    b.key(b.get("guardrail_id"))
    b.attr("kms_key_arn")
    content = dig(b.cfg, "content_policy_config.filters_config")
    if isinstance(content, Unresolved | Ref):
        filters: Any = Unresolved("content_policy_config.filters_config is not known")
        prompt_attack: Any = filters
    else:
        filters = [
            {
                "type": f.get("type"),
                "input_strength": f.get("input_strength"),
                "output_strength": f.get("output_strength"),
            }
            if isinstance(f, dict)
            else Unresolved("content filter is not known")
            for f in blocks(content)
        ]
        prompt_attack = prompt_attack_filter(filters)
    b.put("content_filters", filters, tf_path="content_policy_config")
    b.put("prompt_attack_filter", prompt_attack, tf_path="content_policy_config")
    b.put(
        "sensitive_information",
        _flag(
            b.cfg,
            "sensitive_information_policy_config.pii_entities_config",
            "sensitive_information_policy_config.regexes_config",
        ),
        tf_path="sensitive_information_policy_config",
    )
    b.put(
        "contextual_grounding",
        _flag(b.cfg, "contextual_grounding_policy_config.filters_config"),
        tf_path="contextual_grounding_policy_config",
    )
    b.put(
        "word_filters",
        _flag(b.cfg, "word_policy_config.words_config", "word_policy_config.managed_word_lists_config"),
        tf_path="word_policy_config",
    )
    return b.finish()


def prompt_attack_filter(filters: list) -> Any:
    """A PROMPT_ATTACK filter whose input strength is not NONE (shared with CloudFormation)."""
    unknown = False
    for f in filters:
        if not isinstance(f, dict) or not isinstance(f.get("type"), str):
            unknown = True
            continue
        if f["type"].upper() != "PROMPT_ATTACK":
            continue
        strength = f.get("input_strength")
        if not isinstance(strength, str):
            unknown = True
        elif strength.upper() != "NONE":
            return True
    return Unresolved("a content filter is not known") if unknown else False


# ------------------------------------------------------------------------- knowledge bases
def knowledge_base(tf: TfResource) -> Built:
    b = Builder(tf, "aws.bedrock.knowledge_base", "aws")
    b.attr("arn")
    _name(b, "name", "name")
    role = b.attr("role_arn")
    b.relate("execution_role", role, "role_arn", ROLE)
    b.attr("storage_type", "storage_configuration.type")
    return b.finish()


# ------------------------------------------------------------------------- invocation logging
def invocation_logging(tf: TfResource) -> Built:
    b = Builder(tf, "aws.bedrock.invocation_logging", "aws")
    lc = b.block("logging_config")
    if isinstance(lc, Unresolved | Ref):
        unknown = Unresolved("logging_config is not known")
        for path in (
            "text_data_delivery",
            "cloudwatch_enabled",
            "cloudwatch_log_group",
            "s3_enabled",
            "s3_bucket",
        ):
            b.put(path, unknown, tf_path="logging_config")
        return b.finish()
    _default(b, "text_data_delivery", "logging_config.text_data_delivery_enabled", True, to_bool)
    for prefix, tf_path in (
        ("cloudwatch", "logging_config.cloudwatch_config.log_group_name"),
        ("s3", "logging_config.s3_config.bucket_name"),
    ):
        dest = b.get(tf_path)
        attr = "cloudwatch_log_group" if prefix == "cloudwatch" else "s3_bucket"
        b.put(attr, dest, tf_path=tf_path)
        enabled = Unresolved(f"{tf_path} is not known") if isinstance(dest, Unresolved) else bool(dest)
        b.put(f"{prefix}_enabled", enabled, tf_path=tf_path)
    return b.finish()


# ------------------------------------------------------------------------- custom models
def custom_model(tf: TfResource) -> Built:
    b = Builder(tf, "aws.bedrock.custom_model", "aws")
    b.attr("arn", "custom_model_arn")
    _name(b, "custom_model_name", "custom_model_name")
    b.attr("custom_model_kms_key_id")
    role = b.attr("role_arn")
    b.relate("execution_role", role, "role_arn", ROLE)
    return b.finish()


MAPPERS = {
    "aws_bedrockagent_agent": agent,
    "aws_bedrock_guardrail": guardrail,
    "aws_bedrockagent_knowledge_base": knowledge_base,
    "aws_bedrock_model_invocation_logging_configuration": invocation_logging,
    "aws_bedrock_custom_model": custom_model,
}
FOLDERS = {"aws_bedrockagent_agent_action_group": fold_action_group}
