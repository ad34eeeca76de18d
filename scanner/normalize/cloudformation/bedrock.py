"""AWS Bedrock: agents (action groups are inline), guardrails and knowledge bases.
CloudFormation has no resource for invocation logging or custom models."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.terraform.bedrock import prompt_attack_filter

from .builder import MISSING, Builder, dig, to_bool, to_int, to_str

ROLE = "aws.iam.role"
AGENT = "aws.bedrock.agent"
GUARDRAIL = "aws.bedrock.guardrail"
KNOWLEDGE_BASE = "aws.bedrock.knowledge_base"


def _opt_str(v: Any) -> Any:
    return None if v is None else to_str(v)


def agent(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("agent_name", "AgentName", to_str)
    role = b.prop("role_arn", "AgentResourceRoleArn", to_str)
    b.relate("execution_role", role, "role_arn", ROLE)
    b.prop("customer_encryption_key_arn", "CustomerEncryptionKeyArn", to_str)
    gc = dig(b.props, ("GuardrailConfiguration",))
    if isinstance(gc, dict):
        gid = _opt_str(gc.get("GuardrailIdentifier"))
        gc = {"id": gid, "version": _opt_str(gc.get("GuardrailVersion"))}
        b.relate("uses_guardrail", gid, "guardrail.id", GUARDRAIL)
    elif gc is not MISSING and gc is not None and not isinstance(gc, Unresolved):
        gc = Unresolved("GuardrailConfiguration is not a mapping")
    b.set("guardrail", None if gc is MISSING else gc, line=b.line("GuardrailConfiguration"))
    b.provenance.pop("guardrail", None)  # no guardrail is the absence of one, not a default
    if isinstance(b.attrs["guardrail"], Unresolved):
        b.provenance["guardrail"] = "unresolved"
    b.prop("idle_session_ttl", "IdleSessionTTLInSeconds", to_int, default=600)
    # CloudFormation prepares the agent only when AutoPrepare is true (default false).
    b.prop("prepare_agent", "AutoPrepare", to_bool, default=False)
    b.prop("foundation_model", "FoundationModel", to_str)
    instruction = dig(b.props, ("Instruction",))
    line = b.line("Instruction")
    instruction = None if instruction is MISSING else b.scrub_script("instruction", instruction, line, False)
    b.set("instruction", instruction, line=line)
    b.set("action_groups", _action_groups(b), line=b.line("ActionGroups"))


def _action_groups(b: Builder) -> Any:
    groups = dig(b.props, ("ActionGroups",))
    if groups is MISSING or groups is None:
        return []
    if not isinstance(groups, list):
        return groups if isinstance(groups, Unresolved) else Unresolved("ActionGroups is not a list")
    out: list[Any] = []
    for i, g in enumerate(groups):
        if not isinstance(g, dict):
            out.append(g if isinstance(g, Unresolved) else Unresolved(f"action group {i}"))
            continue
        executor = g.get("ActionGroupExecutor")
        fn = _opt_str(executor.get("Lambda")) if isinstance(executor, dict) else None
        if isinstance(executor, Unresolved):
            fn = executor
        out.append({"name": _opt_str(g.get("ActionGroupName")), "lambda_arn": fn})
        b.relate("action_group_function", fn, f"action_groups[{i}].lambda_arn", "aws.lambda.function")
        if line := b.line("ActionGroups", i):
            b.lines[f"action_groups[{i}]"] = line
    return out


def _configured(b: Builder, *paths: tuple) -> Any:
    """True if any list at `paths` is non-empty; Unresolved if none is and one is unknown."""
    unknown = False
    for p in paths:
        v = dig(b.props, p)
        if isinstance(v, Unresolved):
            unknown = True
        elif isinstance(v, list) and v:
            return True
    return Unresolved(f"{paths[0][0]} is not known") if unknown else False


def guardrail(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("name", "Name", to_str)
    b.prop("kms_key_arn", "KmsKeyArn", to_str)
    raw = dig(b.props, ("ContentPolicyConfig", "FiltersConfig"))
    line = b.line("ContentPolicyConfig")
    if isinstance(raw, Unresolved):
        filters: Any = raw
        prompt_attack: Any = raw
    else:
        filters = [
            {
                "type": _opt_str(f.get("Type")),
                "input_strength": _opt_str(f.get("InputStrength")),
                "output_strength": _opt_str(f.get("OutputStrength")),
            }
            if isinstance(f, dict)
            else Unresolved(f"content filter {i}")
            for i, f in enumerate(raw if isinstance(raw, list) else [])
        ]
        prompt_attack = prompt_attack_filter(filters)
    b.set("content_filters", filters, line=line)
    b.set("prompt_attack_filter", prompt_attack, line=line)
    sip = "SensitiveInformationPolicyConfig"
    b.set(
        "sensitive_information",
        _configured(b, (sip, "PiiEntitiesConfig"), (sip, "RegexesConfig")),
        line=b.line(sip),
    )
    cg = "ContextualGroundingPolicyConfig"
    b.set("contextual_grounding", _configured(b, (cg, "FiltersConfig")), line=b.line(cg))
    wp = "WordPolicyConfig"
    b.set(
        "word_filters", _configured(b, (wp, "WordsConfig"), (wp, "ManagedWordListsConfig")), line=b.line(wp)
    )


def knowledge_base(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("name", "Name", to_str)
    role = b.prop("role_arn", "RoleArn", to_str)
    b.relate("execution_role", role, "role_arn", ROLE)
    b.prop("storage_type", ("StorageConfiguration", "Type"), to_str)
