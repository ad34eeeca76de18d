"""SageMaker notebooks, lifecycle configurations, models, endpoint configurations,
endpoints and Studio domains."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.governance import installs_idle_shutdown

from .builder import MISSING, Builder, decode_script, dig, to_bool, to_int, to_list, to_str
from .intrinsics import is_intrinsic

ROLE = "aws.iam.role"


def notebook(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("direct_internet_access", "DirectInternetAccess", to_bool, default=True)
    b.prop("root_access", "RootAccess", to_bool, default=True)
    b.prop("kms_key_id", "KmsKeyId", to_str)
    b.prop("subnet_id", "SubnetId", to_str)
    b.prop("security_group_ids", "SecurityGroupIds", to_list, default=[])
    b.prop("instance_type", "InstanceType", to_str)
    b.prop(
        "imds_min_version",
        ("InstanceMetadataServiceConfiguration", "MinimumInstanceMetadataServiceVersion"),
        to_str,
        default="1",
    )
    role = b.prop("role_arn", "RoleArn", to_str)
    b.relate("execution_role", role, "role_arn", ROLE)
    lc = b.prop("lifecycle_config_name", "LifecycleConfigName", to_str)
    b.relate("lifecycle_config", lc, "lifecycle_config_name", "aws.sagemaker.notebook_lifecycle_config")


def lifecycle_config(b: Builder) -> None:
    for attr, key in (("on_create", "OnCreate"), ("on_start", "OnStart")):
        hooks = dig(b.props, (key,))
        if hooks is MISSING or hooks is None:
            b.set(attr, None)
            continue
        if isinstance(hooks, Unresolved):
            b.set(attr, hooks, line=b.line(key))
            continue
        scripts = []
        for i, hook in enumerate(hooks if isinstance(hooks, list) else [hooks]):
            content = hook.get("Content") if isinstance(hook, dict) else Unresolved(f"{key}[{i}]")
            raw = dig(b.raw, (key, i, "Content"))
            line = b.line(key, i, "Content")
            script, was_b64 = decode_script(content)
            # Fn::Base64 of a literal block: the script's lines are the file's lines.
            exact = not was_b64 or (
                isinstance(raw, dict)
                and is_intrinsic(raw)
                and "Fn::Base64" in raw
                and isinstance(raw["Fn::Base64"], str)
            )
            start = (line + 1) if line and exact else line
            scripts.append(b.scrub_script(attr, script, start, exact))
        if any(isinstance(s, Unresolved) for s in scripts):
            value: Any = next(s for s in scripts if isinstance(s, Unresolved))
        else:
            value = "\n".join(s for s in scripts if isinstance(s, str))
        b.set(attr, value, line=b.line(key))
    _idle_shutdown(b)


def _idle_shutdown(b: Builder) -> None:
    on_start = b.attrs.get("on_start")
    if on_start is None:
        b.set("idle_shutdown", None, default=False)
    elif isinstance(on_start, Unresolved):
        b.set("idle_shutdown", Unresolved("OnStart is not known"), line=b.line("OnStart"))
    else:
        b.set("idle_shutdown", installs_idle_shutdown(on_start), line=b.line("OnStart"))


def _vpc(v: Any) -> Any:
    if not isinstance(v, dict):
        return v if isinstance(v, Unresolved) else None
    return {
        "subnet_ids": to_list(v.get("Subnets", v.get("SubnetIds", []))),
        "security_group_ids": to_list(v.get("SecurityGroupIds", [])),
    }


def model(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("enable_network_isolation", "EnableNetworkIsolation", to_bool, default=False)
    b.prop("vpc_config", "VpcConfig", _vpc)
    role = b.prop("execution_role_arn", "ExecutionRoleArn", to_str)
    b.relate("execution_role", role, "execution_role_arn", ROLE)
    if isinstance(b.props, Unresolved):
        b.set("containers", b.props)
        return
    written = []
    if dig(b.props, ("PrimaryContainer",)) not in (MISSING, None):
        written.append(("PrimaryContainer",))
    containers = dig(b.props, ("Containers",))
    if isinstance(containers, list):
        written.extend(("Containers", i) for i in range(len(containers)))
    out: list[Any] = []
    for path in written:
        c = dig(b.props, path)
        i = len(out)
        if not isinstance(c, dict):
            out.append(Unresolved(f"container {i}") if not isinstance(c, Unresolved) else c)
            continue
        env = c.get("Environment", {})
        env = (
            b.scrub_env(f"containers[{i}].environment", env, (*path, "Environment"))
            if isinstance(env, dict)
            else env
        )
        out.append(
            {
                "image": to_str(c.get("Image")) if c.get("Image") is not None else None,
                "model_data_url": to_str(c["ModelDataUrl"]) if c.get("ModelDataUrl") is not None else None,
                "environment": env,
                "mode": to_str(c["Mode"]) if c.get("Mode") is not None else None,
            }
        )
        if line := b.line(*path):
            b.lines[f"containers[{i}]"] = line
    if isinstance(containers, Unresolved):
        out.append(containers)
    b.set("containers", out, line=b.line("PrimaryContainer") or b.line("Containers"))


def endpoint_config(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("kms_key_id", "KmsKeyId", to_str)
    variants = dig(b.props, ("ProductionVariants",))
    out: Any = []
    if isinstance(variants, Unresolved):
        out = variants
    elif isinstance(variants, list):
        for i, v in enumerate(variants):
            if not isinstance(v, dict):
                out.append(v if isinstance(v, Unresolved) else Unresolved(f"production variant {i}"))
                continue
            model_name = to_str(v.get("ModelName")) if v.get("ModelName") is not None else None
            b.relate(
                "serves_model", model_name, f"production_variants[{i}].model_name", "aws.sagemaker.model"
            )
            out.append(
                {
                    "variant_name": to_str(v.get("VariantName"))
                    if v.get("VariantName") is not None
                    else None,
                    "model_name": model_name,
                    "instance_type": to_str(v["InstanceType"]) if v.get("InstanceType") is not None else None,
                    "initial_instance_count": to_int(v["InitialInstanceCount"])
                    if v.get("InitialInstanceCount") is not None
                    else None,
                    "serverless": v.get("ServerlessConfig") is not None,
                    # filled by governance.fold_scalable_target when a target names this variant
                    "min_capacity": None,
                    "max_capacity": None,
                }
            )
            if line := b.line("ProductionVariants", i):
                b.lines[f"production_variants[{i}]"] = line
    b.set("production_variants", out, line=b.line("ProductionVariants"), default=[])
    dc = dig(b.props, ("DataCaptureConfig",))
    if isinstance(dc, dict):
        enabled = to_bool(dc["EnableCapture"]) if "EnableCapture" in dc else True  # the API's default
        if "EnableCapture" not in dc:
            b.provenance["data_capture.enabled"] = "default"
        dc = {
            "enabled": enabled,
            "kms_key_id": to_str(dc["KmsKeyId"]) if dc.get("KmsKeyId") is not None else None,
            "destination": to_str(dc["DestinationS3Uri"]) if dc.get("DestinationS3Uri") is not None else None,
        }
    b.set("data_capture", dc, line=b.line("DataCaptureConfig"))
    b.prop("async_output_kms_key_id", ("AsyncInferenceConfig", "OutputConfig", "KmsKeyId"), to_str)


def endpoint(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    cfg = b.prop("endpoint_config_name", "EndpointConfigName", to_str)
    b.relate("uses_config", cfg, "endpoint_config_name", "aws.sagemaker.endpoint_config")
    b.set("autoscaling", None, default=[])  # governance.fold_scalable_target appends


def domain(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("app_network_access_type", "AppNetworkAccessType", to_str, default="PublicInternetOnly")
    b.prop("auth_mode", "AuthMode", to_str)
    b.prop("kms_key_id", "KmsKeyId", to_str)
    b.prop("vpc_id", "VpcId", to_str)
    b.prop("subnet_ids", "SubnetIds", to_list, default=[])
    role = b.prop("default_execution_role", ("DefaultUserSettings", "ExecutionRole"), to_str)
    b.relate("execution_role", role, "default_execution_role", ROLE)
    # CloudFormation has no domain-wide root access switch; the API leaves it unset.
    b.set("root_access", None)
