"""SageMaker from its Describe* responses: notebooks and lifecycle configs, models,
endpoint configs and endpoints (with Application Auto Scaling targets), Studio domains,
user profiles and spaces, feature groups, Model Monitor schedules and data-quality job
definitions, the model registry, code repositories, and jobs (training, processing,
transform, tuning; and the steps of pipeline definitions, read by the same mapping as IaC)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.normalize.governance import installs_idle_shutdown, set_variant_capacity
from scanner.normalize.sagemaker_pipeline import (
    PROCESSING,
    TRAINING,
    TRANSFORM,
    DefinitionError,
    JobSpec,
    job_attrs,
    pipeline_jobs,
)

from .base import LiveBuilder, Normalized, decode_b64, policy_doc, relate_sgs, scoped, tags_of, vpc

if TYPE_CHECKING:
    from . import Raw

ROLE = "aws.iam.role"
ENDPOINT = "aws.sagemaker.endpoint"
CONFIG = "aws.sagemaker.endpoint_config"
MODEL = "aws.sagemaker.model"
DOMAIN = "aws.sagemaker.domain"
LIFECYCLE = "aws.sagemaker.notebook_lifecycle_config"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"


def _b(raw: Raw, rtype: str, arn_key: str, name_key: str, api: str) -> LiveBuilder:
    d = raw.data
    b = LiveBuilder(
        rtype, d[arn_key], d[name_key], raw.account, raw.region, api, tags_of(raw.extra.get("tags"))
    )
    b.put("arn", d[arn_key])
    b.alias_name(d[name_key])
    return b


def _rel(b: LiveBuilder, kind: str, rtype: str, name: Any, attr: str) -> None:
    if isinstance(name, str) and name:
        b.relate(kind, scoped(rtype, b.account, b.region, name), attr)


def notebook_instance(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.notebook_instance",
        "NotebookInstanceArn",
        "NotebookInstanceName",
        "sagemaker:DescribeNotebookInstance",
    )
    b.put("direct_internet_access", _enabled(d.get("DirectInternetAccess")), default=True)
    b.put("root_access", _enabled(d.get("RootAccess")), default=True)
    b.put("kms_key_id", d.get("KmsKeyId"))
    b.put("subnet_id", d.get("SubnetId"))
    sgs = list(d.get("SecurityGroups") or [])
    b.put("security_group_ids", sgs)
    relate_sgs(b, sgs, "security_group_ids")
    b.put("instance_type", d.get("InstanceType"))
    imds = (d.get("InstanceMetadataServiceConfiguration") or {}).get("MinimumInstanceMetadataServiceVersion")
    b.put("imds_min_version", str(imds) if imds is not None else None, default="1")
    b.put("role_arn", d.get("RoleArn"))
    b.relate("execution_role", d.get("RoleArn"), "role_arn")
    lc = d.get("NotebookInstanceLifecycleConfigName")
    b.put("lifecycle_config_name", lc)
    _rel(b, "lifecycle_config", LIFECYCLE, lc, "lifecycle_config_name")
    return b.finish()


def _enabled(v: Any) -> bool | None:
    return None if v is None else str(v).lower() == "enabled"


def lifecycle_config(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        LIFECYCLE,
        "NotebookInstanceLifecycleConfigArn",
        "NotebookInstanceLifecycleConfigName",
        "sagemaker:DescribeNotebookInstanceLifecycleConfig",
    )
    del b.res.attrs["arn"]  # the canonical type has no arn attribute
    for hook, key in (("on_create", "OnCreate"), ("on_start", "OnStart")):
        parts = [decode_b64(p.get("Content")) for p in d.get(key) or [] if p.get("Content")]
        b.put(hook, b.scrub_script(hook, "\n".join(parts)) if parts else None)
    on_start = b.res.attrs["on_start"]
    b.put("idle_shutdown", installs_idle_shutdown(on_start) if on_start else None, default=False)
    b.alias(d["NotebookInstanceLifecycleConfigArn"])
    return b.finish(with_secrets=True)


def model(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(raw, MODEL, "ModelArn", "ModelName", "sagemaker:DescribeModel")
    b.put("enable_network_isolation", d.get("EnableNetworkIsolation"), default=False)
    v = vpc(d.get("VpcConfig"))
    b.put("vpc_config", v)
    if v:
        relate_sgs(b, v["security_group_ids"], "vpc_config.security_group_ids")
    b.put("execution_role_arn", d.get("ExecutionRoleArn"))
    b.relate("execution_role", d.get("ExecutionRoleArn"), "execution_role_arn")
    sources = ([d["PrimaryContainer"]] if d.get("PrimaryContainer") else []) + list(d.get("Containers") or [])
    containers = []
    for i, c in enumerate(sources):
        containers.append(
            {
                "image": c.get("Image"),
                "model_data_url": c.get("ModelDataUrl"),
                "environment": b.scrub_map(f"containers[{i}].environment", c.get("Environment")),
                "mode": c.get("Mode"),
            }
        )
    b.put("containers", containers)
    return b.finish(with_secrets=True)


def endpoint_config(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(raw, CONFIG, "EndpointConfigArn", "EndpointConfigName", "sagemaker:DescribeEndpointConfig")
    b.put("kms_key_id", d.get("KmsKeyId"))
    variants = []
    for i, v in enumerate(d.get("ProductionVariants") or []):
        variants.append(
            {
                "variant_name": v.get("VariantName"),
                "model_name": v.get("ModelName"),
                "instance_type": v.get("InstanceType"),
                "initial_instance_count": v.get("InitialInstanceCount"),
                "serverless": bool(v.get("ServerlessConfig")),
                "min_capacity": None,
                "max_capacity": None,
            }
        )
        _rel(b, "serves_model", MODEL, v.get("ModelName"), f"production_variants[{i}].model_name")
    b.put("production_variants", variants)
    for t in raw.extra.get("scaling") or []:
        set_variant_capacity(variants, b.res.provenance, t["variant"], t["min_capacity"], t["max_capacity"])
    dc = d.get("DataCaptureConfig")
    b.put(
        "data_capture",
        {
            "enabled": bool(dc.get("EnableCapture", True)),
            "kms_key_id": dc.get("KmsKeyId"),
            "destination": dc.get("DestinationS3Uri"),
        }
        if dc
        else None,
    )
    b.put(
        "async_output_kms_key_id",
        ((d.get("AsyncInferenceConfig") or {}).get("OutputConfig") or {}).get("KmsKeyId"),
    )
    return b.finish()


def endpoint(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(raw, ENDPOINT, "EndpointArn", "EndpointName", "sagemaker:DescribeEndpoint")
    cfg = d.get("EndpointConfigName")
    b.put("endpoint_config_name", cfg)
    _rel(b, "uses_config", CONFIG, cfg, "endpoint_config_name")
    b.put("autoscaling", list(raw.extra.get("scaling") or []))
    if not b.res.attrs["autoscaling"]:
        b.res.provenance["autoscaling"] = "default"
    return b.finish()


def domain(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(raw, DOMAIN, "DomainArn", "DomainName", "sagemaker:DescribeDomain")
    b.alias_name(d.get("DomainId"))
    b.put("app_network_access_type", d.get("AppNetworkAccessType"), default="PublicInternetOnly")
    b.put("auth_mode", d.get("AuthMode"))
    b.put("kms_key_id", d.get("KmsKeyId"))
    b.put("vpc_id", d.get("VpcId"))
    b.put("subnet_ids", list(d.get("SubnetIds") or []))
    role = (d.get("DefaultUserSettings") or {}).get("ExecutionRole")
    b.put("default_execution_role", role)
    b.relate("execution_role", role, "default_execution_role")
    root = ((d.get("DefaultUserSettings") or {}).get("StudioWebPortalSettings") or {}).get("RootAccess")
    b.put("root_access", _enabled(root))
    return b.finish()


def user_profile(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.user_profile",
        "UserProfileArn",
        "UserProfileName",
        "sagemaker:DescribeUserProfile",
    )
    b.put("user_profile_name", d["UserProfileName"])
    b.put("domain_id", d.get("DomainId"))
    _rel(b, "in_domain", DOMAIN, d.get("DomainId"), "domain_id")
    us = d.get("UserSettings") or {}
    b.put("execution_role", us.get("ExecutionRole"))
    b.relate("execution_role", us.get("ExecutionRole"), "execution_role")
    ss = us.get("SharingSettings") or {}
    b.put("notebook_output_option", ss.get("NotebookOutputOption"))
    b.put("sharing_s3_kms_key_id", ss.get("S3KmsKeyId"))
    b.alias_name(f"{d.get('DomainId')}/{d['UserProfileName']}")
    return b.finish()


def space(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(raw, "aws.sagemaker.space", "SpaceArn", "SpaceName", "sagemaker:DescribeSpace")
    b.put("space_name", d["SpaceName"])
    b.put("domain_id", d.get("DomainId"))
    _rel(b, "in_domain", DOMAIN, d.get("DomainId"), "domain_id")
    owner = (d.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
    b.put("owner_user_profile_name", owner)
    if owner:
        _rel(
            b,
            "owned_by",
            "aws.sagemaker.user_profile",
            f"{d.get('DomainId')}/{owner}",
            "owner_user_profile_name",
        )
    b.put("sharing_type", (d.get("SpaceSharingSettings") or {}).get("SharingType"))
    b.put("app_type", (d.get("SpaceSettings") or {}).get("AppType"))
    return b.finish()


def feature_group(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.feature_group",
        "FeatureGroupArn",
        "FeatureGroupName",
        "sagemaker:DescribeFeatureGroup",
    )
    b.put("feature_group_name", d["FeatureGroupName"])
    b.put("role_arn", d.get("RoleArn"))
    b.relate("execution_role", d.get("RoleArn"), "role_arn")
    on, off = d.get("OnlineStoreConfig"), d.get("OfflineStoreConfig")
    b.put("online_store_enabled", bool((on or {}).get("EnableOnlineStore")) if on else None, default=False)
    b.put("online_kms_key_id", ((on or {}).get("SecurityConfig") or {}).get("KmsKeyId"))
    b.put("offline_store_enabled", True if off else None, default=False)
    b.put("offline_kms_key_id", ((off or {}).get("S3StorageConfig") or {}).get("KmsKeyId"))
    return b.finish()


def monitoring_schedule(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.monitoring_schedule",
        "MonitoringScheduleArn",
        "MonitoringScheduleName",
        "sagemaker:DescribeMonitoringSchedule",
    )
    b.put("schedule_name", d["MonitoringScheduleName"])
    cfg = d.get("MonitoringScheduleConfig") or {}
    ep = d.get("EndpointName")
    b.put("endpoint_name", ep)
    _rel(b, "monitors", ENDPOINT, ep, "endpoint_name")
    jd = cfg.get("MonitoringJobDefinitionName")
    b.put("job_definition_name", jd)
    _rel(b, "uses_job_definition", DATA_QUALITY, jd, "job_definition_name")
    b.put("monitoring_type", cfg.get("MonitoringType") or d.get("MonitoringType"))
    b.put("schedule_expression", (cfg.get("ScheduleConfig") or {}).get("ScheduleExpression"))
    return b.finish()


def data_quality_job_definition(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        DATA_QUALITY,
        "JobDefinitionArn",
        "JobDefinitionName",
        "sagemaker:DescribeDataQualityJobDefinition",
    )
    b.put("output_kms_key_id", (d.get("DataQualityJobOutputConfig") or {}).get("KmsKeyId"))
    b.put(
        "volume_kms_key_id", ((d.get("JobResources") or {}).get("ClusterConfig") or {}).get("VolumeKmsKeyId")
    )
    net = d.get("NetworkConfig") or {}
    b.put(
        "enable_inter_container_traffic_encryption",
        net.get("EnableInterContainerTrafficEncryption"),
        default=False,
    )
    b.put("enable_network_isolation", net.get("EnableNetworkIsolation"), default=False)
    b.put("role_arn", d.get("RoleArn"))
    b.relate("execution_role", d.get("RoleArn"), "role_arn")
    ep = ((d.get("DataQualityJobInput") or {}).get("EndpointInput") or {}).get("EndpointName")
    b.put("endpoint_name", ep)
    _rel(b, "monitors", ENDPOINT, ep, "endpoint_name")
    return b.finish()


def model_package_group(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.model_package_group",
        "ModelPackageGroupArn",
        "ModelPackageGroupName",
        "sagemaker:DescribeModelPackageGroup",
    )
    b.put("model_package_group_name", d["ModelPackageGroupName"])
    b.put("policy", policy_doc(raw.extra.get("policy")))
    return b.finish()


def model_package(raw: Raw) -> Normalized:
    d = raw.data
    name = d.get("ModelPackageName") or d["ModelPackageArn"].rsplit("/", 2)[-2]
    ver = d.get("ModelPackageVersion")
    b = LiveBuilder(
        "aws.sagemaker.model_package",
        d["ModelPackageArn"],
        f"{name}/{ver}" if ver else name,
        raw.account,
        raw.region,
        "sagemaker:DescribeModelPackage",
    )
    b.put("arn", d["ModelPackageArn"])
    grp = d.get("ModelPackageGroupName")
    b.put("model_package_group_name", grp)
    _rel(b, "in_group", "aws.sagemaker.model_package_group", grp, "model_package_group_name")
    b.put("model_approval_status", d.get("ModelApprovalStatus"), default="PendingManualApproval")
    return b.finish()


def code_repository(raw: Raw) -> Normalized:
    d = raw.data
    b = _b(
        raw,
        "aws.sagemaker.code_repository",
        "CodeRepositoryArn",
        "CodeRepositoryName",
        "sagemaker:DescribeCodeRepository",
    )
    g = d.get("GitConfig") or {}
    b.put("repository_url", g.get("RepositoryUrl"))
    b.put("branch", g.get("Branch"))
    b.put("secret_arn", g.get("SecretArn"))
    b.relate("uses_secret", g.get("SecretArn"), "secret_arn")
    b.put("has_secret", bool(g.get("SecretArn")))
    return b.finish()


# ------------------------------------------------------------------------- jobs
def _job(
    raw: Raw,
    rtype: str,
    uid: str,
    name: str,
    args: Any,
    api: str,
    step: str | None = None,
    container: tuple[str, str] | None = None,
) -> Normalized:
    b = LiveBuilder(rtype, uid, name, raw.account, raw.region, api, tags_of(raw.extra.get("tags")))
    ja = job_attrs(
        JobSpec(rtype, step or name, args),
        container[0] if container else uid,
        container[1] if container else "",
        None,
    )
    for k, v in ja.attrs.items():
        if k != "secrets":
            b.put(k, v)
    if container is None:
        b.put("defined_in", None)  # a job that ran, not a step declared in a pipeline
    b.res.provenance.update(ja.provenance)
    b.detections.extend(ja.detections)
    role = ja.attrs.get("role_arn")
    if isinstance(role, str):
        b.relate("execution_role", role, "role_arn")
    return b.finish(with_secrets=True)


def training_job(raw: Raw) -> Normalized:
    d = raw.data
    return _job(raw, TRAINING, d["TrainingJobArn"], d["TrainingJobName"], d, "sagemaker:DescribeTrainingJob")


def processing_job(raw: Raw) -> Normalized:
    d = raw.data
    return _job(
        raw, PROCESSING, d["ProcessingJobArn"], d["ProcessingJobName"], d, "sagemaker:DescribeProcessingJob"
    )


def transform_job(raw: Raw) -> Normalized:
    d = raw.data
    return _job(
        raw, TRANSFORM, d["TransformJobArn"], d["TransformJobName"], d, "sagemaker:DescribeTransformJob"
    )


def tuning_job(raw: Raw) -> Normalized:
    """A tuning job's training job definition(s): one training job resource each."""
    d = raw.data
    arn, name = d["HyperParameterTuningJobArn"], d["HyperParameterTuningJobName"]
    defs = ([d["TrainingJobDefinition"]] if d.get("TrainingJobDefinition") else []) + list(
        d.get("TrainingJobDefinitions") or []
    )
    out = Normalized()
    for i, td in enumerate(defs):
        args = dict(td)
        args.setdefault("HyperParameters", td.get("StaticHyperParameters"))
        suffix = td.get("DefinitionName") or str(i)
        out.merge(
            _job(
                raw,
                TRAINING,
                f"{arn}#{suffix}",
                f"{name}/{suffix}",
                args,
                "sagemaker:DescribeHyperParameterTuningJob",
                step=suffix,
                container=(arn, "AWS::SageMaker::HyperParameterTuningJob"),
            )
        )
    return out


