"""Resource types and their canonical attributes: the contract between normalizers
(which must produce exactly these shapes, from every source) and rules (which read
nothing else). Types are dotted and provider-neutral in shape.

Conventions that hold for every type:
- Booleans are Python bools; enums keep the provider's spelling (``"VpcOnly"``).
- A value the source omitted but the provider defaults is filled with that default and
  its path marked ``default`` in `Resource.provenance`.
- A value that cannot be resolved statically is `Unresolved(expr)`, marked ``unresolved``.
- A reference to another resource in the scan is `Ref(uid)` in the attribute, plus a
  `Relation` (kind given below) from this resource to the target.
- Policy documents are normalized by `scanner.normalize.iam_policy.normalize_policy`:
  ``{"Version", "Statement": [{"Sid", "Effect", "Action"|"NotAction": [..],
  "Resource"|"NotResource": [..], "Principal"|"NotPrincipal": {"AWS": [..], "Service": [..],
  "Federated": [..]} or "*", "Condition": {op: {key: [values]}}}]}`` with lists everywhere.
- Config that may hold secrets (env, hyperparameters, scripts, ConfigMap data, parameter
  defaults) is passed through `scanner.secrets.scrub_*` by the normalizer: detected values
  are replaced by ``[REDACTED:<kind>]`` and recorded in the ``secrets`` attribute as
  ``[{"path", "kind", "fingerprint", "line"}]``. No raw secret ever enters the inventory.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeSpec:
    provider: str
    description: str
    attrs: dict[str, str] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)  # relation kind -> target type
    terraform: tuple[str, ...] = ()
    cloudformation: tuple[str, ...] = ()
    kubernetes: tuple[str, ...] = ()


_SECRETS = "list of detected secrets [{path, kind, fingerprint, line}] (values never kept)"
_POLICY = "normalized policy document (see module doc)"

RESOURCE_TYPES: dict[str, TypeSpec] = {
    # ---------------------------------------------------------------- AWS SageMaker
    "aws.sagemaker.notebook_instance": TypeSpec(
        "aws",
        "SageMaker notebook instance",
        attrs={
            "arn": "str|None",
            "direct_internet_access": "bool (default True)",
            "root_access": "bool (default True)",
            "kms_key_id": "str|Ref|None: volume CMK",
            "subnet_id": "str|Ref|None",
            "security_group_ids": "list[str|Ref] (default [])",
            "instance_type": "str",
            "imds_min_version": '"1"|"2" (default "1")',
            "role_arn": "str|Ref",
            "lifecycle_config_name": "str|Ref|None",
        },
        relations={
            "execution_role": "aws.iam.role",
            "lifecycle_config": "aws.sagemaker.notebook_lifecycle_config",
        },
        terraform=("aws_sagemaker_notebook_instance",),
        cloudformation=("AWS::SageMaker::NotebookInstance",),
    ),
    "aws.sagemaker.notebook_lifecycle_config": TypeSpec(
        "aws",
        "SageMaker notebook instance lifecycle configuration",
        attrs={
            "on_create": "str|None: the script, base64-decoded, secrets scrubbed",
            "on_start": "str|None: the script, base64-decoded, secrets scrubbed",
            "idle_shutdown": "bool (default False): on_start installs an idle auto-stop"
            " (autostop.py, an idle timeout, sagemaker-notebook-instance-idle)",
            "secrets": _SECRETS,
        },
        terraform=("aws_sagemaker_notebook_instance_lifecycle_configuration",),
        cloudformation=("AWS::SageMaker::NotebookInstanceLifecycleConfig",),
    ),
    "aws.sagemaker.model": TypeSpec(
        "aws",
        "SageMaker model",
        attrs={
            "arn": "str|None",
            "enable_network_isolation": "bool (default False)",
            "vpc_config": "{subnet_ids: list, security_group_ids: list}|None",
            "execution_role_arn": "str|Ref",
            "containers": "list[{image: str, model_data_url: str|None, environment: dict[str,str], mode: str|None}]"
            " (primary_container and container[] together)",
            "secrets": _SECRETS,
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_sagemaker_model",),
        cloudformation=("AWS::SageMaker::Model",),
    ),
    "aws.sagemaker.endpoint_config": TypeSpec(
        "aws",
        "SageMaker endpoint configuration",
        attrs={
            "arn": "str|None",
            "kms_key_id": "str|Ref|None: storage volume CMK",
            "production_variants": "list[{variant_name, model_name: str|Ref, instance_type: str|None,"
            " initial_instance_count: int|None, serverless: bool,"
            " min_capacity: int|None, max_capacity: int|None (from an autoscaling target on an"
            " endpoint that uses this config; None when none in the scan targets the variant)}]",
            "data_capture": "{enabled: bool, kms_key_id: str|None, destination: str|None}|None",
            "async_output_kms_key_id": "str|None",
        },
        relations={"serves_model": "aws.sagemaker.model"},
        terraform=("aws_sagemaker_endpoint_configuration",),
        cloudformation=("AWS::SageMaker::EndpointConfig",),
    ),
    "aws.sagemaker.endpoint": TypeSpec(
        "aws",
        "SageMaker endpoint",
        attrs={
            "arn": "str|None",
            "endpoint_config_name": "str|Ref",
            "autoscaling": "list[{variant: str|Unresolved, min_capacity: int, max_capacity: int}]"
            " (default []): Application Auto Scaling targets on the variants' instance count",
        },
        relations={"uses_config": "aws.sagemaker.endpoint_config"},
        terraform=("aws_sagemaker_endpoint", "aws_appautoscaling_target"),
        cloudformation=("AWS::SageMaker::Endpoint",),
    ),
    "aws.sagemaker.domain": TypeSpec(
        "aws",
        "SageMaker Studio domain",
        attrs={
            "arn": "str|None",
            "app_network_access_type": '"PublicInternetOnly"|"VpcOnly" (default "PublicInternetOnly")',
            "auth_mode": '"IAM"|"SSO"',
            "kms_key_id": "str|Ref|None",
            "vpc_id": "str|Ref|None",
            "subnet_ids": "list",
            "default_execution_role": "str|Ref|None",
            "root_access": "bool|None: default user settings, studio web portal root access",
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_sagemaker_domain",),
        cloudformation=("AWS::SageMaker::Domain",),
    ),
    # ---------------------------------------------------------------- AWS Lambda
    "aws.lambda.function": TypeSpec(
        "aws",
        "Lambda function",
        attrs={
            "arn": "str|None",
            "function_name": "str",
            "runtime": "str|None (None for container images)",
            "package_type": '"Zip"|"Image" (default "Zip")',
            "image_uri": "str|None",
            "role_arn": "str|Ref",
            "environment": "dict[str, str] (secrets scrubbed)",
            "kms_key_arn": "str|Ref|None: CMK for environment variables",
            "tracing_mode": '"PassThrough"|"Active" (default "PassThrough")',
            "vpc_config": "{subnet_ids: list, security_group_ids: list}|None",
            "dead_letter_target_arn": "str|Ref|None",
            "reserved_concurrency": "int|None (None = unreserved)",
            "code_signing_config_arn": "str|Ref|None",
            "layers": "list[str]",
            "secrets": _SECRETS,
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_lambda_function",),
        cloudformation=("AWS::Lambda::Function", "AWS::Serverless::Function"),
    ),
    "aws.lambda.function_url": TypeSpec(
        "aws",
        "Lambda function URL",
        attrs={
            "function_name": "str|Ref",
            "auth_type": '"NONE"|"AWS_IAM"',
            "cors": "{allow_origins: list[str], allow_methods: list[str], allow_credentials: bool}|None",
        },
        relations={"url_of": "aws.lambda.function"},
        terraform=("aws_lambda_function_url",),
        cloudformation=("AWS::Lambda::Url",),
    ),
    "aws.lambda.permission": TypeSpec(
        "aws",
        "Lambda resource-based permission statement",
        attrs={
            "function_name": "str|Ref",
            "action": "str",
            "principal": 'str: "*", an account id, or a service principal',
            "source_arn": "str|Ref|None",
            "source_account": "str|None",
            "principal_org_id": "str|None",
            "function_url_auth_type": "str|None",
        },
        relations={"grants_on": "aws.lambda.function"},
        terraform=("aws_lambda_permission",),
        cloudformation=("AWS::Lambda::Permission",),
    ),
    # ---------------------------------------------------------------- AWS IAM and data
    "aws.iam.role": TypeSpec(
        "aws",
        "IAM role",
        attrs={
            "arn": "str|None",
            "role_name": "str",
            "assume_role_policy": _POLICY,
            "inline_policies": "list[{name: str, document: policy}] (inline and attached role-policy resources)",
            "managed_policy_arns": "list[str|Ref]",
            "permissions_boundary": "str|Ref|None",
        },
        relations={"attached_policy": "aws.iam.policy"},
        terraform=("aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment"),
        cloudformation=("AWS::IAM::Role",),
    ),
    "aws.iam.policy": TypeSpec(
        "aws",
        "IAM customer-managed policy",
        attrs={"arn": "str|None", "policy_name": "str", "document": _POLICY},
        terraform=("aws_iam_policy",),
        cloudformation=("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"),
    ),
    "aws.iam.user": TypeSpec(
        "aws",
        "IAM user",
        attrs={
            "arn": "str|None",
            "user_name": "str",
            "inline_policies": "list[{name, document}]",
            "managed_policy_arns": "list[str|Ref]",
            "groups": "list[str|Ref]",
            "permissions_boundary": "str|Ref|None",
            "access_keys": "int: number of access keys declared",
        },
        relations={"attached_policy": "aws.iam.policy", "member_of": "aws.iam.group"},
        terraform=("aws_iam_user", "aws_iam_user_policy", "aws_iam_user_policy_attachment"),
        cloudformation=("AWS::IAM::User",),
    ),
    "aws.iam.group": TypeSpec(
        "aws",
        "IAM group",
        attrs={
            "arn": "str|None",
            "group_name": "str",
            "inline_policies": "list[{name, document}]",
            "managed_policy_arns": "list[str|Ref]",
        },
        relations={"attached_policy": "aws.iam.policy"},
        terraform=("aws_iam_group", "aws_iam_group_policy", "aws_iam_group_policy_attachment"),
        cloudformation=("AWS::IAM::Group",),
    ),
    "aws.s3.bucket": TypeSpec(
        "aws",
        "S3 bucket",
        attrs={
            "arn": "str|None",
            "bucket": "str",
            "acl": 'str|None: canned ACL ("private", "public-read", ...)',
            "policy": "policy|None",
            "public_access_block": "{block_public_acls, ignore_public_acls, block_public_policy,"
            " restrict_public_buckets: bool}|None",
            "encryption": '{sse_algorithm: "AES256"|"aws:kms"|"aws:kms:dsse", kms_key_id: str|None}|None',
            "versioning": "bool (default False)",
            "logging": "bool (default False)",
        },
        terraform=(
            "aws_s3_bucket",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_acl",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_logging",
        ),
        cloudformation=("AWS::S3::Bucket", "AWS::S3::BucketPolicy"),
    ),
    "aws.cloudformation.stack": TypeSpec(
        "aws",
        "CloudFormation template",
        attrs={
            "parameters": "dict[name, {type: str, default: Any, no_echo: bool}] (defaults scrubbed)",
            "transform": "list[str]",
            "secrets": _SECRETS,
        },
        cloudformation=("(template)",),
    ),
    "aws.secretsmanager.secret": TypeSpec(
        "aws",
        "Secrets Manager secret",  # its rotation schedule is folded in
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved (generated when omitted)",
            "kms_key_id": "str|Ref|None (None = the aws/secretsmanager key)",
            "rotation_enabled": "bool (default False): a rotation schedule targets the secret",
            "rotation_days": "int|None: automatically_after_days, or N of a rate(N days) schedule",
            "rotation_schedule": "str|None: schedule_expression as written",
        },
        terraform=("aws_secretsmanager_secret", "aws_secretsmanager_secret_rotation"),
        # AWS::SecretsManager::RotationSchedule is folded into the secret its SecretId names.
        cloudformation=("AWS::SecretsManager::Secret",),
    ),
    # ---------------------------------------------------------------- GCP
    "gcp.vertex.endpoint": TypeSpec(
        "gcp",
        "Vertex AI endpoint",
        attrs={
            "network": "str|None: VPC network for private endpoints",
            "private_service_connect": "bool (default False)",
            "encryption_key": "str|Ref|None: CMEK",
            "request_response_logging": "bool (default False)",
            "dedicated_endpoint": "bool (default False)",
        },
        terraform=("google_vertex_ai_endpoint",),
    ),
    "gcp.vertex.workbench_instance": TypeSpec(
        "gcp",
        "Vertex AI Workbench instance (and legacy notebook instance)",
        attrs={
            "no_public_ip": "bool (default False)",
            "disk_encryption_key": "str|Ref|None: CMEK for boot and data disks",
            "service_account": "str|Ref|None (None = Compute Engine default SA)",
            "shielded_secure_boot": "bool (default False)",
            "shielded_vtpm": "bool (default True)",
            "shielded_integrity_monitoring": "bool (default True)",
            "metadata": "dict[str,str] (secrets scrubbed)",
            "root_access": "bool|None: notebook-disable-root metadata inverted",
            "accelerators": "list[{type: str, count: int}] (default [])",
            "idle_timeout_seconds": "int|None: idle-timeout-seconds metadata (None = no idle shutdown declared)",
            "secrets": _SECRETS,
        },
        relations={"runs_as": "gcp.iam.service_account"},
        terraform=("google_workbench_instance", "google_notebooks_instance"),
    ),
    "gcp.run.service": TypeSpec(
        "gcp",
        "Cloud Run service (v1 and v2)",
        attrs={
            "ingress": '"all"|"internal"|"internal-and-cloud-load-balancing" (default "all")',
            "service_account": "str|Ref|None (None = Compute Engine default SA)",
            "containers": "list[{image: str, env: dict[str,str] literals (scrubbed),"
            " secret_env: list[str] names backed by Secret Manager}]",
            "encryption_key": "str|Ref|None",
            "vpc_egress": "str|None",
            "vpc_connector": "str|None",
            "binary_authorization": "bool (default False)",
            "invoker_members": "list[str]: members granted roles/run.invoker on this service",
            "secrets": _SECRETS,
        },
        relations={"runs_as": "gcp.iam.service_account"},
        terraform=(
            "google_cloud_run_service",
            "google_cloud_run_v2_service",
            "google_cloud_run_service_iam_member",
            "google_cloud_run_service_iam_binding",
            "google_cloud_run_v2_service_iam_member",
            "google_cloud_run_v2_service_iam_binding",
        ),
    ),
    "gcp.functions.function": TypeSpec(
        "gcp",
        "Cloud Functions function (v1 and v2)",
        attrs={
            "generation": '"v1"|"v2"',
            "ingress_settings": '"ALLOW_ALL"|"ALLOW_INTERNAL_ONLY"|"ALLOW_INTERNAL_AND_GCLB" (default "ALLOW_ALL")',
            "https_trigger": "bool: has an HTTP trigger",
            "https_security_level": '"SECURE_ALWAYS"|"SECURE_OPTIONAL"|None',
            "service_account": "str|Ref|None (None = default SA)",
            "environment": "dict[str,str] (scrubbed)",
            "secret_env": "list[str]",
            "kms_key_name": "str|Ref|None",
            "vpc_connector": "str|None",
            "invoker_members": "list[str]: members with roles/cloudfunctions.invoker (or run.invoker for v2)",
            "secrets": _SECRETS,
        },
        relations={"runs_as": "gcp.iam.service_account"},
        terraform=(
            "google_cloudfunctions_function",
            "google_cloudfunctions2_function",
            "google_cloudfunctions_function_iam_member",
            "google_cloudfunctions_function_iam_binding",
            "google_cloudfunctions2_function_iam_member",
            "google_cloudfunctions2_function_iam_binding",
        ),
    ),
    "gcp.iam.service_account": TypeSpec(
        "gcp",
        "GCP service account",
        attrs={"email": "str|Unresolved", "account_id": "str", "project_roles": "list[str]"},
        terraform=("google_service_account",),
    ),
    "gcp.iam.service_account_key": TypeSpec(
        "gcp",
        "User-managed service account key",
        attrs={
            "service_account": "str|Ref: the account's email, resource name or unique id",
            "key_algorithm": 'str (default "KEY_ALG_RSA_2048")',
            "public_key_type": 'str (default "TYPE_X509_PEM_FILE")',
            "uploaded": "bool (default False): public_key_data given (the private key was never in GCP)",
        },
        relations={"key_of": "gcp.iam.service_account"},
        terraform=("google_service_account_key",),
    ),
    # ---------------------------------------------------------------- Kubernetes
    "k8s.workload": TypeSpec(
        "k8s",
        "Kubernetes workload",  # anything that runs pods: the kinds are listed below
        attrs={
            "kind": "str",
            "api_version": "str",
            "namespace": 'str (default "default")',
            "labels": "dict",
            "annotations": "dict",
            "gpu": "bool: any container requests or limits a GPU",
            "exposure": '"external"|"cluster-local"|None: KServe/Knative visibility',
            "pod_templates": 'list[{role: str (e.g. "pod", "predictor", "Worker", "head"),'
            " path: str (manifest path of the pod spec),"
            ' service_account: str (default "default"),'
            " automount_service_account_token: bool|None,"
            " host_network, host_pid, host_ipc: bool (default False),"
            " runtime_class_name: str|None, node_selector: dict,"
            " security_context: {run_as_non_root, run_as_user, seccomp_profile},"
            " volumes: list[{name, host_path: str|None, secret: str|None,"
            " config_map: str|None, empty_dir: bool}],"
            " containers: list[Container]}]",
            "Container": '{name, image, role: "container"|"init", privileged: bool|None,'
            " allow_privilege_escalation: bool|None, run_as_non_root: bool|None,"
            " run_as_user: int|None, read_only_root_filesystem: bool|None,"
            " capabilities_add: list[str] (upper case, no CAP_ prefix), capabilities_drop: list[str],"
            " env: dict[str,str] literal values (scrubbed), env_secret_refs: list[str],"
            " requests: dict[str,str], limits: dict[str,str],"
            " gpu_request: int, gpu_limit: int (nvidia.com/gpu, amd.com/gpu, ...),"
            " volume_mounts: list[{name, mount_path, read_only}]}",
            "secrets": _SECRETS,
            "min_replicas": "int|None: pods kept running when idle. KServe spec.predictor.minReplicas"
            " (default 1); Knative autoscaling.knative.dev/min-scale (or legacy minScale) on"
            " spec.template (default 0, the stock cluster-wide min-scale: a cluster that raises it"
            " is not visible in a manifest); Deployment/StatefulSet spec.replicas (default 1);"
            " None for other kinds",
            "scale_to_zero": "bool|None: min_replicas == 0 (None where min_replicas is None)",
        },
        relations={"runs_as": "k8s.service_account"},
        kubernetes=(
            "Pod",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "Job",
            "CronJob",
            "InferenceService",
            "Service (serving.knative.dev)",
            "PyTorchJob",
            "TFJob",
            "MPIJob",
            "RayCluster",
            "RayJob",
        ),
    ),
    "k8s.config_map": TypeSpec(
        "k8s",
        "Kubernetes ConfigMap",
        attrs={"namespace": "str", "data": "dict[str,str] (scrubbed)", "secrets": _SECRETS},
        kubernetes=("ConfigMap",),
    ),
    "k8s.namespace": TypeSpec(
        "k8s",
        "Kubernetes Namespace",  # uid k8s:<cluster>/<name>/Namespace/<name>; region is its own name
        attrs={
            "labels": "dict[str,str]",
            "pod_security": '{enforce, audit, warn: "privileged"|"baseline"|"restricted"|None,'
            " enforce_version: str|None} from the pod-security.kubernetes.io/* labels"
            " (None = label absent: the cluster's admission default applies, privileged unless configured)",
            "gpu_quota": "dict[str, int|Unresolved]: GPU entries of spec.hard over the namespace's"
            ' ResourceQuotas in the scan ("requests.nvidia.com/gpu", "limits.nvidia.com/gpu", bare'
            ' "nvidia.com/gpu"), the smallest where several quotas set one key; {} = none. Only'
            " requests.<gpu> is enforced by the quota controller. Object-count quotas (count/...)"
            " cap objects, not GPUs, and are not folded here",
            "resource_quotas": "list[str]: names of the namespace's ResourceQuotas in the scan",
        },
        kubernetes=("Namespace",),
    ),
    "k8s.resource_quota": TypeSpec(
        "k8s",
        "Kubernetes ResourceQuota",  # folded into its k8s.namespace when that is in the scan
        attrs={
            "namespace": 'str (default "default")',
            "hard": "dict[str,str]: spec.hard as written",
            "gpu": "dict[str, int|Unresolved]: the GPU entries of hard, as counts",
            "scoped": "bool: spec.scopes or spec.scopeSelector limit it to some pods",
        },
        relations={"quota_for": "k8s.namespace"},
        kubernetes=("ResourceQuota",),
    ),
    "k8s.secret": TypeSpec(
        "k8s",
        "Kubernetes Secret",
        attrs={
            "namespace": 'str (default "default")',
            "secret_type": 'str (default "Opaque"), e.g. "kubernetes.io/service-account-token"',
            "service_account": "str|None: the kubernetes.io/service-account.name annotation",
            "has_data": "bool: data or stringData holds at least one key (values are never kept)",
            "keys": "list[str]: sorted key names of data and stringData",
        },
        relations={"token_for": "k8s.service_account"},
        kubernetes=("Secret",),
    ),
}


def dialects_of(type_name: str) -> set[str]:
    """The IaC dialects in which a resource type can be written."""
    spec = RESOURCE_TYPES[type_name]
    out = set()
    if spec.terraform:
        out |= {"terraform", "terraform-plan"}
    if spec.cloudformation and spec.cloudformation != ("(template)",):
        out.add("cloudformation")
    if spec.kubernetes:
        out.add("kubernetes")
    return out
