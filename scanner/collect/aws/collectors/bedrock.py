"""Bedrock: agents (DRAFT action groups), knowledge bases, guardrails, the account's model
invocation logging configuration, and custom models (with their customization job's role)."""

from __future__ import annotations

from ..context import Ctx

NF = ("ResourceNotFoundException",)


def agents(ctx: Ctx) -> None:
    for s in ctx.pages("bedrock-agent", "ListAgents", "agentSummaries"):
        aid = s["agentId"]
        got = ctx.attempt(f"Bedrock agent {aid}", ctx.call, "bedrock-agent", "GetAgent", agentId=aid)
        if not got:
            continue
        groups = ctx.read(f"action groups of Bedrock agent {aid}", _action_groups, ctx, aid)
        ctx.emit("bedrock.agent", got["agent"], action_groups=groups)  # Unread: not "none"


def _action_groups(ctx: Ctx, aid: str) -> list[dict]:
    out = []
    for s in ctx.pages(
        "bedrock-agent", "ListAgentActionGroups", "actionGroupSummaries", agentId=aid, agentVersion="DRAFT"
    ):
        g = ctx.call(
            "bedrock-agent",
            "GetAgentActionGroup",
            agentId=aid,
            agentVersion="DRAFT",
            actionGroupId=s["actionGroupId"],
        )
        if g:
            out.append(g["agentActionGroup"])
    return out


def knowledge_bases(ctx: Ctx) -> None:
    for s in ctx.pages("bedrock-agent", "ListKnowledgeBases", "knowledgeBaseSummaries"):
        kid = s["knowledgeBaseId"]
        got = ctx.attempt(
            f"Bedrock knowledge base {kid}",
            ctx.call,
            "bedrock-agent",
            "GetKnowledgeBase",
            knowledgeBaseId=kid,
        )
        if got:
            ctx.emit("bedrock.knowledge_base", got["knowledgeBase"])


def guardrails(ctx: Ctx) -> None:
    for s in ctx.pages("bedrock", "ListGuardrails", "guardrails"):
        got = ctx.attempt(
            f"Bedrock guardrail {s['id']}", ctx.call, "bedrock", "GetGuardrail", guardrailIdentifier=s["id"]
        )
        if got:
            ctx.emit("bedrock.guardrail", got)


def logging_config(ctx: Ctx) -> None:
    got = ctx.call("bedrock", "GetModelInvocationLoggingConfiguration")
    ctx.emit("bedrock.invocation_logging", {"loggingConfig": (got or {}).get("loggingConfig") or {}})


def custom_models(ctx: Ctx) -> None:
    for s in ctx.pages("bedrock", "ListCustomModels", "modelSummaries"):
        got = ctx.attempt(
            f"Bedrock custom model {s['modelName']}",
            ctx.call,
            "bedrock",
            "GetCustomModel",
            modelIdentifier=s["modelArn"],
        )
        if not got:
            continue
        role = None
        if got.get("jobArn"):
            job = ctx.attempt(
                f"customization job of Bedrock custom model {s['modelName']}",
                ctx.call,
                "bedrock",
                "GetModelCustomizationJob",
                missing=NF,
                jobIdentifier=got["jobArn"],
            )
            role = (job or {}).get("roleArn")
        ctx.emit("bedrock.custom_model", got, role_arn=role)


def collect(ctx: Ctx) -> None:
    for label, fn in (
        ("Bedrock agents", agents),
        ("Bedrock knowledge bases", knowledge_bases),
        ("Bedrock guardrails", guardrails),
        ("Bedrock model invocation logging configuration", logging_config),
        ("Bedrock custom models", custom_models),
    ):
        ctx.attempt(label, fn, ctx)
