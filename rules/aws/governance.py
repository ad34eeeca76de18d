"""Governance on AWS: credentials that rotate, and GPU capacity that does not idle.

The age of a secret or access key is a fact of the live account; from IaC these rules can
only see whether rotation is set up and whether long-lived keys are declared at all."""

from __future__ import annotations

from rules.helpers.gpu import is_gpu_instance_type
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource

SECRET = "aws.secretsmanager.secret"
USER = "aws.iam.user"
NOTEBOOK = "aws.sagemaker.notebook_instance"
ENDPOINT = "aws.sagemaker.endpoint"

# The longest rotation interval accepted (CIS and most internal standards say 90 days).
MAX_ROTATION_DAYS = 90


@rule(
    id="secretsmanager-secret-rotation-enabled",
    title="Secrets Manager secrets rotate automatically at least every 90 days",
    severity="medium",
    category="governance",
    applies_to=[SECRET],
    description="A secret without a rotation schedule keeps the same value until someone changes it by "
    f"hand. The rule fails a secret that no rotation schedule targets, or whose interval is longer than "
    f"{MAX_ROTATION_DAYS} days (automatically_after_days, or a rate(N days) expression; a cron schedule "
    "is taken as configured). Whether rotation actually succeeds is only visible on the live account.",
    risk="A leaked model-hub token or database password stays valid indefinitely.",
    remediation={
        "terraform": 'resource "aws_secretsmanager_secret_rotation" "this" {\n'
        "  secret_id           = aws_secretsmanager_secret.this.id\n"
        "  rotation_lambda_arn = aws_lambda_function.rotator.arn\n"
        "  rotation_rules { automatically_after_days = 30 }\n}",
        "cloudformation": "Type: AWS::SecretsManager::RotationSchedule\nProperties:\n  SecretId: !Ref Secret\n"
        "  RotationLambdaARN: !GetAtt Rotator.Arn\n  RotationRules:\n    AutomaticallyAfterDays: 30",
        "cli": "aws secretsmanager rotate-secret --secret-id NAME --rotation-lambda-arn ARN "
        "--rotation-rules AutomaticallyAfterDays=30",
    },
    references=[
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html",
    ],
    aliases=["CKV2_AWS_57", "secretsmanager_automatic_rotation_enabled"],
)
def secret_rotation_enabled(s: Resource):
    if not s.a.get("rotation_enabled", False):
        return fail("no rotation schedule is configured", at="rotation_enabled")
    days = s.a.get("rotation_days")
    if days is not None and days > MAX_ROTATION_DAYS:
        return fail(f"rotates every {days} days, more than {MAX_ROTATION_DAYS}", at="rotation_days")
    return ok()


@rule(
    id="iam-user-no-access-keys-for-pipelines",
    title="IAM users have no long-lived access keys declared in infrastructure code",
    severity="low",
    category="governance",
    applies_to=[USER],
    description="An access key declared in IaC is a long-lived credential for a pipeline or service that "
    "could assume a role instead (OIDC federation for CI, execution roles for compute). The rule fails "
    "an IAM user with any declared access key; the key's age and last use are only known from the live "
    "account and are checked there.",
    risk="A key copied into CI variables or state files gives lasting access to the ML account when it leaks.",
    remediation={
        "terraform": "Remove aws_iam_access_key and let the pipeline assume a role through "
        "aws_iam_openid_connect_provider (GitHub Actions, GitLab) instead.",
        "cloudformation": "Remove the AWS::IAM::AccessKey and grant the pipeline an AWS::IAM::Role it assumes "
        "through an OIDC provider.",
        "cli": "aws iam delete-access-key --user-name USER --access-key-id KEY_ID",
    },
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html",
    ],
    aliases=["iam_rotate_access_key_90_days"],
)
def user_no_access_keys(u: Resource):
    keys = u.a.get("access_keys", 0)
    if keys:
        return fail(f"{keys} access key(s) declared", at="access_keys")
    return ok()


