"""Bedrock: Terraform and CloudFormation mapping to the canonical types, and rule verdicts
on hand-built resources (the rules' examples cover the whole path)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from rules.loader import load_catalogue
from scanner.collect.iac.cloudformation import load
from scanner.collect.iac.discover import Limits
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved, UnresolvedAccess
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.terraform.mapping import normalize
from scanner.normalize.terraform.model import TfResource

CATALOGUE = load_catalogue()
U = Unresolved("var.x")
GH = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789"
ROLE_ARN = "arn:aws:iam::123456789012:role/agent"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def tf(rtype: str, name: str, config: dict, **kw) -> TfResource:
    kw.setdefault("file", "main.tf")
    kw.setdefault("start_line", 1)
    kw.setdefault("end_line", 9)
    return TfResource("managed", rtype, name, "", config, **kw)


def tf_batch(*records: TfResource):
    batch = normalize(list(records))
    assert not batch.errors, batch.errors
    return batch


def cfn_batch(tmp_path: Path, text: str):
    f = tmp_path / "t.yaml"
    f.write_text(textwrap.dedent(text))
    batch = load([f], tmp_path, Limits())
    assert not batch.errors, batch.errors
    return {r.name: r for r in batch.resources}, batch


def assert_canonical(r: Resource) -> None:
    assert set(r.attrs) == set(RESOURCE_TYPES[r.type].attrs), (
        r.type,
        set(r.attrs) ^ set(RESOURCE_TYPES[r.type].attrs),
    )


# ------------------------------------------------------------------------- Terraform
def test_tf_agent_defaults_guardrail_secrets_and_folded_action_groups():
    agent = tf(
        "aws_bedrockagent_agent",
        "a",
        {
            "agent_name": "support",
            "agent_resource_role_arn": Ref("tf:aws_iam_role.r", "arn"),
            "foundation_model": MODEL,
            "instruction": f"Use token {GH} to call GitHub.",
            "guardrail_configuration": [
                {
                    "guardrail_identifier": Ref("tf:aws_bedrock_guardrail.g", "guardrail_id"),
                    "guardrail_version": "1",
                }
            ],
        },
        lines={"instruction": 5, "guardrail_configuration": 6},
    )
    group = tf(
        "aws_bedrockagent_agent_action_group",
        "lookup",
        {
            "action_group_name": "lookup",
            "agent_id": Ref("tf:aws_bedrockagent_agent.a", "agent_id"),
            "agent_version": "DRAFT",
            "action_group_executor": [{"lambda": Ref("tf:aws_lambda_function.f", "arn")}],
        },
        start_line=12,
    )
    guardrail = tf("aws_bedrock_guardrail", "g", {"name": "g"})
    batch = tf_batch(agent, group, guardrail)
    a = next(r for r in batch.resources if r.type == "aws.bedrock.agent")
    assert_canonical(a)
    assert a.attrs["idle_session_ttl"] == 600 and a.provenance["idle_session_ttl"] == "default"
    assert a.attrs["prepare_agent"] is True and a.provenance["prepare_agent"] == "default"
    assert a.attrs["guardrail"] == {"id": Ref("tf:aws_bedrock_guardrail.g", "guardrail_id"), "version": "1"}
    assert GH not in json.dumps(a.to_json())
    assert "[REDACTED:" in a.attrs["instruction"]
    assert a.attrs["secrets"][0]["path"] == "instruction" and a.attrs["secrets"][0]["line"] == 5
    assert a.attrs["action_groups"] == [
        {"name": "lookup", "lambda_arn": Ref("tf:aws_lambda_function.f", "arn")}
    ]
    assert a.lines["action_groups[0]"] == 12
    rels = {(r.kind, r.dst) for r in batch.relations if r.src == a.uid}
    assert rels == {
        ("execution_role", "tf:aws_iam_role.r"),
        ("uses_guardrail", "tf:aws_bedrock_guardrail.g"),
        ("action_group_function", "tf:aws_lambda_function.f"),
    }


def test_tf_agent_plan_computed_defaults_and_no_guardrail():
    agent = tf(
        "aws_bedrockagent_agent",
        "a",
        {
            "agent_name": "a",
            "agent_resource_role_arn": ROLE_ARN,
            "foundation_model": MODEL,
            "idle_session_ttl_in_seconds": Unresolved("known after apply (aws_bedrockagent_agent.a)"),
            "prepare_agent": True,
            "guardrail_configuration": None,
        },
        dialect="terraform-plan",
    )
    (a,) = tf_batch(agent).resources
    assert a.attrs["idle_session_ttl"] == 600 and a.provenance["idle_session_ttl"] == "default"
    assert a.attrs["guardrail"] is None and a.attrs["action_groups"] == []


def test_tf_guardrail_filters():
    g = tf(
        "aws_bedrock_guardrail",
        "g",
        {
            "name": "g",
            "kms_key_arn": "arn:aws:kms:us-east-1:1:key/k",
            "content_policy_config": [
                {
                    "filters_config": [
                        {"type": "VIOLENCE", "input_strength": "HIGH", "output_strength": "HIGH"},
                        {"type": "PROMPT_ATTACK", "input_strength": "MEDIUM", "output_strength": "NONE"},
                    ]
                }
            ],
            "sensitive_information_policy_config": [
                {"regexes_config": [{"name": "id", "pattern": "X-[0-9]+", "action": "BLOCK"}]}
            ],
            "contextual_grounding_policy_config": [
                {"filters_config": [{"type": "GROUNDING", "threshold": 0.8}]}
            ],
        },
    )
    (r,) = tf_batch(g).resources
    assert_canonical(r)
    assert r.attrs["content_filters"][1] == {
        "type": "PROMPT_ATTACK",
        "input_strength": "MEDIUM",
        "output_strength": "NONE",
    }
    assert r.attrs["prompt_attack_filter"] is True
    assert r.attrs["sensitive_information"] is True
    assert r.attrs["contextual_grounding"] is True
    assert r.attrs["word_filters"] is False


def test_tf_guardrail_unresolved_filters_stay_unresolved():
    g = tf("aws_bedrock_guardrail", "g", {"name": "g", "content_policy_config": [{"filters_config": U}]})
    (r,) = tf_batch(g).resources
    assert isinstance(r.attrs["prompt_attack_filter"], Unresolved)
    assert r.provenance["prompt_attack_filter"] == "unresolved"


def test_tf_knowledge_base_logging_and_custom_model():
    kb = tf(
        "aws_bedrockagent_knowledge_base",
        "kb",
        {"name": "kb", "role_arn": ROLE_ARN, "storage_configuration": [{"type": "OPENSEARCH_SERVERLESS"}]},
    )
    log = tf(
        "aws_bedrock_model_invocation_logging_configuration",
        "log",
        {"logging_config": [{"s3_config": [{"bucket_name": "logs"}]}]},
    )
    cm = tf(
        "aws_bedrock_custom_model",
        "cm",
        {
            "custom_model_name": "cm",
            "role_arn": ROLE_ARN,
            "custom_model_kms_key_id": "arn:aws:kms:us-east-1:1:key/k",
        },
    )
    batch = tf_batch(kb, log, cm)
    got = {r.type: r for r in batch.resources}
    for r in got.values():
        assert_canonical(r)
    assert got["aws.bedrock.knowledge_base"].attrs["storage_type"] == "OPENSEARCH_SERVERLESS"
    logging = got["aws.bedrock.invocation_logging"]
    assert (
        logging.attrs["text_data_delivery"] is True and logging.provenance["text_data_delivery"] == "default"
    )
    assert logging.attrs["s3_enabled"] is True and logging.attrs["s3_bucket"] == "logs"
    assert logging.attrs["cloudwatch_enabled"] is False
    assert got["aws.bedrock.custom_model"].attrs["custom_model_kms_key_id"].endswith("key/k")
    kinds = {(r.src.split(".")[0], r.kind) for r in batch.relations}
    assert kinds == {
        ("tf:aws_bedrockagent_knowledge_base", "execution_role"),
        ("tf:aws_bedrock_custom_model", "execution_role"),
    }


def test_tf_action_group_of_an_agent_outside_the_batch_leaves_nothing():
    group = tf(
        "aws_bedrockagent_agent_action_group",
        "g",
        {"action_group_name": "g", "agent_id": "ABCDEFGHIJ", "agent_version": "DRAFT"},
    )
    batch = tf_batch(group)
    assert batch.resources == [] and batch.relations == []


# ------------------------------------------------------------------------- CloudFormation
def test_cfn_agent_guardrail_and_knowledge_base(tmp_path):
    res, batch = cfn_batch(
        tmp_path,
        f"""
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {{Version: "2012-10-17", Statement: []}}
          Guard:
            Type: AWS::Bedrock::Guardrail
            Properties:
              Name: guard
              BlockedInputMessaging: no
              BlockedOutputsMessaging: no
              ContentPolicyConfig:
                FiltersConfig:
                  - {{Type: PROMPT_ATTACK, InputStrength: HIGH, OutputStrength: NONE}}
              SensitiveInformationPolicyConfig:
                PiiEntitiesConfig: [{{Type: EMAIL, Action: BLOCK}}]
              WordPolicyConfig:
                WordsConfig: [{{Text: secret-project}}]
          Agent:
            Type: AWS::Bedrock::Agent
            Properties:
              AgentName: support
              AgentResourceRoleArn: !GetAtt Role.Arn
              FoundationModel: {MODEL}
              AutoPrepare: true
              IdleSessionTTLInSeconds: 900
              Instruction: "Call GitHub with {GH}"
              GuardrailConfiguration:
                GuardrailIdentifier: !GetAtt Guard.GuardrailId
                GuardrailVersion: DRAFT
              ActionGroups:
                - ActionGroupName: lookup
                  ActionGroupExecutor: {{Lambda: arn:aws:lambda:us-east-1:1:function:f}}
                - ActionGroupName: ask
                  ActionGroupExecutor: {{CustomControl: RETURN_CONTROL}}
          Kb:
            Type: AWS::Bedrock::KnowledgeBase
            Properties:
              Name: kb
              RoleArn: !GetAtt Role.Arn
              KnowledgeBaseConfiguration: {{Type: VECTOR}}
              StorageConfiguration: {{Type: PINECONE}}
        """,
    )
    a, g, kb = res["Agent"], res["Guard"], res["Kb"]
    for r in (a, g, kb):
        assert_canonical(r)
    assert a.attrs["guardrail"] == {"id": Ref("cfn:t.yaml#Guard", "GuardrailId"), "version": "DRAFT"}
    assert a.attrs["idle_session_ttl"] == 900 and a.attrs["prepare_agent"] is True
    assert a.attrs["action_groups"] == [
        {"name": "lookup", "lambda_arn": "arn:aws:lambda:us-east-1:1:function:f"},
        {"name": "ask", "lambda_arn": None},
    ]
    assert GH not in json.dumps(a.to_json()) and a.attrs["secrets"][0]["path"] == "instruction"
    assert g.attrs["prompt_attack_filter"] is True and g.attrs["sensitive_information"] is True
    assert g.attrs["word_filters"] is True and g.attrs["contextual_grounding"] is False
    assert kb.attrs["storage_type"] == "PINECONE"
    rels = {(r.src.split("#")[1], r.kind, r.dst) for r in batch.relations}
    assert ("Agent", "execution_role", "cfn:t.yaml#Role") in rels
    assert ("Agent", "uses_guardrail", "cfn:t.yaml#Guard") in rels
    assert ("Agent", "action_group_function", "arn:aws:lambda:us-east-1:1:function:f") in rels
    assert ("Kb", "execution_role", "cfn:t.yaml#Role") in rels


def test_cfn_agent_defaults(tmp_path):
    res, _ = cfn_batch(
        tmp_path,
        f"""
        Resources:
          Agent:
            Type: AWS::Bedrock::Agent
            Properties: {{AgentName: a, AgentResourceRoleArn: {ROLE_ARN}, FoundationModel: {MODEL}}}
        """,
    )
    a = res["Agent"]
    assert a.attrs["guardrail"] is None and "guardrail" not in a.provenance
    assert a.attrs["prepare_agent"] is False and a.provenance["prepare_agent"] == "default"
    assert a.attrs["idle_session_ttl"] == 600 and a.attrs["action_groups"] == []


# ------------------------------------------------------------------------- rules
def res(type_: str, attrs: dict, uid: str = "r") -> Resource:
    return Resource(uid=uid, type=type_, provider="aws", name=uid, attrs=attrs)


def verdict(rule_id: str, r: Resource, inv: Inventory | None = None) -> str:
    try:
        vs = CATALOGUE.by_id[rule_id].evaluate(r, inv or Inventory())
    except UnresolvedAccess:
        return "unknown"
    statuses = {v.status for v in vs}
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


AGENT, GUARD = "aws.bedrock.agent", "aws.bedrock.guardrail"
LOGGING, CM = "aws.bedrock.invocation_logging", "aws.bedrock.custom_model"


@pytest.mark.parametrize(
    "rule_id, type_, attrs, want",
    [
        ("bedrock-agent-encrypted-with-cmk", AGENT, {"customer_encryption_key_arn": None}, "fail"),
        ("bedrock-agent-encrypted-with-cmk", AGENT, {"customer_encryption_key_arn": "k"}, "pass"),
        ("bedrock-agent-encrypted-with-cmk", AGENT, {"customer_encryption_key_arn": U}, "unknown"),
        ("bedrock-agent-has-guardrail", AGENT, {"guardrail": None}, "fail"),
        ("bedrock-agent-has-guardrail", AGENT, {"guardrail": {"id": None, "version": "1"}}, "fail"),
        ("bedrock-agent-has-guardrail", AGENT, {"guardrail": {"id": "gr-1", "version": "1"}}, "pass"),
        ("bedrock-agent-has-guardrail", AGENT, {"guardrail": {"id": U, "version": "1"}}, "unknown"),
        ("bedrock-guardrail-prompt-attack-filter", GUARD, {"prompt_attack_filter": False}, "fail"),
        ("bedrock-guardrail-prompt-attack-filter", GUARD, {"prompt_attack_filter": True}, "pass"),
        ("bedrock-guardrail-prompt-attack-filter", GUARD, {"prompt_attack_filter": U}, "unknown"),
        ("bedrock-guardrail-sensitive-information-filter", GUARD, {"sensitive_information": False}, "fail"),
        ("bedrock-guardrail-sensitive-information-filter", GUARD, {"sensitive_information": True}, "pass"),
        ("bedrock-guardrail-encrypted-with-cmk", GUARD, {"kms_key_arn": None}, "fail"),
        ("bedrock-guardrail-encrypted-with-cmk", GUARD, {"kms_key_arn": "k"}, "pass"),
        (
            "bedrock-invocation-logging-enabled",
            LOGGING,
            {"text_data_delivery": False, "s3_enabled": True},
            "fail",
        ),
        (
            "bedrock-invocation-logging-enabled",
            LOGGING,
            {"text_data_delivery": True, "s3_enabled": False, "cloudwatch_enabled": False},
            "fail",
        ),
        (
            "bedrock-invocation-logging-enabled",
            LOGGING,
            {"text_data_delivery": True, "cloudwatch_enabled": True},
            "pass",
        ),
        (
            "bedrock-invocation-logging-enabled",
            LOGGING,
            {"text_data_delivery": True, "s3_enabled": U},
            "unknown",
        ),
        ("bedrock-custom-model-encrypted-with-cmk", CM, {"custom_model_kms_key_id": None}, "fail"),
        ("bedrock-custom-model-encrypted-with-cmk", CM, {"custom_model_kms_key_id": "k"}, "pass"),
    ],
)
def test_rule_verdicts(rule_id, type_, attrs, want):
    assert verdict(rule_id, res(type_, attrs)) == want


def _role(uid: str, document: dict) -> Resource:
    return res(
        "aws.iam.role",
        {
            "role_name": uid,
            "inline_policies": [{"name": "p", "document": normalize_policy(document)}],
            "managed_policy_arns": [],
        },
        uid=uid,
    )


@pytest.mark.parametrize(
    "statement, want",
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "fail"),
        ({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}, "pass"),
    ],
)
def test_agent_role_not_admin_follows_the_execution_role(statement, want):
    role = _role("role", {"Version": "2012-10-17", "Statement": [statement]})
    agent = res(AGENT, {"role_arn": Ref("role", "arn")}, uid="agent")
    inv = Inventory()
    inv.extend([role, agent])
    inv.relate("agent", "execution_role", "role", "role_arn")
    assert verdict("bedrock-agent-role-not-admin", agent, inv) == want


def test_agent_role_outside_the_scan_passes_and_unresolved_is_unknown():
    assert verdict("bedrock-agent-role-not-admin", res(AGENT, {"role_arn": ROLE_ARN})) == "pass"
    assert verdict("bedrock-agent-role-not-admin", res(AGENT, {"role_arn": U})) == "unknown"
