"""Lambda from `ListFunctions` (plus the per-function URL config, policy, concurrency,
code-signing and image calls), layers with their version policies, and event source
mappings. Environment values are scrubbed here, exactly as for IaC. A detail the collector
could not read (`Unread`) is Unresolved: a URL config or resource policy not read becomes a
URL or permission whose settings are Unresolved, never "no URL" or "no policy"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import LiveBuilder, Normalized, Unread, policy_doc, relate_sgs, scoped, vpc

if TYPE_CHECKING:
    from . import Raw

_ROOT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):root$")


def function(raw: Raw) -> Normalized:
    d, x = raw.data, raw.extra
    arn = d["FunctionArn"]
    b = LiveBuilder(
        "aws.lambda.function",
        arn,
        d["FunctionName"],
        raw.account,
        raw.region,
        "lambda:ListFunctions",
        x.get("tags"),
    )
    b.put("arn", arn)
    b.put("function_name", d["FunctionName"])
    package = b.put("package_type", d.get("PackageType"), default="Zip")
    b.put("runtime", d.get("Runtime"))
    b.put("image_uri", x.get("image_uri") if package == "Image" else None)
    b.put("role_arn", d.get("Role"))
    b.relate("execution_role", d.get("Role"), "role_arn")
    env = (d.get("Environment") or {}).get("Variables")
    b.put("environment", b.scrub_map("environment", env))
    if not env:
        b.res.provenance["environment"] = "default"
    b.put("kms_key_arn", d.get("KMSKeyArn"))
    b.put("tracing_mode", (d.get("TracingConfig") or {}).get("Mode"), default="PassThrough")
    v = vpc(d.get("VpcConfig"), "SubnetIds", "SecurityGroupIds")
    b.put("vpc_config", v)
    if v:
        relate_sgs(b, v["security_group_ids"], "vpc_config.security_group_ids")
    b.put("dead_letter_target_arn", (d.get("DeadLetterConfig") or {}).get("TargetArn"))
    b.put("reserved_concurrency", x.get("reserved_concurrency"))
    b.put("code_signing_config_arn", x.get("code_signing_config_arn"))
    b.put("layers", [layer.get("Arn") for layer in d.get("Layers") or [] if layer.get("Arn")])
    b.alias_name(d["FunctionName"])
    out = b.finish(with_secrets=True)
    # --inspect-code: secrets found in the package, at code[<file in the zip>] with their line
    b.res.attrs["secrets"].extend(x.get("code_secrets") or [])
    if isinstance(x.get("url"), Unread):
        out.merge(_url_unread(raw, x["url"]))
    elif x.get("url"):
        out.merge(_url(raw, x["url"]))
    if isinstance(x.get("policy"), Unread):
        out.merge(_policy_unread(raw, x["policy"]))
        return out
    pol = policy_doc(x.get("policy"))
    if isinstance(pol, dict):
        for i, stmt in enumerate(pol.get("Statement") or []):
            if isinstance(stmt, dict):
                out.merge(_permission(raw, stmt, i))
    return out


def _url_builder(raw: Raw) -> LiveBuilder:
    """The function's URL resource, named and related to the function."""
    d = raw.data
    b = LiveBuilder(
        "aws.lambda.function_url",
        f"{d['FunctionArn']}#url",
        f"{d['FunctionName']}-url",
        raw.account,
        raw.region,
        "lambda:GetFunctionUrlConfig",
    )
    b.put("function_name", d["FunctionName"])
    b.relate("url_of", d["FunctionArn"], "function_name")
    return b


def _url(raw: Raw, u: dict) -> Normalized:
    b = _url_builder(raw)
    b.put("auth_type", u.get("AuthType"))
    cors = u.get("Cors")
    b.put(
        "cors",
        {
            "allow_origins": list(cors.get("AllowOrigins") or []),
            "allow_methods": list(cors.get("AllowMethods") or []),
            "allow_credentials": bool(cors.get("AllowCredentials", False)),
        }
        if cors
        else None,
    )
    return b.finish()


def _url_unread(raw: Raw, why: Unread) -> Normalized:
    """GetFunctionUrlConfig failed: whether the function has a URL, and how it is
    authorized, is not known. A URL whose every setting is Unresolved stands for it, so the
    URL rules say UNKNOWN about this function instead of nothing (read as none)."""
    b = _url_builder(raw)
    b.put("auth_type", why)
    b.put("cors", why)
    return b.finish()