@rule(
    id="sagemaker-gpu-endpoint-autoscaling",
    title="SageMaker endpoints on GPU instances scale their instance count with load",
    severity="low",
    category="governance",
    applies_to=[ENDPOINT],
    description="GPU instances bill by the hour whether or not they serve requests. For each GPU "
    "production variant of the endpoint's configuration (ml.g*, ml.p*, ml.inf*, ml.trn*) the rule "
    "looks for an Application Auto Scaling target on the variant's instance count. It fails a GPU "
    "variant with no target, and one whose target pins the count (min_capacity equal to "
    "max_capacity), because then capacity never follows traffic. A variant cannot scale below one "
    "instance and serverless inference has no GPUs, so a minimum of one is accepted. Serverless and "
    "CPU variants pass, and so does an endpoint whose configuration is not part of the scan.",
    risk="Idle accelerated capacity runs around the clock: cost, and GPU quota unavailable to other teams.",
    remediation={
        "terraform": 'resource "aws_appautoscaling_target" "variant" {\n  service_namespace  = "sagemaker"\n'
        '  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"\n'
        '  resource_id        = "endpoint/${aws_sagemaker_endpoint.this.name}/variant/AllTraffic"\n'
        "  min_capacity       = 1\n  max_capacity       = 4\n}",
        "cloudformation": "Type: AWS::ApplicationAutoScaling::ScalableTarget\nProperties:\n"
        "  ServiceNamespace: sagemaker\n  ScalableDimension: sagemaker:variant:DesiredInstanceCount\n"
        "  ResourceId: !Sub endpoint/${Endpoint.EndpointName}/variant/AllTraffic\n"
        "  MinCapacity: 1\n  MaxCapacity: 4",
        "cli": "aws application-autoscaling register-scalable-target --service-namespace sagemaker "
        "--scalable-dimension sagemaker:variant:DesiredInstanceCount "
        "--resource-id endpoint/NAME/variant/AllTraffic --min-capacity 1 --max-capacity 4",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html",
    ],
    maturity="incubating",
)
def gpu_endpoint_autoscaling(ep: Resource, inv):
    configs = inv.related(ep, "uses_config")
    if not configs:
        ep.a.get("endpoint_config_name")  # unresolved: UNKNOWN; a config outside the scan: nothing to check
        return ok()
    targets = ep.a.get("autoscaling", [])
    out = []
    for config in configs:
        for v in config.a.get("production_variants", []):
            if v.get("serverless", False) or not is_gpu_instance_type(v.get("instance_type")):
                continue
            name = v.get("variant_name")
            mine = [i for i, t in enumerate(targets) if t.get("variant") == name]
            if not mine:
                out.append(
                    fail(f"GPU variant {name!r} has no autoscaling target", at="autoscaling", value=[])
                )
            for i in mine:
                lo, hi = targets[i].get("min_capacity"), targets[i].get("max_capacity")
                if lo >= hi:
                    msg = f"GPU variant {name!r} is pinned at {lo} instance(s)"
                    out.append(
                        fail(msg, at=targets.path_of(i), value={"min_capacity": lo, "max_capacity": hi})
                    )
    return out or ok()


@rule(
    id="sagemaker-gpu-notebook-idle-shutdown",
    title="SageMaker notebook instances on GPUs stop themselves when idle",
    severity="low",
    category="governance",
    applies_to=[NOTEBOOK],
    description="A notebook instance keeps running, and billing, until someone stops it. For a notebook on "
    "an accelerated instance type the rule follows its lifecycle configuration and fails when there is "
    "none, or when its on-start script installs no idle auto-stop (the AWS sample autostop.py, or an "
    "idle-timeout script). A lifecycle configuration that is not part of the scan gives UNKNOWN.",
    risk="Forgotten GPU notebooks burn budget and hold scarce accelerator quota.",
    remediation={
        "terraform": "lifecycle_config_name = aws_sagemaker_notebook_instance_lifecycle_configuration.autostop.name\n"
        "# on_start: download autostop.py and schedule it with an IDLE_TIME (see the AWS samples)",
        "cloudformation": "LifecycleConfigName: !GetAtt AutoStop.NotebookInstanceLifecycleConfigName\n"
        "# OnStart: install autostop.py from cron with an IDLE_TIME",
        "cli": "aws sagemaker update-notebook-instance --notebook-instance-name NAME "
        "--lifecycle-config-name AUTOSTOP_CONFIG",
    },
    references=[
        "https://github.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/tree/master/scripts/auto-stop-idle",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html",
    ],
    maturity="incubating",
)
def gpu_notebook_idle_shutdown(nb: Resource, inv):
    if not is_gpu_instance_type(nb.a.get("instance_type")):
        return ok()
    configs = inv.related(nb, "lifecycle_config")
    if not configs:
        if nb.a.get("lifecycle_config_name"):
            return unknown("the lifecycle configuration is not part of the scan", at="lifecycle_config_name")
        return fail("GPU notebook has no lifecycle configuration", at="lifecycle_config_name", value=None)
    for lc in configs:
        if lc.a.get("idle_shutdown", False):
            return ok()
    return fail("its lifecycle configuration installs no idle auto-stop", at="lifecycle_config_name")
