"""SageMaker: every List* then Describe* of the resource kinds the rules read. Jobs are read
only within the recent window (`--jobs-since`). Each kind is attempted on its own, so a
denied call leaves only that kind unscanned."""

from __future__ import annotations

from ..context import Ctx

SM = "sagemaker"
# Tags are read where the default tag policy needs them (GPU-capable capacity).
_TAGGED = ("sagemaker.notebook_instance", "sagemaker.endpoint_config")


def _tags(ctx: Ctx, arn: str) -> list:
    return list(ctx.pages(SM, "ListTags", "Tags", ResourceArn=arn))


def _simple(
    ctx: Ctx,
    kind: str,
    list_op: str,
    list_key: str,
    name_key: str,
    describe_op: str,
    param: str,
    label: str,
    **list_params,
) -> list[dict]:
    got = []
    for item in ctx.pages(SM, list_op, list_key, **list_params):
        name = item[name_key]
        d = ctx.attempt(f"{label} {name}", ctx.call, SM, describe_op, **{param: name})
        if d is None:
            continue
        extra = {}
        if kind in _TAGGED:
            arn = next(
                (v for k, v in d.items() if k.endswith("Arn") and k.startswith(("Notebook", "Endpoint"))),
                None,
            )
            if arn:
                extra["tags"] = ctx.attempt(f"tags of {label} {name}", _tags, ctx, arn)
        got.append(d)
        if kind:
            ctx.emit(kind, d, **extra)
    return got


def notebooks(ctx: Ctx) -> None:
    nbs = _simple(
        ctx,
        "sagemaker.notebook_instance",
        "ListNotebookInstances",
        "NotebookInstances",
        "NotebookInstanceName",
        "DescribeNotebookInstance",
        "NotebookInstanceName",
        "SageMaker notebook instance",
    )
    for name in sorted(
        {
            n["NotebookInstanceLifecycleConfigName"]
            for n in nbs
            if n.get("NotebookInstanceLifecycleConfigName")
        }
    ):
        d = ctx.attempt(
            f"SageMaker lifecycle config {name}",
            ctx.call,
            SM,
            "DescribeNotebookInstanceLifecycleConfig",
            NotebookInstanceLifecycleConfigName=name,
        )
        if d:
            ctx.emit("sagemaker.notebook_lifecycle_config", d)


def models(ctx: Ctx) -> None:
    _simple(
        ctx,
        "sagemaker.model",
        "ListModels",
        "Models",
        "ModelName",
        "DescribeModel",
        "ModelName",
        "SageMaker model",
    )


def endpoints(ctx: Ctx) -> None:
    scaling: dict[str, list[dict]] = {}
    targets = ctx.attempt(
        "SageMaker endpoint autoscaling targets",
        lambda: list(
            ctx.pages(
                "application-autoscaling",
                "DescribeScalableTargets",
                "ScalableTargets",
                ServiceNamespace="sagemaker",
            )
        ),
    )
    for t in targets or []:
        parts = (t.get("ResourceId") or "").split("/")
        if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant":
            scaling.setdefault(parts[1], []).append(
                {
                    "variant": parts[3],
                    "min_capacity": t.get("MinCapacity"),
                    "max_capacity": t.get("MaxCapacity"),
                }
            )
    eps = []
    for item in ctx.pages(SM, "ListEndpoints", "Endpoints"):
        name = item["EndpointName"]
        d = ctx.attempt(f"SageMaker endpoint {name}", ctx.call, SM, "DescribeEndpoint", EndpointName=name)
        if d:
            eps.append(d)
            ctx.emit("sagemaker.endpoint", d, scaling=scaling.get(name, []))
    by_config: dict[str, list[dict]] = {}
    for d in eps:
        by_config.setdefault(d.get("EndpointConfigName", ""), []).extend(scaling.get(d["EndpointName"], []))
    for item in ctx.pages(SM, "ListEndpointConfigs", "EndpointConfigs"):
        name = item["EndpointConfigName"]
        d = ctx.attempt(
            f"SageMaker endpoint config {name}",
            ctx.call,
            SM,
            "DescribeEndpointConfig",
            EndpointConfigName=name,
        )
        if d:
            tags = ctx.attempt(
                f"tags of SageMaker endpoint config {name}", _tags, ctx, d["EndpointConfigArn"]
            )
            ctx.emit("sagemaker.endpoint_config", d, scaling=by_config.get(name, []), tags=tags)


def studio(ctx: Ctx) -> None:
    for item in ctx.pages(SM, "ListDomains", "Domains"):
        d = ctx.attempt(
            f"SageMaker domain {item['DomainId']}", ctx.call, SM, "DescribeDomain", DomainId=item["DomainId"]
        )
        if d:
            ctx.emit("sagemaker.domain", d)
    ctx.attempt(
        "SageMaker user profiles",
        _pairs,
        ctx,
        "ListUserProfiles",
        "UserProfiles",
        "UserProfileName",
        "DescribeUserProfile",
        "sagemaker.user_profile",
    )
    ctx.attempt(
        "SageMaker spaces",
        _pairs,
        ctx,
        "ListSpaces",
        "Spaces",
        "SpaceName",
        "DescribeSpace",
        "sagemaker.space",
    )


