"""SageMaker: every List* then Describe* of the resource kinds the rules read. Jobs are read
only within the recent window (`--jobs-since`). Each kind is attempted on its own, so a
denied call leaves only that kind unscanned."""

from __future__ import annotations

from scanner.normalize.aws import pick

from ..context import Ctx

SM = "sagemaker"
# The ARN field of each kind's Describe* answer: tags are read on it (ListTags), so tag
# policies run on live resources as on IaC.
ARN_KEY = {
    "sagemaker.notebook_instance": "NotebookInstanceArn",
    "sagemaker.notebook_lifecycle_config": "NotebookInstanceLifecycleConfigArn",
    "sagemaker.model": "ModelArn",
    "sagemaker.endpoint": "EndpointArn",
    "sagemaker.endpoint_config": "EndpointConfigArn",
    "sagemaker.domain": "DomainArn",
    "sagemaker.user_profile": "UserProfileArn",
    "sagemaker.space": "SpaceArn",
    "sagemaker.training_job": "TrainingJobArn",
    "sagemaker.processing_job": "ProcessingJobArn",
    "sagemaker.transform_job": "TransformJobArn",
    "sagemaker.tuning_job": "HyperParameterTuningJobArn",
    "sagemaker.pipeline": "PipelineArn",
    "sagemaker.model_package_group": "ModelPackageGroupArn",
    "sagemaker.model_package": "ModelPackageArn",
    "sagemaker.feature_group": "FeatureGroupArn",
    "sagemaker.monitoring_schedule": "MonitoringScheduleArn",
    "sagemaker.data_quality_job_definition": "JobDefinitionArn",
    "sagemaker.code_repository": "CodeRepositoryArn",
}


def _tags(ctx: Ctx, arn: str) -> list:
    return list(ctx.pages(SM, "ListTags", "Tags", ResourceArn=arn))


def tags_of(ctx: Ctx, kind: str, d: dict, label: str) -> dict:
    """{"tags": [...]} for `emit`, read on the resource's ARN; {} when it has none; `Unread`
    tags when ListTags failed (not "no tags")."""
    arn = d.get(ARN_KEY.get(kind, ""))
    if not arn:
        return {}
    return {"tags": ctx.read(f"tags of {label}", _tags, ctx, arn)}


def _describe(ctx: Ctx, kind: str, label: str, op: str, params: dict) -> tuple[dict, dict] | None:
    """Describe one resource and read its tags: (description, extra) or None."""
    d = ctx.attempt(label, ctx.call, SM, op, **params)
    if d is None:
        return None
    return d, tags_of(ctx, kind, d, label) if kind else {}


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
    names = [item[name_key] for item in ctx.pages(SM, list_op, list_key, what=f"{label}s", **list_params)]
    got = []
    for r in ctx.map(lambda n: _describe(ctx, kind, f"{label} {n}", describe_op, {param: n}), names):
        if r is None:
            continue
        got.append(r[0])
        if kind:
            ctx.emit(kind, r[0], **r[1])
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
    # Every lifecycle config, used or not: one no notebook uses today can be attached
    # tomorrow, and its script (and any secret in it) is readable now.
    used = {
        n["NotebookInstanceLifecycleConfigName"] for n in nbs if n.get("NotebookInstanceLifecycleConfigName")
    }
    listed = ctx.attempt(
        "SageMaker lifecycle configs no notebook uses",
        lambda: [
            c["NotebookInstanceLifecycleConfigName"]
            for c in ctx.pages(SM, "ListNotebookInstanceLifecycleConfigs", "NotebookInstanceLifecycleConfigs")
        ],
    )
    _simple_names(
        ctx,
        "sagemaker.notebook_lifecycle_config",
        sorted(used | set(listed or [])),
        "DescribeNotebookInstanceLifecycleConfig",
        "NotebookInstanceLifecycleConfigName",
        "SageMaker lifecycle config",
    )


def _simple_names(ctx: Ctx, kind: str, names: list[str], op: str, param: str, label: str) -> None:
    for r in ctx.map(lambda n: _describe(ctx, kind, f"{label} {n}", op, {param: n}), names):
        if r is not None:
            ctx.emit(kind, *r[:1], **r[1])


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
    names = [
        item["EndpointName"]
        for item in ctx.pages(SM, "ListEndpoints", "Endpoints", what="SageMaker endpoints")
    ]
    for r in ctx.map(
        lambda n: _describe(
            ctx, "sagemaker.endpoint", f"SageMaker endpoint {n}", "DescribeEndpoint", {"EndpointName": n}
        ),
        names,
    ):
        if r:
            d, extra = r
            eps.append(d)
            ctx.emit("sagemaker.endpoint", d, scaling=scaling.get(d["EndpointName"], []), **extra)
    by_config: dict[str, list[dict]] = {}
    for d in eps:
        by_config.setdefault(d.get("EndpointConfigName", ""), []).extend(scaling.get(d["EndpointName"], []))
    kind = "sagemaker.endpoint_config"
    names = [
        item["EndpointConfigName"]
        for item in ctx.pages(SM, "ListEndpointConfigs", "EndpointConfigs", what="SageMaker endpoint configs")
    ]
    for r in ctx.map(
        lambda n: _describe(
            ctx, kind, f"SageMaker endpoint config {n}", "DescribeEndpointConfig", {"EndpointConfigName": n}
        ),
        names,
    ):
        if r:
            d, extra = r
            ctx.emit(kind, d, scaling=by_config.get(d["EndpointConfigName"], []), **extra)


def studio(ctx: Ctx) -> None:
    ids = [item["DomainId"] for item in ctx.pages(SM, "ListDomains", "Domains", what="SageMaker domains")]
    _simple_names(ctx, "sagemaker.domain", ids, "DescribeDomain", "DomainId", "SageMaker domain")
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
    items = list(ctx.pages(SM, list_op, key))
    for r in ctx.map(
        lambda i: _describe(
            ctx,
            kind,
            f"{kind} {i[name_key]}",
            describe_op,
            {"DomainId": i["DomainId"], name_key: i[name_key]},
        ),
        items,
    ):
        if r:
            ctx.emit(kind, r[0], **r[1])


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
    names = [
        i["ModelPackageGroupName"]
        for i in ctx.pages(SM, "ListModelPackageGroups", "ModelPackageGroupSummaryList")
    ]
    ctx.map(lambda n: _package_group(ctx, n), names)


def _package_group(ctx: Ctx, name: str) -> None:
    kind = "sagemaker.model_package_group"
    got = _describe(
        ctx,
        kind,
        f"SageMaker model package group {name}",
        "DescribeModelPackageGroup",
        {"ModelPackageGroupName": name},
    )
    if got:
        d, extra = got
        pol = ctx.read(
            f"policy of SageMaker model package group {name}",
            ctx.call,
            SM,
            "GetModelPackageGroupPolicy",
            missing=("ValidationException", "ResourceNotFound"),
            ModelPackageGroupName=name,
        )
        ctx.emit(kind, d, policy=pick(pol, "ResourcePolicy"), **extra)
        for pkg in ctx.pages(SM, "ListModelPackages", "ModelPackageSummaryList", ModelPackageGroupName=name):
            arn = pkg["ModelPackageArn"]
            p = _describe(
                ctx,
                "sagemaker.model_package",
                f"SageMaker model package {arn}",
                "DescribeModelPackage",
                {"ModelPackageName": arn},
            )
            if p:
                ctx.emit("sagemaker.model_package", p[0], **p[1])


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
