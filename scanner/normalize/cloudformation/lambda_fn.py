"""Lambda functions (plain and SAM), function URLs and permissions."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Unresolved

from .builder import MISSING, Builder, dig, to_bool, to_int, to_list, to_str

FUNCTION = "aws.lambda.function"

# Where each canonical attribute is written: AWS::Lambda::Function vs AWS::Serverless::Function.
PATHS = {
    "cfn": {
        "image_uri": ("Code", "ImageUri"),
        "tracing": ("TracingConfig", "Mode"),
        "dlq": ("DeadLetterConfig", "TargetArn"),
    },
    "sam": {"image_uri": ("ImageUri",), "tracing": ("Tracing",), "dlq": ("DeadLetterQueue", "TargetArn")},
}


def _tracing(v: Any) -> Any:
    v = to_str(v)
    return "PassThrough" if v == "Disabled" else v  # SAM spells "no tracing" Disabled


def _vpc(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    if not isinstance(v, dict):
        return None
    return {
        "subnet_ids": to_list(v.get("SubnetIds", [])),
        "security_group_ids": to_list(v.get("SecurityGroupIds", [])),
    }


def function(b: Builder, dialect: str = "cfn") -> None:
    paths = PATHS[dialect]
    b.attrs["arn"] = None  # known only once deployed
    b.prop("function_name", "FunctionName", to_str, default=b.name)  # CFN generates one from the id
    b.prop("runtime", "Runtime", to_str)
    b.prop("package_type", "PackageType", to_str, default="Zip")
    b.prop("image_uri", paths["image_uri"], to_str)
    if "role_arn" not in b.attrs:  # SAM's implicit role sets it beforehand
        role = b.prop("role_arn", "Role", to_str)
        b.relate("execution_role", role, "role_arn", "aws.iam.role")
    env = dig(b.props, ("Environment", "Variables"))
    if isinstance(env, dict):
        env = b.scrub_env("environment", env, ("Environment", "Variables"))
    elif env is MISSING:
        env = None
    elif env is not None and not isinstance(env, Unresolved):
        env = Unresolved("Environment.Variables is not a mapping")
    b.set("environment", env, line=b.line("Environment", "Variables") or b.line("Environment"), default={})
    b.prop("kms_key_arn", "KmsKeyArn", to_str)
    b.prop("tracing_mode", paths["tracing"], _tracing, default="PassThrough")
    b.prop("vpc_config", "VpcConfig", _vpc)
    b.prop("dead_letter_target_arn", paths["dlq"], to_str)
    b.prop("reserved_concurrency", "ReservedConcurrentExecutions", to_int)
    b.prop("code_signing_config_arn", "CodeSigningConfigArn", to_str)
    b.prop("layers", "Layers", to_list, default=[])


def _cors(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    if not isinstance(v, dict):
        return None
    creds = v.get("AllowCredentials")
    return {
        "allow_origins": to_list(v.get("AllowOrigins", [])),
        "allow_methods": to_list(v.get("AllowMethods", [])),
        "allow_credentials": to_bool(creds) if creds is not None else False,
    }


def function_url(b: Builder, target_key: str = "TargetFunctionArn") -> None:
    fn = b.prop("function_name", target_key, to_str)
    b.relate("url_of", fn, "function_name", FUNCTION)
    b.prop("auth_type", "AuthType", to_str)
    b.prop("cors", "Cors", _cors)


def permission(b: Builder) -> None:
    fn = b.prop("function_name", "FunctionName", to_str)
    b.relate("grants_on", fn, "function_name", FUNCTION)
    b.prop("action", "Action", to_str)
    b.prop("principal", "Principal", to_str)
    b.prop("source_arn", "SourceArn", to_str)
    b.prop("source_account", "SourceAccount", to_str)
    b.prop("principal_org_id", "PrincipalOrgID", to_str)
    b.prop("function_url_auth_type", "FunctionUrlAuthType", to_str)