def _pairs(ctx: Ctx, list_op: str, key: str, name_key: str, describe_op: str, kind: str) -> None:
    for item in ctx.pages(SM, list_op, key):
        d = ctx.attempt(
            f"{kind} {item[name_key]}",
            ctx.call,
            SM,
            describe_op,
            DomainId=item["DomainId"],
            **{name_key: item[name_key]},
        )
        if d:
            ctx.emit(kind, d)


def jobs(ctx: Ctx, since) -> None:
    window = {"CreationTimeAfter": since} if since else {}
    for kind, list_op, key, name_key, op in (
        (
            "sagemaker.training_job",
            "ListTrainingJobs",
            "TrainingJobSummaries",
            "TrainingJobName",
            "DescribeTrainingJob",
        ),
        (
            "sagemaker.processing_job",
            "ListProcessingJobs",
            "ProcessingJobSummaries",
            "ProcessingJobName",
            "DescribeProcessingJob",
        ),
        (
            "sagemaker.transform_job",
            "ListTransformJobs",
            "TransformJobSummaries",
            "TransformJobName",
            "DescribeTransformJob",
        ),
        (
            "sagemaker.tuning_job",
            "ListHyperParameterTuningJobs",
            "HyperParameterTuningJobSummaries",
            "HyperParameterTuningJobName",
            "DescribeHyperParameterTuningJob",
        ),
    ):
        ctx.attempt(
            f"SageMaker {kind.split('.')[1]}s",
            _simple,
            ctx,
            kind,
            list_op,
            key,
            name_key,
            op,
            name_key,
            f"SageMaker {kind.split('.')[1]}",
            **window,
        )


def pipelines(ctx: Ctx) -> None:
    _simple(
        ctx,
        "sagemaker.pipeline",
        "ListPipelines",
        "PipelineSummaries",
        "PipelineName",
        "DescribePipeline",
        "PipelineName",
        "SageMaker pipeline",
    )


def registry(ctx: Ctx) -> None:
    for item in ctx.pages(SM, "ListModelPackageGroups", "ModelPackageGroupSummaryList"):
        name = item["ModelPackageGroupName"]
        d = ctx.attempt(
            f"SageMaker model package group {name}",
            ctx.call,
            SM,
            "DescribeModelPackageGroup",
            ModelPackageGroupName=name,
        )
        if not d:
            continue
        pol = ctx.attempt(
            f"policy of SageMaker model package group {name}",
            ctx.call,
            SM,
            "GetModelPackageGroupPolicy",
            missing=("ValidationException", "ResourceNotFound"),
            ModelPackageGroupName=name,
        )
        ctx.emit("sagemaker.model_package_group", d, policy=(pol or {}).get("ResourcePolicy"))
        for pkg in ctx.pages(SM, "ListModelPackages", "ModelPackageSummaryList", ModelPackageGroupName=name):
            p = ctx.attempt(
                f"SageMaker model package {pkg['ModelPackageArn']}",
                ctx.call,
                SM,
                "DescribeModelPackage",
                ModelPackageName=pkg["ModelPackageArn"],
            )
            if p:
                ctx.emit("sagemaker.model_package", p)


def feature_store(ctx: Ctx) -> None:
    _simple(
        ctx,
        "sagemaker.feature_group",
        "ListFeatureGroups",
        "FeatureGroupSummaries",
        "FeatureGroupName",
        "DescribeFeatureGroup",
        "FeatureGroupName",
        "SageMaker feature group",
    )


def monitoring(ctx: Ctx) -> None:
    ctx.attempt(
        "SageMaker monitoring schedules",
        _simple,
        ctx,
        "sagemaker.monitoring_schedule",
        "ListMonitoringSchedules",
        "MonitoringScheduleSummaries",
        "MonitoringScheduleName",
        "DescribeMonitoringSchedule",
        "MonitoringScheduleName",
        "SageMaker monitoring schedule",
    )
    ctx.attempt(
        "SageMaker data-quality job definitions",
        _simple,
        ctx,
        "sagemaker.data_quality_job_definition",
        "ListDataQualityJobDefinitions",
        "JobDefinitionSummaries",
        "MonitoringJobDefinitionName",
        "DescribeDataQualityJobDefinition",
        "JobDefinitionName",
        "SageMaker data-quality job definition",
    )


def code_repositories(ctx: Ctx) -> None:
    _simple(
        ctx,
        "sagemaker.code_repository",
        "ListCodeRepositories",
        "CodeRepositorySummaryList",
        "CodeRepositoryName",
        "DescribeCodeRepository",
        "CodeRepositoryName",
        "SageMaker code repository",
    )


def collect(ctx: Ctx) -> None:
    since = ctx.options.get("jobs_since")
    for label, fn, args in (
        ("SageMaker notebook instances", notebooks, ()),
        ("SageMaker models", models, ()),
        ("SageMaker endpoints and endpoint configs", endpoints, ()),
        ("SageMaker Studio domains", studio, ()),
        ("SageMaker jobs", jobs, (since,)),
        ("SageMaker pipelines", pipelines, ()),
        ("SageMaker model registry", registry, ()),
        ("SageMaker feature groups", feature_store, ()),
        ("SageMaker Model Monitor", monitoring, ()),
        ("SageMaker code repositories", code_repositories, ()),
    ):
        ctx.attempt(label, fn, ctx, *args)