def _policy_unread(raw: Raw, why: Unread) -> Normalized:
    """GetPolicy failed (not ResourceNotFoundException, which means no policy): one
    permission whose every setting is Unresolved stands for the statements that were not
    read, so the public-invoke rules say UNKNOWN instead of passing a function that looks
    as if it had no policy."""
    d = raw.data
    b = LiveBuilder(
        "aws.lambda.permission",
        f"{d['FunctionArn']}#policy",
        f"{d['FunctionName']}/policy",
        raw.account,
        raw.region,
        "lambda:GetPolicy",
    )
    b.put("function_name", d["FunctionName"])
    b.relate("grants_on", d["FunctionArn"], "function_name")
    for k in ("action", "principal", "source_arn", "source_account", "principal_org_id"):
        b.put(k, why)
    b.put("function_url_auth_type", why)
    return b.finish()


def _first(cond: dict, key: str):
    """The first value of a condition key under any operator (keys are case-insensitive)."""
    for kv in cond.values():
        if isinstance(kv, dict):
            for k, vals in kv.items():
                if k.lower() == key.lower():
                    return vals[0] if isinstance(vals, list) and vals else vals
    return None


def principal_of(p) -> str | None:
    """A policy principal as `aws_lambda_permission.principal` writes it."""
    if p == "*":
        return "*"
    if isinstance(p, dict):
        for k in ("Service", "AWS", "Federated"):
            vals = p.get(k) or []
            if vals:
                v = vals[0]
                m = _ROOT.match(v) if isinstance(v, str) else None
                return m.group(1) if m else v
    return None


def _permission(raw: Raw, stmt: dict, i: int) -> Normalized:
    d = raw.data
    sid = stmt.get("Sid") or str(i)
    b = LiveBuilder(
        "aws.lambda.permission",
        f"{d['FunctionArn']}#policy/{sid}",
        f"{d['FunctionName']}/{sid}",
        raw.account,
        raw.region,
        "lambda:GetPolicy",
    )
    cond = stmt.get("Condition") or {}
    actions = stmt.get("Action") or []
    b.put("function_name", d["FunctionName"])
    b.relate("grants_on", d["FunctionArn"], "function_name")
    b.put("action", actions[0] if actions else None)
    b.put("principal", principal_of(stmt.get("Principal")))
    b.put("source_arn", _first(cond, "AWS:SourceArn"))
    b.put("source_account", _first(cond, "AWS:SourceAccount"))
    b.put("principal_org_id", _first(cond, "aws:PrincipalOrgID"))
    b.put("function_url_auth_type", _first(cond, "lambda:FunctionUrlAuthType"))
    return b.finish()


def layer_version(raw: Raw) -> Normalized:
    d = raw.data
    arn = d["LayerVersionArn"]
    b = LiveBuilder(
        "aws.lambda.layer_version",
        arn,
        raw.extra["layer_name"],
        raw.account,
        raw.region,
        "lambda:ListLayerVersions",
    )
    b.put("arn", arn)
    b.put("layer_name", raw.extra["layer_name"])
    b.put("compatible_runtimes", list(d.get("CompatibleRuntimes") or []))
    if isinstance(raw.extra.get("policy"), Unread):  # GetLayerVersionPolicy failed: not "none"
        b.put("permissions", raw.extra["policy"])
        return b.finish()
    perms = []
    pol = policy_doc(raw.extra.get("policy"))
    for stmt in (pol or {}).get("Statement") or [] if isinstance(pol, dict) else []:
        if isinstance(stmt, dict):
            actions = stmt.get("Action") or []
            perms.append(
                {
                    "principal": principal_of(stmt.get("Principal")),
                    "organization_id": _first(stmt.get("Condition") or {}, "aws:PrincipalOrgID"),
                    "action": actions[0] if actions else None,
                }
            )
    b.put("permissions", perms)
    if not perms:
        b.res.provenance["permissions"] = "default"
    return b.finish()


def event_source_mapping(raw: Raw) -> Normalized:
    d = raw.data
    fn = d.get("FunctionArn", "")
    uid = d.get("EventSourceMappingArn") or (
        f"arn:aws:lambda:{raw.region}:{raw.account}:event-source-mapping:{d['UUID']}"
    )
    b = LiveBuilder(
        "aws.lambda.event_source_mapping",
        uid,
        d["UUID"],
        raw.account,
        raw.region,
        "lambda:ListEventSourceMappings",
    )
    b.put("function_name", fn.split(":function:")[-1].split(":")[0] if fn else None)
    b.relate("triggers", fn, "function_name")
    b.put("event_source_arn", d.get("EventSourceArn"))
    state = d.get("State")
    b.put("enabled", None if state is None else state not in ("Disabled", "Disabling"), default=True)
    b.put("batch_size", d.get("BatchSize"))
    return b.finish()


NORMALIZERS = {
    "lambda.function": function,
    "lambda.layer_version": layer_version,
    "lambda.event_source_mapping": event_source_mapping,
}

__all__ = ["scoped"]
