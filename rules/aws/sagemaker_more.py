"""SageMaker Studio user profiles, Feature Store, Model Monitor and the model registry;
Lambda layers."""

from __future__ import annotations

from rules.helpers.roles import execution_role_admin_verdict
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Ref, Resource, Unresolved

USER_PROFILE = "aws.sagemaker.user_profile"
FEATURE_GROUP = "aws.sagemaker.feature_group"
ENDPOINT = "aws.sagemaker.endpoint"
SCHEDULE = "aws.sagemaker.monitoring_schedule"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"
PACKAGE = "aws.sagemaker.model_package"
LAYER = "aws.lambda.layer_version"
FUNCTION = "aws.lambda.function"


@rule(
    id="sagemaker-feature-group-encrypted-with-cmk",
    title="SageMaker feature groups encrypt their online and offline stores with customer-managed KMS keys",
    severity="medium",
    category="encryption",
    applies_to=[FEATURE_GROUP],
    description="A feature group's online store (security_config.kms_key_id) and offline store in S3 "
    "(s3_storage_config.kms_key_id) fall back to AWS-owned or S3-managed keys when no KMS key is set. "
    "Features are often derived from personal or transactional data.",
    risk="No key-level control over who reads the features, and no way to revoke access by disabling a key.",
    remediation={
        "terraform": "online_store_config {\n  enable_online_store = true\n  security_config {\n"
        "    kms_key_id = aws_kms_key.features.arn\n  }\n}\noffline_store_config {\n"
        '  s3_storage_config {\n    s3_uri     = "s3://features/"\n'
        "    kms_key_id = aws_kms_key.features.arn\n  }\n}",
        "cloudformation": "OnlineStoreConfig:\n  EnableOnlineStore: true\n  SecurityConfig:\n"
        "    KmsKeyId: !GetAtt FeatureKey.Arn\nOfflineStoreConfig:\n  S3StorageConfig:\n"
        "    S3Uri: s3://features/\n    KmsKeyId: !GetAtt FeatureKey.Arn",
        "cli": "Recreate the feature group with --online-store-config SecurityConfig={KmsKeyId=KEY} and "
        "--offline-store-config S3StorageConfig={S3Uri=...,KmsKeyId=KEY} (not changeable in place).",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-security.html"],
    tags=["feature-store"],
)
def feature_group_encrypted_with_cmk(fg: Resource):
    out = []
    for store, enabled, key in (
        ("online", "online_store_enabled", "online_kms_key_id"),
        ("offline", "offline_store_enabled", "offline_kms_key_id"),
    ):
        on = fg.attrs.get(enabled)
        if on is False or on is None:
            continue
        k = fg.attrs.get(key)
        if isinstance(on, Unresolved):
            if k is None:
                out.append(unknown(f"whether the {store} store is enabled is unresolved", at=enabled))
            continue
        if isinstance(k, Unresolved):
            out.append(unknown(f"the {store} store KMS key is unresolved", at=key))
        elif not k:
            out.append(fail(f"the {store} store has no customer-managed KMS key", at=key))
    return out or ok()


def _monitored_by(ep: Resource, inv) -> bool:
    """A schedule targets the endpoint directly, or through a job definition it uses."""
    if any(s.type == SCHEDULE for s in inv.referrers(ep, "monitors")):
        return True
    for jd in inv.referrers(ep, "monitors"):
        if jd.type == DATA_QUALITY and any(
            s.type == SCHEDULE for s in inv.referrers(jd, "uses_job_definition")
        ):
            return True
    return False


def _target_unknown(s: Resource, inv) -> bool:
    """A schedule whose endpoint the scan cannot tell: it might be this one."""
    if inv.outgoing(s.uid, "monitors") or isinstance(s.attrs.get("endpoint_name"), str):
        return False
    if isinstance(s.attrs.get("endpoint_name"), Unresolved):
        return True
    for jd in inv.related(s, "uses_job_definition"):
        if inv.outgoing(jd.uid, "monitors") or isinstance(jd.attrs.get("endpoint_name"), str):
            return False
    return True


@rule(
    id="sagemaker-endpoint-has-monitoring-schedule",
    title="SageMaker endpoints are watched by a Model Monitor monitoring schedule",
    severity="medium",
    category="logging",
    applies_to=[ENDPOINT],
    description="An endpoint that no monitoring schedule targets (directly, or through the job "
    "definition the schedule runs) has nobody comparing its traffic to a baseline: data drift, "
    "poisoned inputs and abuse of the model go unnoticed. A schedule whose endpoint cannot be told "
    "from the scan (a job definition outside it) makes the verdict unknown rather than failed.",
    risk="Silent degradation or manipulation of predictions; no evidence trail for model behaviour.",
    remediation={
        "terraform": 'resource "aws_sagemaker_monitoring_schedule" "ep" {\n'
        "  monitoring_schedule_config {\n"
        "    monitoring_job_definition_name = aws_sagemaker_data_quality_job_definition.ep.name\n"
        '    monitoring_type                = "DataQuality"\n'
        '    schedule_config { schedule_expression = "cron(0 * ? * * *)" }\n  }\n}',
        "cloudformation": "Type: AWS::SageMaker::MonitoringSchedule\nProperties:\n"
        "  EndpointName: !GetAtt Endpoint.EndpointName\n  MonitoringScheduleConfig:\n"
        "    MonitoringJobDefinitionName: !GetAtt DataQuality.JobDefinitionName\n"
        "    MonitoringType: DataQuality",
        "cli": "aws sagemaker create-monitoring-schedule --monitoring-schedule-name NAME "
        "--monitoring-schedule-config file://schedule.json",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor.html"],
    aliases=["sagemaker_models_monitor_enabled"],
)
def endpoint_has_monitoring_schedule(ep: Resource, inv):
    if _monitored_by(ep, inv):
        return ok()
    if any(_target_unknown(s, inv) for s in inv.of_type(SCHEDULE)):
        return unknown("a monitoring schedule in the scan targets an endpoint that cannot be resolved")
    return fail("no monitoring schedule targets this endpoint")


@rule(
    id="sagemaker-user-profile-execution-role-not-admin",
    title="SageMaker Studio user profile execution roles do not grant administrator access",
    severity="high",
    category="iam",
    applies_to=[USER_PROFILE],
    description="Every notebook, terminal and job a Studio user starts runs with the profile's "
    "execution role. A role with AdministratorAccess or a wildcard policy hands the account to anyone "
    "who can open that user's Studio (or to code they run). A profile without its own role uses the "
    "domain's default role, which the domain is checked for.",
    risk="A Studio user, or a malicious notebook or package, controls the whole account.",
    remediation={
        "terraform": "user_settings {\n  execution_role = aws_iam_role.studio_scoped.arn\n}",
        "cloudformation": "UserSettings:\n  ExecutionRole: !GetAtt StudioScopedRole.Arn",
        "cli": "aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ],
)
def user_profile_role_not_admin(up: Resource, inv):
    return execution_role_admin_verdict(up, inv, "execution_role")


@rule(
    id="sagemaker-model-package-requires-approval",
    title="SageMaker model packages are not registered as already approved",
    severity="medium",
    category="governance",
    applies_to=[PACKAGE],
    description='A model package written in IaC with ModelApprovalStatus "Approved" skips the registry\'s '
    "review step: deployment pipelines that trigger on approval ship it at once. Register versions as "
    "PendingManualApproval and let a reviewer (or a gated pipeline step) approve them. IaC shows only the "
    "status written; whether a review workflow exists around a model package group is not visible there.",
    risk="An unreviewed, possibly poisoned, model version is promoted to production.",
    remediation={
        "cloudformation": "ModelApprovalStatus: PendingManualApproval",
        "cli": "aws sagemaker update-model-package --model-package-arn ARN "
        "--model-approval-status PendingManualApproval",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-approve.html"],
    tags=["supply-chain"],
)
def model_package_requires_approval(mp: Resource):
    if str(mp.a.get("model_approval_status") or "").lower() == "approved":
        return fail("the model package is registered as Approved", at="model_approval_status")
    return ok()


@rule(
    id="lambda-layer-not-public",
    title="Lambda layer versions are not shared with every AWS account",
    severity="high",
    category="iam",
    applies_to=[LAYER],
    description='A layer-version permission with principal "*" and no organization id lets any AWS '
    "account read and use the layer's code, which often bundles model-serving code, internal libraries "
    "or configuration.",
    risk="Disclosure of proprietary code and of anything packaged with it.",
    remediation={
        "terraform": 'principal       = "*"\norganization_id = "o-a1b2c3d4e5"  # or a single account id',
        "cloudformation": "Principal: '*'\nOrganizationId: o-a1b2c3d4e5",
        "cli": "aws lambda remove-layer-version-permission --layer-name NAME --version-number N "
        "--statement-id ID",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html"],
)
def layer_not_public(layer: Resource):
    perms = layer.attrs.get("permissions") or []
    if isinstance(perms, Unresolved):
        return unknown("the layer's permissions are unresolved", at="permissions")
    out = []
    for i, p in enumerate(perms):
        if not isinstance(p, dict):
            out.append(unknown("a layer permission is unresolved", at=f"permissions[{i}]"))
            continue
        principal = p.get("principal")
        if isinstance(principal, Unresolved):
            out.append(
                unknown("a layer permission's principal is unresolved", at=f"permissions[{i}].principal")
            )
            continue
        if str(principal).strip() != "*":
            continue
        org = p.get("organization_id")
        if isinstance(org, Unresolved):
            out.append(unknown("organization_id is unresolved", at=f"permissions[{i}].organization_id"))
        elif not org:
            out.append(fail('the layer is shared with principal "*"', at=f"permissions[{i}].principal"))
    return out or ok()


def _account(arn) -> str | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


@rule(
    id="lambda-function-layers-same-account",
    title="Lambda functions use layers from their own account",
    severity="medium",
    category="supply-chain",
    applies_to=[FUNCTION],
    description="A layer is code that runs inside the function. A layer published by another account can "
    "be replaced by a new version or withdrawn by that account's owner. Compared where both the "
    "function's account (its ARN or its role's ARN) and the layer ARN are literal; a layer defined in "
    "the same scan is the function's own.",
    risk="Code from another account runs with the function's role and data.",
    remediation={
        "terraform": "layers = [aws_lambda_layer_version.own.arn]",
        "cloudformation": "Layers:\n  - !Ref OwnLayer",
        "cli": "Publish the layer in the function's account (aws lambda publish-layer-version) and "
        "aws lambda update-function-configuration --layers ARN",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html"],
    aliases=["awslambda_function_using_cross_account_layers"],
)
def function_layers_same_account(fn: Resource):
    account = _account(fn.attrs.get("arn")) or _account(fn.attrs.get("role_arn"))
    layers = fn.attrs.get("layers")
    if account is None or not layers:
        return ok()
    if isinstance(layers, Unresolved):
        return unknown("the function's layers are unresolved", at="layers")
    out = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Ref):
            continue
        if isinstance(layer, Unresolved):
            out.append(unknown("a layer ARN is unresolved", at=f"layers[{i}]"))
            continue
        owner = _account(layer)
        if owner is not None and owner != account:
            out.append(fail("the layer is published by another account", at=f"layers[{i}]"))
    return out or ok()