def pipeline(raw: Raw) -> Normalized:
    """A pipeline's Training/Processing/Transform steps, as `aws_sagemaker_pipeline` gives them."""
    d = raw.data
    arn, name = d["PipelineArn"], d["PipelineName"]
    out = Normalized()
    try:
        specs = pipeline_jobs(d.get("PipelineDefinition") or "{}")
    except DefinitionError as e:
        out.errors.append(f"pipeline {name}: {e}")
        return out
    for spec in specs:
        out.merge(
            _job(
                raw,
                spec.rtype,
                f"{arn}#{spec.step}",
                f"{name}/{spec.step}",
                spec.args,
                "sagemaker:DescribePipeline",
                step=spec.step,
                container=(arn, "AWS::SageMaker::Pipeline"),
            )
        )
    return out


NORMALIZERS = {
    "sagemaker.notebook_instance": notebook_instance,
    "sagemaker.notebook_lifecycle_config": lifecycle_config,
    "sagemaker.model": model,
    "sagemaker.endpoint_config": endpoint_config,
    "sagemaker.endpoint": endpoint,
    "sagemaker.domain": domain,
    "sagemaker.user_profile": user_profile,
    "sagemaker.space": space,
    "sagemaker.feature_group": feature_group,
    "sagemaker.monitoring_schedule": monitoring_schedule,
    "sagemaker.data_quality_job_definition": data_quality_job_definition,
    "sagemaker.model_package_group": model_package_group,
    "sagemaker.model_package": model_package,
    "sagemaker.code_repository": code_repository,
    "sagemaker.training_job": training_job,
    "sagemaker.processing_job": processing_job,
    "sagemaker.transform_job": transform_job,
    "sagemaker.tuning_job": tuning_job,
    "sagemaker.pipeline": pipeline,
}
