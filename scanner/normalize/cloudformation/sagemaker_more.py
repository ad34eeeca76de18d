"""SageMaker Studio user profiles and spaces, feature groups, monitoring schedules, the
model registry (groups and packages) and code repositories; Lambda layer versions (with
`AWS::Lambda::LayerVersionPermission` folded in) and event source mappings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.iam_policy import normalize_policy

from .builder import MISSING, Builder, dig, to_bool, to_int, to_list, to_str

ROLE = "aws.iam.role"
DOMAIN = "aws.sagemaker.domain"
USER_PROFILE = "aws.sagemaker.user_profile"
SPACE = "aws.sagemaker.space"
FEATURE_GROUP = "aws.sagemaker.feature_group"
SCHEDULE = "aws.sagemaker.monitoring_schedule"
PACKAGE_GROUP = "aws.sagemaker.model_package_group"
PACKAGE = "aws.sagemaker.model_package"
CODE_REPOSITORY = "aws.sagemaker.code_repository"
ENDPOINT = "aws.sagemaker.endpoint"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"
LAYER = "aws.lambda.layer_version"
EVENT_SOURCE = "aws.lambda.event_source_mapping"


def user_profile(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("user_profile_name", "UserProfileName", to_str)
    dom = b.prop("domain_id", "DomainId", to_str)
    b.relate("in_domain", dom, "domain_id", DOMAIN)
    role = b.prop("execution_role", ("UserSettings", "ExecutionRole"), to_str)
    b.relate("execution_role", role, "execution_role", ROLE)
    b.prop("notebook_output_option", ("UserSettings", "SharingSettings", "NotebookOutputOption"), to_str)
    b.prop("sharing_s3_kms_key_id", ("UserSettings", "SharingSettings", "S3KmsKeyId"), to_str)


def space(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("space_name", "SpaceName", to_str)
    dom = b.prop("domain_id", "DomainId", to_str)
    b.relate("in_domain", dom, "domain_id", DOMAIN)
    owner = b.prop("owner_user_profile_name", ("OwnershipSettings", "OwnerUserProfileName"), to_str)
    b.relate("owned_by", owner, "owner_user_profile_name", USER_PROFILE)
    b.prop("sharing_type", ("SpaceSharingSettings", "SharingType"), to_str)
    b.prop("app_type", ("SpaceSettings", "AppType"), to_str)


def feature_group(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("feature_group_name", "FeatureGroupName", to_str)
    role = b.prop("role_arn", "RoleArn", to_str)
    b.relate("execution_role", role, "role_arn", ROLE)
    b.prop("online_store_enabled", ("OnlineStoreConfig", "EnableOnlineStore"), to_bool, default=False)
    b.prop("online_kms_key_id", ("OnlineStoreConfig", "SecurityConfig", "KmsKeyId"), to_str)
    offline = dig(b.props, ("OfflineStoreConfig",))
    if isinstance(offline, Unresolved):
        b.set("offline_store_enabled", offline, line=b.line("OfflineStoreConfig"))
    else:
        written = offline is not MISSING and offline is not None
        b.set(
            "offline_store_enabled",
            True if written else None,
            line=b.line("OfflineStoreConfig"),
            default=False,
        )
    b.prop("offline_kms_key_id", ("OfflineStoreConfig", "S3StorageConfig", "KmsKeyId"), to_str)


def _inline_endpoint(b: Builder) -> Any:
    """The endpoint an inline MonitoringJobDefinition reads, if any."""
    inputs = dig(b.props, ("MonitoringScheduleConfig", "MonitoringJobDefinition", "MonitoringInputs"))
    if isinstance(inputs, Unresolved):
        return inputs
    for i in inputs if isinstance(inputs, list) else []:
        ep = dig(i, ("EndpointInput", "EndpointName"))
        if ep is not MISSING and ep is not None:
            return to_str(ep)
    return None


def monitoring_schedule(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("schedule_name", "MonitoringScheduleName", to_str)
    ep = dig(b.props, ("EndpointName",))
    line = b.line("EndpointName")
    if ep is MISSING or ep is None:
        ep = _inline_endpoint(b)
        line = b.line("MonitoringScheduleConfig", "MonitoringJobDefinition")
    else:
        ep = to_str(ep)
    b.set("endpoint_name", ep, line=line)
    b.relate("monitors", ep, "endpoint_name", ENDPOINT)
    jd = b.prop("job_definition_name", ("MonitoringScheduleConfig", "MonitoringJobDefinitionName"), to_str)
    b.relate("uses_job_definition", jd, "job_definition_name", DATA_QUALITY)
    b.prop("monitoring_type", ("MonitoringScheduleConfig", "MonitoringType"), to_str)
    b.prop(
        "schedule_expression", ("MonitoringScheduleConfig", "ScheduleConfig", "ScheduleExpression"), to_str
    )


def model_package_group(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("model_package_group_name", "ModelPackageGroupName", to_str)
    doc = dig(b.props, ("ModelPackageGroupPolicy",))
    b.set(
        "policy",
        None if doc is MISSING or doc is None else normalize_policy(doc),
        line=b.line("ModelPackageGroupPolicy"),
    )


def model_package(b: Builder) -> None:
    b.attrs["arn"] = None
    group = b.prop("model_package_group_name", "ModelPackageGroupName", to_str)
    b.relate("in_group", group, "model_package_group_name", PACKAGE_GROUP)
    b.prop("model_approval_status", "ModelApprovalStatus", to_str, default="PendingManualApproval")


def code_repository(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("repository_url", ("GitConfig", "RepositoryUrl"), to_str)
    b.prop("branch", ("GitConfig", "Branch"), to_str)
    secret = b.prop("secret_arn", ("GitConfig", "SecretArn"), to_str)
    b.relate("uses_secret", secret, "secret_arn", "aws.secretsmanager.secret")
    has = Unresolved("SecretArn is not known") if isinstance(secret, Unresolved) else bool(secret)
    b.set("has_secret", has, line=b.line("GitConfig", "SecretArn"))


def layer_version(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("layer_name", "LayerName", to_str, default=b.name)  # CloudFormation names it from the id
    b.prop("compatible_runtimes", "CompatibleRuntimes", to_list, default=[])
    b.set("permissions", None, default=[])  # fold_layer_permission appends


def fold_layer_permission(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str], line: int | None
) -> None:
    """An `AWS::Lambda::LayerVersionPermission` onto the layer version its LayerVersionArn
    references (`!Ref` of an `AWS::Lambda::LayerVersion` is its ARN)."""
    target = props.get("LayerVersionArn")
    b = builders.get(target.uid) if isinstance(target, Ref) else None
    if b is None or b.rtype != LAYER or not isinstance(b.attrs.get("permissions"), list):
        return
    principal, org = props.get("Principal"), props.get("OrganizationId")
    perm = {
        "principal": to_str(principal) if principal is not None else Unresolved("no Principal"),
        "organization_id": to_str(org) if org is not None else None,
        "action": to_str(props["Action"]) if props.get("Action") is not None else None,
    }
    for k in ("principal", "organization_id"):
        if isinstance(perm[k], Ref):
            perm[k] = Unresolved(f"{k} from {perm[k].uid}")
    perms = b.attrs["permissions"]
    perms.append(perm)
    n = len(perms) - 1
    b.provenance.pop("permissions", None)
    for k in ("principal", "organization_id"):
        if isinstance(perm[k], Unresolved):
            b.provenance[f"permissions[{n}].{k}"] = "unresolved"
    if line:
        b.lines[f"permissions[{n}]"] = line


def event_source_mapping(b: Builder) -> None:
    fn = b.prop("function_name", "FunctionName", to_str)
    b.relate("triggers", fn, "function_name", "aws.lambda.function")
    b.prop("event_source_arn", "EventSourceArn", to_str)
    b.prop("enabled", "Enabled", to_bool, default=True)
    b.prop("batch_size", "BatchSize", to_int)


MAPPERS = {
    "AWS::SageMaker::UserProfile": (USER_PROFILE, user_profile),
    "AWS::SageMaker::Space": (SPACE, space),
    "AWS::SageMaker::FeatureGroup": (FEATURE_GROUP, feature_group),
    "AWS::SageMaker::MonitoringSchedule": (SCHEDULE, monitoring_schedule),
    "AWS::SageMaker::ModelPackageGroup": (PACKAGE_GROUP, model_package_group),
    "AWS::SageMaker::ModelPackage": (PACKAGE, model_package),
    "AWS::SageMaker::CodeRepository": (CODE_REPOSITORY, code_repository),
    "AWS::Lambda::LayerVersion": (LAYER, layer_version),
    "AWS::Lambda::EventSourceMapping": (EVENT_SOURCE, event_source_mapping),
}
NAME_KEYS = {
    "AWS::SageMaker::UserProfile": "UserProfileName",
    "AWS::SageMaker::ModelPackageGroup": "ModelPackageGroupName",
    "AWS::SageMaker::DataQualityJobDefinition": "JobDefinitionName",
}
FOLDERS = {"AWS::Lambda::LayerVersionPermission": fold_layer_permission}
