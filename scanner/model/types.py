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
            "uses_security_group": "aws.ec2.security_group",
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
        relations={"execution_role": "aws.iam.role", "uses_security_group": "aws.ec2.security_group"},
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
    # SageMaker jobs declared inside a pipeline definition or a Step Functions state machine:
    # one resource per step, uid "<container uid>#<step>", name "<container name>/<step>".
    "aws.sagemaker.training_job": TypeSpec(
        "aws",
        "SageMaker training job (a pipeline Training step or a Step Functions createTrainingJob task)",
        attrs={
            "enable_network_isolation": "bool (default False)",
            "vpc_config": "{subnet_ids: list, security_group_ids: list}|None",
            "enable_inter_container_traffic_encryption": "bool (default False)",
            "volume_kms_key_id": "str|Ref|None: ResourceConfig.VolumeKmsKeyId",
            "output_kms_key_id": "str|Ref|None: OutputDataConfig.KmsKeyId",
            "role_arn": "str|Ref|None",
            "image": "str|None: AlgorithmSpecification.TrainingImage (or AlgorithmName)",
            "instance_type": "str|None",
            "environment": "dict[str,str] (default {}, scrubbed)",
            "hyperparameters": "dict[str,str] (default {}, scrubbed)",
            "defined_in": '{uid: str, kind: "aws_sagemaker_pipeline"|"aws_sfn_state_machine"|'
            '"AWS::SageMaker::Pipeline"|"AWS::StepFunctions::StateMachine", step: str}',
            "secrets": _SECRETS,
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_sagemaker_pipeline", "aws_sfn_state_machine"),
        cloudformation=("AWS::SageMaker::Pipeline", "AWS::StepFunctions::StateMachine"),
    ),
    "aws.sagemaker.processing_job": TypeSpec(
        "aws",
        "SageMaker processing job (a pipeline Processing step or a Step Functions createProcessingJob task)",
        attrs={
            "enable_network_isolation": "bool (default False): NetworkConfig",
            "vpc_config": "{subnet_ids: list, security_group_ids: list}|None: NetworkConfig.VpcConfig",
            "enable_inter_container_traffic_encryption": "bool (default False): NetworkConfig",
            "volume_kms_key_id": "str|Ref|None: ProcessingResources.ClusterConfig.VolumeKmsKeyId",
            "output_kms_key_id": "str|Ref|None: ProcessingOutputConfig.KmsKeyId",
            "role_arn": "str|Ref|None",
            "image": "str|None: AppSpecification.ImageUri",
            "instance_type": "str|None",
            "environment": "dict[str,str] (default {}, scrubbed)",
            "defined_in": "{uid, kind, step}: as for aws.sagemaker.training_job",
            "secrets": _SECRETS,
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_sagemaker_pipeline", "aws_sfn_state_machine"),
        cloudformation=("AWS::SageMaker::Pipeline", "AWS::StepFunctions::StateMachine"),
    ),
    "aws.sagemaker.transform_job": TypeSpec(
        "aws",
        "SageMaker batch transform job (a pipeline Transform step or a Step Functions createTransformJob task)",
        attrs={
            "volume_kms_key_id": "str|Ref|None: TransformResources.VolumeKmsKeyId",
            "output_kms_key_id": "str|Ref|None: TransformOutput.KmsKeyId",
            "model_name": "str|Ref|None",
            "instance_type": "str|None",
            "environment": "dict[str,str] (default {}, scrubbed)",
            "defined_in": "{uid, kind, step}: as for aws.sagemaker.training_job",
            "secrets": _SECRETS,
        },
        terraform=("aws_sagemaker_pipeline", "aws_sfn_state_machine"),
        cloudformation=("AWS::SageMaker::Pipeline", "AWS::StepFunctions::StateMachine"),
    ),
    "aws.sagemaker.data_quality_job_definition": TypeSpec(
        "aws",
        "SageMaker Model Monitor data-quality job definition",
        attrs={
            "arn": "str|None",
            "output_kms_key_id": "str|Ref|None: DataQualityJobOutputConfig.KmsKeyId",
            "volume_kms_key_id": "str|Ref|None: JobResources.ClusterConfig.VolumeKmsKeyId",
            "enable_inter_container_traffic_encryption": "bool (default False): NetworkConfig",
            "enable_network_isolation": "bool (default False): NetworkConfig",
            "role_arn": "str|Ref",
            "endpoint_name": "str|Ref|None: DataQualityJobInput.EndpointInput.EndpointName",
        },
        relations={"execution_role": "aws.iam.role", "monitors": "aws.sagemaker.endpoint"},
        terraform=("aws_sagemaker_data_quality_job_definition",),
        cloudformation=("AWS::SageMaker::DataQualityJobDefinition",),
    ),
    # ---------------------------------------------------------------- AWS SageMaker (Studio, registry, monitoring)
    "aws.sagemaker.user_profile": TypeSpec(
        "aws",
        "SageMaker Studio user profile",
        attrs={
            "arn": "str|None",
            "user_profile_name": "str|Unresolved",
            "domain_id": "str|Ref|None",
            "execution_role": "str|Ref|None: user_settings.execution_role (None = the domain's default role)",
            "notebook_output_option": '"Allowed"|"Disabled"|None: user_settings.sharing_settings',
            "sharing_s3_kms_key_id": "str|Ref|None: user_settings.sharing_settings.s3_kms_key_id",
        },
        relations={"execution_role": "aws.iam.role", "in_domain": "aws.sagemaker.domain"},
        terraform=("aws_sagemaker_user_profile",),
        cloudformation=("AWS::SageMaker::UserProfile",),
    ),
    "aws.sagemaker.space": TypeSpec(
        "aws",
        "SageMaker Studio space",
        attrs={
            "arn": "str|None",
            "space_name": "str|Unresolved",
            "domain_id": "str|Ref|None",
            "owner_user_profile_name": "str|Ref|None: ownership_settings",
            "sharing_type": '"Private"|"Shared"|None: space_sharing_settings',
            "app_type": "str|None: space_settings.app_type",
        },
        relations={"in_domain": "aws.sagemaker.domain", "owned_by": "aws.sagemaker.user_profile"},
        terraform=("aws_sagemaker_space",),
        cloudformation=("AWS::SageMaker::Space",),
    ),
    "aws.sagemaker.feature_group": TypeSpec(
        "aws",
        "SageMaker Feature Store feature group",
        attrs={
            "arn": "str|None",
            "feature_group_name": "str|Unresolved",
            "role_arn": "str|Ref|None",
            "online_store_enabled": "bool (default False): online_store_config.enable_online_store",
            "online_kms_key_id": "str|Ref|None: online_store_config.security_config.kms_key_id",
            "offline_store_enabled": "bool (default False): an offline_store_config is written",
            "offline_kms_key_id": "str|Ref|None: offline_store_config.s3_storage_config.kms_key_id",
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_sagemaker_feature_group",),
        cloudformation=("AWS::SageMaker::FeatureGroup",),
    ),
    "aws.sagemaker.monitoring_schedule": TypeSpec(
        "aws",
        "SageMaker Model Monitor monitoring schedule",
        attrs={
            "arn": "str|None",
            "schedule_name": "str|Unresolved",
            "endpoint_name": "str|Ref|Unresolved|None: the endpoint it monitors where the schedule"
            " names it (CloudFormation EndpointName or an inline job definition's EndpointInput);"
            " None = only through its job definition",
            "job_definition_name": "str|Ref|None: monitoring_job_definition_name",
            "monitoring_type": "str|None: DataQuality|ModelQuality|ModelBias|ModelExplainability",
            "schedule_expression": "str|None",
        },
        relations={
            "monitors": "aws.sagemaker.endpoint",
            "uses_job_definition": "aws.sagemaker.data_quality_job_definition",
        },
        terraform=("aws_sagemaker_monitoring_schedule",),
        cloudformation=("AWS::SageMaker::MonitoringSchedule",),
    ),
    "aws.sagemaker.model_package_group": TypeSpec(
        "aws",
        "SageMaker Model Registry model package group",
        attrs={
            "arn": "str|None",
            "model_package_group_name": "str|Unresolved",
            "policy": _POLICY + "|None: the group's resource policy",
        },
        terraform=("aws_sagemaker_model_package_group",),
        cloudformation=("AWS::SageMaker::ModelPackageGroup",),
    ),
    "aws.sagemaker.model_package": TypeSpec(
        "aws",
        "SageMaker Model Registry model package (a model version)",
        attrs={
            "arn": "str|None",
            "model_package_group_name": "str|Ref|None",
            "model_approval_status": '"Approved"|"Rejected"|"PendingManualApproval"|Unresolved'
            ' (default "PendingManualApproval" for a versioned package)',
        },
        relations={"in_group": "aws.sagemaker.model_package_group"},
        cloudformation=("AWS::SageMaker::ModelPackage",),
    ),
    "aws.sagemaker.code_repository": TypeSpec(
        "aws",
        "SageMaker Git code repository",
        attrs={
            "arn": "str|None",
            "repository_url": "str|None",
            "branch": "str|None",
            "secret_arn": "str|Ref|None: git_config.secret_arn (the Secrets Manager secret with credentials)",
            "has_secret": "bool|Unresolved: a credentials secret is configured",
        },
        relations={"uses_secret": "aws.secretsmanager.secret"},
        terraform=("aws_sagemaker_code_repository",),
        cloudformation=("AWS::SageMaker::CodeRepository",),
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
        relations={"execution_role": "aws.iam.role", "uses_security_group": "aws.ec2.security_group"},
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
    "aws.lambda.layer_version": TypeSpec(
        "aws",
        "Lambda layer version, with its layer-version permissions folded in",
        attrs={
            "arn": "str|None",
            "layer_name": "str|Unresolved",
            "compatible_runtimes": "list[str] (default [])",
            "permissions": "list[{principal: str|Unresolved, organization_id: str|Unresolved|None,"
            " action: str|None}] (default []): aws_lambda_layer_version_permission /"
            " AWS::Lambda::LayerVersionPermission statements on this version",
        },
        terraform=("aws_lambda_layer_version", "aws_lambda_layer_version_permission"),
        cloudformation=("AWS::Lambda::LayerVersion",),  # AWS::Lambda::LayerVersionPermission folds in
    ),
    "aws.lambda.event_source_mapping": TypeSpec(
        "aws",
        "Lambda event source mapping (a queue or stream that invokes a function)",
        attrs={
            "function_name": "str|Ref",
            "event_source_arn": "str|Ref|None",
            "enabled": "bool (default True)",
            "batch_size": "int|None",
        },
        relations={"triggers": "aws.lambda.function"},
        terraform=("aws_lambda_event_source_mapping",),
        cloudformation=("AWS::Lambda::EventSourceMapping",),
    ),
    # ---------------------------------------------------------------- AWS API Gateway
    "aws.apigateway.rest_api": TypeSpec(
        "aws",
        "API Gateway REST API (a standalone aws_api_gateway_rest_api_policy is folded in)",
        attrs={
            "arn": "str|None",
            "endpoint_types": 'list["EDGE"|"REGIONAL"|"PRIVATE"] (default ["EDGE"])',
            "policy": "normalized resource policy|None",
        },
        terraform=("aws_api_gateway_rest_api", "aws_api_gateway_rest_api_policy"),
        cloudformation=("AWS::ApiGateway::RestApi",),
    ),
    "aws.apigateway.rest_method": TypeSpec(
        "aws",
        "API Gateway REST API method with its integration folded in",
        attrs={
            "http_method": "str",
            "authorization": '"NONE"|"AWS_IAM"|"CUSTOM"|"COGNITO_USER_POOLS" (default "NONE")',
            "api_key_required": "bool (default False)",
            "integration_type": '"AWS"|"AWS_PROXY"|"HTTP"|"HTTP_PROXY"|"MOCK"|None (None = no integration'
            " in the scan)",
            "integration_uri": "str|Ref|None",
            "integration_target": '"lambda"|"sagemaker"|"other"|None: what the integration invokes'
            " (None = no integration in the scan)",
        },
        relations={
            "invokes": "aws.lambda.function|aws.sagemaker.endpoint",
            "in_api": "aws.apigateway.rest_api",
        },
        terraform=("aws_api_gateway_method", "aws_api_gateway_integration"),
        cloudformation=("AWS::ApiGateway::Method",),
    ),
    "aws.apigateway.http_route": TypeSpec(
        "aws",
        "API Gateway v2 (HTTP/WebSocket) route with its integration folded in",
        attrs={
            "route_key": "str",
            "authorization": '"NONE"|"AWS_IAM"|"CUSTOM"|"JWT" (default "NONE")',
            "api_key_required": "bool (default False)",
            "integration_type": '"AWS"|"AWS_PROXY"|"HTTP"|"HTTP_PROXY"|"MOCK"|None',
            "integration_uri": "str|Ref|None",
            "integration_target": '"lambda"|"sagemaker"|"other"|None',
        },
        relations={"invokes": "aws.lambda.function|aws.sagemaker.endpoint"},
        terraform=("aws_apigatewayv2_route", "aws_apigatewayv2_integration"),
        cloudformation=("AWS::ApiGatewayV2::Route",),
    ),
    # ---------------------------------------------------------------- AWS Bedrock
    "aws.bedrock.agent": TypeSpec(
        "aws",
        "Bedrock agent",  # Terraform action groups are folded in; CloudFormation writes them inline
        attrs={
            "arn": "str|None",
            "agent_name": "str",
            "role_arn": "str|Ref: the agent resource role",
            "customer_encryption_key_arn": "str|Ref|None (None = an AWS-owned key)",
            "guardrail": "{id: str|Ref|None, version: str|Ref|None}|None",
            "idle_session_ttl": "int (default 600): seconds",
            "prepare_agent": "bool: Terraform's prepare_agent (default True), CloudFormation's AutoPrepare"
            " (default False)",
            "foundation_model": "str|Ref",
            "instruction": "str|None (secrets scrubbed)",
            "action_groups": "list[{name: str, lambda_arn: str|Ref|None}] (default [])",
            "secrets": _SECRETS,
        },
        relations={
            "execution_role": "aws.iam.role",
            "uses_guardrail": "aws.bedrock.guardrail",
            "action_group_function": "aws.lambda.function",
        },
        terraform=("aws_bedrockagent_agent", "aws_bedrockagent_agent_action_group"),
        cloudformation=("AWS::Bedrock::Agent",),
    ),
    "aws.bedrock.guardrail": TypeSpec(
        "aws",
        "Bedrock guardrail",
        attrs={
            "arn": "str|None",
            "name": "str",
            "kms_key_arn": "str|Ref|None (None = an AWS-owned key)",
            "content_filters": "list[{type: str, input_strength: str, output_strength: str}] (default [])",
            "prompt_attack_filter": "bool: a PROMPT_ATTACK content filter with input strength not NONE",
            "sensitive_information": "bool: PII entities or regexes are configured",
            "contextual_grounding": "bool: contextual grounding filters are configured",
            "word_filters": "bool: words or managed word lists are configured",
        },
        terraform=("aws_bedrock_guardrail",),
        cloudformation=("AWS::Bedrock::Guardrail",),
    ),
    "aws.bedrock.knowledge_base": TypeSpec(
        "aws",
        "Bedrock knowledge base",  # neither Terraform (5.x) nor CloudFormation takes a KMS key here
        attrs={
            "arn": "str|None",
            "name": "str",
            "role_arn": "str|Ref",
            "storage_type": 'str|None: "OPENSEARCH_SERVERLESS", "PINECONE", "RDS", ...',
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_bedrockagent_knowledge_base",),
        cloudformation=("AWS::Bedrock::KnowledgeBase",),
    ),
    "aws.bedrock.invocation_logging": TypeSpec(
        "aws",
        "Bedrock model invocation logging configuration (one per account and region)",
        attrs={
            "text_data_delivery": "bool (default True)",
            "cloudwatch_enabled": "bool: a CloudWatch log group is set",
            "cloudwatch_log_group": "str|Ref|None",
            "s3_enabled": "bool: an S3 bucket is set",
            "s3_bucket": "str|Ref|None",
        },
        terraform=("aws_bedrock_model_invocation_logging_configuration",),
    ),
    "aws.bedrock.custom_model": TypeSpec(
        "aws",
        "Bedrock custom model (fine-tuning or continued pre-training job and its output)",
        attrs={
            "arn": "str|None",
            "custom_model_name": "str",
            "custom_model_kms_key_id": "str|Ref|None (None = an AWS-owned key)",
            "role_arn": "str|Ref",
        },
        relations={"execution_role": "aws.iam.role"},
        terraform=("aws_bedrock_custom_model",),
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
    # No rule reads it yet: modelled so that the graph can follow a K8s service account to its role.
    "aws.eks.pod_identity_association": TypeSpec(
        "aws",
        "EKS Pod Identity association",
        attrs={
            "cluster_name": "str|Ref|Unresolved",
            "namespace": "str|Unresolved",
            "service_account": "str|Unresolved: the Kubernetes service account's name",
            "role_arn": "str|Ref|Unresolved",
        },
        relations={"grants_role": "aws.iam.role"},
        terraform=("aws_eks_pod_identity_association",),
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
            "access_keys": "int|Unresolved: number of access keys (declared in IaC; live: ListAccessKeys,"
            " Unresolved when it could not be read)",
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
    "aws.organizations.policy": TypeSpec(
        "aws",
        "Organizations service control policy (read live from the management account, or"
        " declared in IaC with its attachments folded in)",
        attrs={
            "arn": "str|None",
            "type": '"SERVICE_CONTROL_POLICY" (IaC: default; other Organizations policy types keep their name)',
            "policy": _POLICY,
            "targets": 'list[{id: str|Unresolved, type: "ACCOUNT"|"ORGANIZATIONAL_UNIT"|"ROOT"|Unresolved,'
            " name: str|None, accounts: list[str] (live, OUs: every account under it, nested OUs"
            " included)}]|None|Unresolved: where it is attached (an account id, an OU id ou-...,"
            " the root r-...); None when the targets could not be read live; Unresolved in IaC when no"
            " attachment in the scan names the policy; a target referenced in IaC has its type (from"
            " what it names) but an Unresolved id",
        },
        terraform=("aws_organizations_policy", "aws_organizations_policy_attachment"),
        cloudformation=("AWS::Organizations::Policy",),
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
            "policy": "policy|None: the secret's resource policy (aws_secretsmanager_secret_policy and"
            " AWS::SecretsManager::ResourcePolicy folded in; live: GetResourcePolicy); Unresolved"
            " when it could not be read",
        },
        terraform=(
            "aws_secretsmanager_secret",
            "aws_secretsmanager_secret_rotation",
            "aws_secretsmanager_secret_policy",
        ),
        # AWS::SecretsManager::RotationSchedule and ::ResourcePolicy are folded into the secret
        # their SecretId names.
        cloudformation=("AWS::SecretsManager::Secret",),
    ),
    # ---------------------------------------------------------------- AWS supporting services
    "aws.ecr.repository": TypeSpec(
        "aws",
        "ECR repository",  # where SageMaker and Lambda container images come from
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved",
            "scan_on_push": "bool (default False)",
            "image_tag_mutability": '"MUTABLE"|"IMMUTABLE"|... (default "MUTABLE")',
            "encryption_type": '"AES256"|"KMS"|"KMS_DSSE" (default "AES256")',
            "kms_key": "str|Ref|None (None with KMS = the aws/ecr AWS-managed key)",
            "policy": "policy|None: the repository policy (aws_ecr_repository_policy folded in)",
        },
        terraform=("aws_ecr_repository", "aws_ecr_repository_policy"),
        cloudformation=("AWS::ECR::Repository",),
    ),
    # Modelled for the privilege graph: who may read (or write) the messages ML compute consumes.
    "aws.sqs.queue": TypeSpec(
        "aws",
        "SQS queue",  # its queue policy is folded in
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved (generated when omitted)",
            "policy": "policy|None: the queue policy (inline, aws_sqs_queue_policy, AWS::SQS::QueuePolicy;"
            " live: GetQueueAttributes Policy); Unresolved when it could not be read",
        },
        terraform=("aws_sqs_queue", "aws_sqs_queue_policy"),
        # AWS::SQS::QueuePolicy is folded into each queue its Queues name.
        cloudformation=("AWS::SQS::Queue",),
    ),
    "aws.sns.topic": TypeSpec(
        "aws",
        "SNS topic",  # its topic policy is folded in
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved (generated when omitted)",
            "policy": "policy|None: the topic policy (inline, aws_sns_topic_policy, AWS::SNS::TopicPolicy;"
            " live: GetTopicAttributes Policy); Unresolved when it could not be read",
        },
        terraform=("aws_sns_topic", "aws_sns_topic_policy"),
        # AWS::SNS::TopicPolicy is folded into each topic its Topics name.
        cloudformation=("AWS::SNS::Topic",),
    ),
    "aws.kms.key": TypeSpec(
        "aws",
        "KMS key",
        attrs={
            "arn": "str|None",
            "enable_key_rotation": "bool (default False)",
            "policy": "policy|None (None = the default key policy)",
            "key_spec": 'str (default "SYMMETRIC_DEFAULT")',
            "deletion_window_in_days": "int (default 30)",
        },
        terraform=("aws_kms_key",),
        cloudformation=("AWS::KMS::Key",),
    ),
    "aws.logs.log_group": TypeSpec(
        "aws",
        "CloudWatch Logs log group",
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved",
            "retention_in_days": "int|None (None = never expire; Terraform's 0 means the same)",
            "kms_key_id": "str|Ref|None",
        },
        terraform=("aws_cloudwatch_log_group",),
        cloudformation=("AWS::Logs::LogGroup",),
    ),
    "aws.ec2.security_group": TypeSpec(
        "aws",
        "EC2 (VPC) security group",  # standalone ingress rules are folded in
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved",
            "vpc_id": "str|Ref|None",
            "ingress": "list[{from_port: int|None, to_port: int|None, protocol: str"
            ' ("-1" = all; names lower case), cidr_ipv4: list[str], cidr_ipv6: list[str]}]'
            " (default []): inline rules, then aws_security_group_rule (type ingress),"
            " aws_vpc_security_group_ingress_rule, AWS::EC2::SecurityGroupIngress",
        },
        terraform=(
            "aws_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        ),
        # AWS::EC2::SecurityGroupIngress is folded into the group its GroupId names.
        cloudformation=("AWS::EC2::SecurityGroup",),
    ),
    "aws.ec2.vpc_endpoint": TypeSpec(
        "aws",
        "VPC endpoint",
        attrs={
            "arn": "str|None",
            "vpc_id": "str|Ref|Unresolved|None",
            "service_name": 'str|Unresolved: e.g. "com.amazonaws.us-east-1.sagemaker.runtime"',
            "vpc_endpoint_type": '"Gateway"|"Interface"|"GatewayLoadBalancer"|... (default "Gateway")',
            "policy": "normalized policy document (see module doc)|None",
            "private_dns_enabled": "bool (default False)",
        },
        terraform=("aws_vpc_endpoint",),
        cloudformation=("AWS::EC2::VPCEndpoint",),
    ),
    # No rule reads an instance profile yet: it is modelled so that the graph can follow
    # instance -> profile -> role (has_role).
    "aws.iam.instance_profile": TypeSpec(
        "aws",
        "IAM instance profile",
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved",
            "role": "str|Ref|None: the role's name (CloudFormation: the first of Roles)",
        },
        relations={"has_role": "aws.iam.role"},
        terraform=("aws_iam_instance_profile",),
        cloudformation=("AWS::IAM::InstanceProfile",),
    ),
    "aws.cloudtrail.trail": TypeSpec(
        "aws",
        "CloudTrail trail",
        attrs={
            "arn": "str|None",
            "name": "str|Unresolved",
            "is_multi_region": "bool (default False)",
            "log_file_validation": "bool (default False)",
            "kms_key_id": "str|Ref|None",
            "data_events": 'list[{resource_type: str (e.g. "AWS::S3::Object", "AWS::Lambda::Function"),'
            " values: list[str] (ARN prefixes; [] = every resource of the type),"
            ' read_write: "All"|"ReadOnly"|"WriteOnly"}] (default []):'
            " event_selector data resources and advanced_event_selector Data selectors",
        },
        terraform=("aws_cloudtrail",),
        cloudformation=("AWS::CloudTrail::Trail",),
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
        relations={"runs_as": "gcp.iam.service_account", "serves_model": "gcp.vertex.model"},  # live only
        terraform=("google_vertex_ai_endpoint",),
    ),
    # live scans only (scanner.normalize.gcp): models, jobs and runtime templates
    "gcp.vertex.model": TypeSpec(
        "gcp",
        "Vertex AI model",
        attrs={
            "artifact_uri": "str|None: gs:// URI of the model artifacts",
            "container_image": "str|None: serving container image",
            "encryption_key": "str|None: CMEK (None = Google-managed)",
        },
    ),
    "gcp.vertex.custom_job": TypeSpec(
        "gcp",
        "Vertex AI custom (training) job",
        attrs={
            "service_account": "str|None (None = the Vertex AI Custom Code Service Agent)",
            "network": "str|None",
            "encryption_key": "str|None: CMEK",
            "web_access": "bool (default False): interactive shell into the training containers",
            "base_output_directory": "str|None",
            "containers": "list[{image: str, env: dict[str,str] (scrubbed)}]",
            "secrets": _SECRETS,
        },
        relations={"runs_as": "gcp.iam.service_account"},
    ),
    "gcp.vertex.pipeline_job": TypeSpec(
        "gcp",
        "Vertex AI pipeline job",
        attrs={
            "service_account": "str|None (None = the Compute Engine default SA)",
            "network": "str|None",
            "encryption_key": "str|None: CMEK",
            "pipeline_root": "str|None: runtimeConfig.gcsOutputDirectory",
        },
        relations={"runs_as": "gcp.iam.service_account"},
    ),
    "gcp.vertex.notebook_runtime_template": TypeSpec(
        "gcp",
        "Vertex AI (Colab Enterprise) notebook runtime template",
        attrs={
            "internet_access": "bool (default False): networkSpec.enableInternetAccess",
            "network": "str|None",
            "subnetwork": "str|None",
            "encryption_key": "str|None: CMEK",
            "service_account": "str|None (None = end-user credentials, or the Compute Engine default SA when"
            " they are disabled)",
            "end_user_credentials": "bool (default True): eucConfig.eucDisabled inverted (proto3: unset = on)",
            "idle_shutdown": "bool (default False)",
            "shielded_secure_boot": "bool (default False)",
        },
        relations={"runs_as": "gcp.iam.service_account"},
        terraform=("google_colab_runtime_template",),
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
    "gcp.vertex.dataset": TypeSpec(
        "gcp",
        "Vertex AI dataset",
        attrs={
            "display_name": "str|Unresolved",
            "encryption_key": "str|Ref|None: CMEK, encryption_spec.kms_key_name (None = Google-managed)",
        },
        terraform=("google_vertex_ai_dataset",),
    ),
    "gcp.vertex.featurestore": TypeSpec(
        "gcp",
        "Vertex AI (legacy) Featurestore",
        attrs={
            "encryption_key": "str|Ref|None: CMEK, encryption_spec.kms_key_name (None = Google-managed)",
            "online_serving_nodes": "int|None: online_serving_config.fixed_node_count (None = not set)",
        },
        terraform=("google_vertex_ai_featurestore",),
    ),
    "gcp.vertex.feature_online_store": TypeSpec(
        "gcp",
        "Vertex AI Feature Store online store",
        attrs={
            "storage_type": '"bigtable"|"optimized"|None: which serving block is written',
            "dedicated_serving_endpoint": "bool (default False): a dedicated_serving_endpoint block is written"
            " (optimized stores always get one; it is public unless Private Service Connect is on)",
            "private_service_connect": "bool (default False): dedicated_serving_endpoint"
            ".private_service_connect_config.enable_private_service_connect",
            "psc_project_allowlist": "list[str] (default []): projects allowed to connect over PSC",
        },
        terraform=("google_vertex_ai_feature_online_store",),
    ),
    "gcp.vertex.tensorboard": TypeSpec(
        "gcp",
        "Vertex AI TensorBoard instance",
        attrs={
            "display_name": "str|Unresolved",
            "encryption_key": "str|Ref|None: CMEK, encryption_spec.kms_key_name (None = Google-managed)",
        },
        terraform=("google_vertex_ai_tensorboard",),
    ),
    "gcp.vertex.index_endpoint": TypeSpec(
        "gcp",
        "Vertex AI Vector Search index endpoint",
        attrs={
            "network": "str|Ref|None: VPC network peered for private queries",
            "public_endpoint_enabled": "bool (default False)",
            "private_service_connect": "bool (default False): private_service_connect_config"
            ".enable_private_service_connect",
        },
        terraform=("google_vertex_ai_index_endpoint",),
    ),
    "gcp.vertex.metadata_store": TypeSpec(
        "gcp",
        "Vertex AI ML Metadata store",
        attrs={
            "encryption_key": "str|Ref|None: CMEK, encryption_spec.kms_key_name (None = Google-managed)",
        },
        terraform=("google_vertex_ai_metadata_store",),
    ),
    "gcp.vertex.notebook_runtime": TypeSpec(
        "gcp",
        "Vertex AI Workbench managed notebooks runtime (legacy)",
        attrs={
            "access_type": '"SINGLE_USER"|"SERVICE_ACCOUNT"|None: access_config.access_type',
            "runtime_owner": "str|None: access_config.runtime_owner",
            "disk_encryption_key": "str|Ref|None: CMEK, virtual_machine.virtual_machine_config"
            ".encryption_config.kms_key (None = Google-managed)",
            "no_public_ip": "bool (default False): virtual_machine_config.internal_ip_only",
            "network": "str|Ref|None",
            "subnet": "str|Ref|None",
            "shielded_secure_boot": "bool (default False)",
            "shielded_vtpm": "bool (default True)",
            "shielded_integrity_monitoring": "bool (default True)",
            "accelerators": "list[{type: str, count: int}] (default [])",
            "metadata": "dict[str,str] (secrets scrubbed)",
            "idle_shutdown": "bool|None: software_config.idle_shutdown (None = not set: the service default"
            " applies)",
            "secrets": _SECRETS,
        },
        terraform=("google_notebooks_runtime",),
    ),
    "gcp.storage.bucket": TypeSpec(
        "gcp",
        "Cloud Storage bucket",  # IAM member and binding resources on it are folded in
        attrs={
            "name": "str|Unresolved",
            "uniform_bucket_level_access": "bool (default False)",
            "public_access_prevention": '"enforced"|"inherited" (default "inherited")',
            "encryption_default_kms_key": "str|Ref|None: encryption.default_kms_key_name",
            "versioning": "bool (default False)",
            "logging": "bool (default False): a logging block names a log bucket",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved}] (default []): from"
            " google_storage_bucket_iam_member and _binding; an entry is Unresolved when the members"
            " of a binding are not known",
            "acl": 'list[{entity: str|Unresolved, role: str|Unresolved, scope: "bucket"|"default_object"}]'
            "|Unresolved (default []): legacy ACL entries (empty under uniform bucket-level access)",
        },
        terraform=(
            "google_storage_bucket",
            "google_storage_bucket_iam_member",
            "google_storage_bucket_iam_binding",
            "google_storage_bucket_acl",
            "google_storage_bucket_access_control",
            "google_storage_default_object_acl",
            "google_storage_default_object_access_control",
        ),
    ),
    "gcp.kms.crypto_key": TypeSpec(
        "gcp",
        "Cloud KMS crypto key",
        attrs={
            "name": "str|Unresolved",
            "key_ring": "str|Ref|None",
            "purpose": 'str (default "ENCRYPT_DECRYPT")',
            "rotation_period": 'str|None: as written, e.g. "7776000s" (None = never rotated)',
            "rotation_period_seconds": "int|None: rotation_period in seconds",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved, condition?: {title, expression}"
            "|Unresolved}] (default []): from google_kms_crypto_key_iam_member and _binding"
            " (condition only where written)",
        },
        terraform=(
            "google_kms_crypto_key",
            "google_kms_crypto_key_iam_member",
            "google_kms_crypto_key_iam_binding",
        ),
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
        attrs={
            "email": "str|Unresolved",
            "account_id": "str",
            "project_roles": "list[str|Unresolved]: roles granted to serviceAccount:<email> by project IAM"
            " member and binding resources of the scan (the member literal, or a reference to the"
            " account's email or member)",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved, condition?: {title, expression}"
            "|Unresolved}] (default []): from google_service_account_iam_member and _binding"
            " (condition only where written)",
            "user_managed_keys": "list[str]|Unresolved|None: ids of its user-managed keys (live scans; None in"
            " IaC, where keys are resources of their own; Unresolved when keys.list was denied)",
        },
        terraform=(
            "google_service_account",
            "google_service_account_iam_member",
            "google_service_account_iam_binding",
        ),
    ),
    "gcp.iam.service_account_key": TypeSpec(
        "gcp",
        "User-managed service account key",
        attrs={
            "service_account": "str|Ref: the account's email, resource name or unique id",
            "key_algorithm": 'str (default "KEY_ALG_RSA_2048")',
            "public_key_type": 'str (default "TYPE_X509_PEM_FILE")',
            "uploaded": "bool (default False): public_key_data given (the private key was never in GCP)",
            "valid_after_time": "str|None: RFC 3339 creation time (live scans; None in IaC)",
        },
        relations={"key_of": "gcp.iam.service_account"},
        terraform=("google_service_account_key",),
    ),
    "gcp.iam.custom_role": TypeSpec(
        "gcp",
        "GCP custom IAM role",
        attrs={
            "role_id": "str: projects/P/roles/NAME",
            "title": "str|None",
            "stage": 'str (default "GA")',
            "permissions": "list[str]: included permissions, sorted",
        },
        terraform=("google_project_iam_custom_role", "google_organization_iam_custom_role"),
    ),
    # ---------------------------------------------------------------- GCP: more (scanner.normalize.terraform.gcp_more)
    "gcp.run.job": TypeSpec(
        "gcp",
        "Cloud Run job (v2)",  # IAM member and binding resources on it are folded in
        attrs={
            "service_account": "str|Ref|None (None = Compute Engine default SA)",
            "containers": "list[{image: str, env: dict[str,str] literals (scrubbed),"
            " secret_env: list[str] names backed by Secret Manager}]",
            "encryption_key": "str|Ref|None: template.template.encryption_key (None = Google-managed)",
            "vpc_egress": "str|None",
            "vpc_connector": "str|None",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved}] (default []): from"
            " google_cloud_run_v2_job_iam_member and _binding",
            "secrets": _SECRETS,
        },
        relations={"runs_as": "gcp.iam.service_account"},
        terraform=(
            "google_cloud_run_v2_job",
            "google_cloud_run_v2_job_iam_member",
            "google_cloud_run_v2_job_iam_binding",
        ),
    ),
    "gcp.artifactregistry.repository": TypeSpec(
        "gcp",
        "Artifact Registry repository (container images, Python packages, model artifacts)",
        attrs={
            "repository_id": "str|Unresolved",
            "format": "str|Unresolved: DOCKER, PYTHON, ...",
            "mode": 'str (default "STANDARD_REPOSITORY"): or VIRTUAL_REPOSITORY, REMOTE_REPOSITORY',
            "kms_key_name": "str|Ref|None: CMEK (None = Google-managed)",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved}] (default []): from"
            " google_artifact_registry_repository_iam_member and _binding; an entry is Unresolved when"
            " the members of a binding are not known",
        },
        terraform=(
            "google_artifact_registry_repository",
            "google_artifact_registry_repository_iam_member",
            "google_artifact_registry_repository_iam_binding",
        ),
    ),
    "gcp.secretmanager.secret": TypeSpec(
        "gcp",
        "Secret Manager secret",
        attrs={
            "secret_id": "str|Unresolved",
            "rotation_period": 'str|None: rotation.rotation_period as written, e.g. "7776000s"'
            " (None = no rotation schedule)",
            "rotation_period_seconds": "int|None: rotation_period in seconds",
            "next_rotation_time": "str|None: rotation.next_rotation_time",
            "replication": '"auto"|"user_managed"|None',
            "customer_managed_encryption": "bool (default False): every replica (or the automatic"
            " replication) names a customer_managed_encryption kms_key_name",
            "kms_key_names": "list[str|Ref] (default []): the CMEK keys named",
            "topics": "list[str|Ref] (default []): Pub/Sub topics notified of rotation and other events",
            "iam_members": "list[{role: str|Unresolved, member: str|Unresolved, condition?: {title, expression}"
            "|Unresolved}] (default []): from google_secret_manager_secret_iam_member and _binding"
            " (condition only where written)",
        },
        terraform=(
            "google_secret_manager_secret",
            "google_secret_manager_secret_iam_member",
            "google_secret_manager_secret_iam_binding",
        ),
    ),
    "gcp.iam.project_binding": TypeSpec(
        "gcp",
        "GCP project IAM grant",  # also folder and organization: one IAM member or binding resource
        attrs={
            "scope": '"project"|"folder"|"organization"',
            "scope_id": "str|Unresolved|None: the project, folder or org id (None = the provider's project)",
            "role": "str|Unresolved",
            "members": "list[str|Unresolved]: members as written (an unresolved list is Unresolved)",
            "authoritative": "bool: an _binding resource (authoritative for the role) rather than _member",
            "condition": "{title: str, expression: str}|None: the IAM condition, if any",
        },
        relations={"grants_to": "gcp.iam.service_account"},
        terraform=(
            "google_project_iam_member",
            "google_project_iam_binding",
            "google_folder_iam_member",
            "google_folder_iam_binding",
            "google_organization_iam_member",
            "google_organization_iam_binding",
        ),
    ),
    "gcp.logging.audit_config": TypeSpec(
        "gcp",
        "GCP project audit log config",  # one service's Data Access / Admin Read log types
        attrs={
            "project": "str|Unresolved|None: None = the provider's project",
            "service": 'str|Unresolved: e.g. "aiplatform.googleapis.com" or "allServices"',
            "log_types": 'list[str]: "ADMIN_READ"|"DATA_READ"|"DATA_WRITE" (an unresolved block is Unresolved)',
            "exempted_members": "dict[str, list[str]]: log type -> members exempted from it",
        },
        terraform=("google_project_iam_audit_config",),
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
            " labels: dict[str,str] (the labels its pods carry: template labels plus those the"
            " controller adds; Service selectors match these),"
            ' service_account: str (default "default"),'
            " automount_service_account_token: bool|None,"
            " host_network, host_pid, host_ipc: bool (default False),"
            " runtime_class_name: str|None, node_selector: dict,"
            " security_context: {run_as_non_root, run_as_user, seccomp_profile},"
            " volumes: list[{name, host_path: str|None, secret: str|None,"
            " config_map: str|None, empty_dir: bool}],"
            " containers: list[Container]}]",
            "Container": "{name, image, storage_uri: str|None (KServe storageUri: the model it loads),"
            ' role: "container"|"init", privileged: bool|None,'
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
            "Notebook (kubeflow.org)",
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
    "k8s.limit_range": TypeSpec(
        "k8s",
        "Kubernetes LimitRange",  # the namespace's admission defaults for containers
        attrs={
            "namespace": 'str (default "default")',
            "default_limits": "dict[str, str|Unresolved]: limits given to a container that sets none (the"
            " Container item's default), e.g. {cpu, memory, nvidia.com/gpu}; {} = none",
            "default_requests": "dict[str,str]: the Container item's defaultRequest",
            "max": "dict[str,str]: the Container item's max",
            "min": "dict[str,str]: the Container item's min",
            "types": 'list[str]: the limit types written ("Container", "Pod", "PersistentVolumeClaim")',
        },
        relations={"limits_for": "k8s.namespace"},
        kubernetes=("LimitRange",),
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
    "k8s.node": TypeSpec(
        "k8s",
        "Kubernetes Node",  # live scans only; uid k8s:<cluster>/_cluster/Node/<name>, region None
        attrs={
            "labels": "dict[str,str]",
            "gpu": "bool: a GPU product label or GPU capacity",
            "gpu_product": "str|None: nvidia.com/gpu.product (GPU Feature Discovery)",
            "gpu_count": "int|None: nvidia.com/gpu.count",
            "mig_strategy": '"none"|"single"|"mixed"|None: nvidia.com/mig.strategy',
            "mig_config": "str|None: nvidia.com/mig.config (the MIG manager's profile)",
            "sharing_strategy": '"none"|"time-slicing"|"mps"|None: nvidia.com/gpu.sharing-strategy',
            "gpu_replicas": "int|None: nvidia.com/gpu.replicas (shares per physical GPU)",
            "device_plugin_config": "str|None: nvidia.com/device-plugin.config (the config key it selects)",
            "gpu_capacity": "dict[str,int]: GPU resources of status.capacity (nvidia.com/gpu, nvidia.com/mig-*)",
            "gpu_allocatable": "dict[str,int]: GPU resources of status.allocatable",
            "gpu_allocated": "int: GPUs held by the running and pending pods placed on it",
            "gpu_namespaces": "list[str]: namespaces of the pods on it that hold GPUs",
            "unschedulable": "bool",
            "taints": "list[{key, value, effect}]",
            "kubelet_version": "str|None",
            "container_runtime_version": "str|None",
            "pods": "list[{namespace, name, workload: uid of the k8s.workload it belongs to, gpus: int,"
            " phase}]: pods bound to it that have not finished",
        },
        relations={"hosts": "k8s.workload"},
        kubernetes=("Node (live only)",),
    ),
    # ---------------------------------------------------------------- Kubernetes RBAC
    # Cluster-scoped objects have the uid k8s:<cluster>/_cluster/<Kind>/<name> and region None;
    # users and groups named as binding subjects get k8s:<cluster>/_cluster/User|Group/<name>.
    "k8s.service_account": TypeSpec(
        "k8s",
        "Kubernetes ServiceAccount",
        attrs={
            "namespace": 'str (default "default")',
            "annotations": "dict[str,str] (scrubbed)",
            "aws_role_arn": "str|Unresolved|None: IRSA, the eks.amazonaws.com/role-arn annotation",
            "gcp_service_account": "str|Unresolved|None: GKE Workload Identity, the"
            " iam.gke.io/gcp-service-account annotation",
            "automount_service_account_token": "bool|Unresolved|None (None = not set: the API token"
            " is mounted unless the pod opts out)",
            "image_pull_secrets": "list[str]",
            "secrets": _SECRETS,
        },
        relations={"assumes_role": "aws.iam.role", "acts_as": "gcp.iam.service_account"},
        kubernetes=("ServiceAccount",),
    ),
    "k8s.role": TypeSpec(
        "k8s",
        "Kubernetes Role",
        attrs={
            "namespace": 'str (default "default")',
            "rules": "list[{api_groups, resources, verbs, resource_names, non_resource_urls: list[str]}]"
            ' (verbs and resources lower-case; "*" kept as written)',
        },
        kubernetes=("Role",),
    ),
    "k8s.cluster_role": TypeSpec(
        "k8s",
        "Kubernetes ClusterRole",
        attrs={
            "rules": "list[{api_groups, resources, verbs, resource_names, non_resource_urls}] as for k8s.role"
            " (of an aggregated role: the rules as written, which the controller replaces)",
            "aggregation_selectors": "list[dict[str,str]]: aggregationRule.clusterRoleSelectors[].matchLabels"
            " ([] = not aggregated)",
            "aggregate_to": 'list[str]: the built-in roles this one adds its rules to ("admin", "edit",'
            ' "view"), from rbac.authorization.k8s.io/aggregate-to-<role>: "true" labels',
        },
        kubernetes=("ClusterRole",),
    ),
    "k8s.role_binding": TypeSpec(
        "k8s",
        "Kubernetes RoleBinding",
        attrs={
            "namespace": 'str (default "default")',
            "role_ref": '{kind: "Role"|"ClusterRole", name: str, api_group: str}',
            "subjects": 'list[{kind: "User"|"Group"|"ServiceAccount", name: str, namespace: str|None'
            " (a ServiceAccount's; defaults to the binding's namespace), uid: str}]",
        },
        relations={
            "binds": "k8s.role|k8s.cluster_role",
            "grants_to": "k8s.service_account (or a user/group uid)",
        },
        kubernetes=("RoleBinding",),
    ),
    "k8s.cluster_role_binding": TypeSpec(
        "k8s",
        "Kubernetes ClusterRoleBinding",
        attrs={
            "role_ref": '{kind: "ClusterRole", name: str, api_group: str}',
            "subjects": "list[{kind, name, namespace, uid}] as for k8s.role_binding",
        },
        relations={"binds": "k8s.cluster_role", "grants_to": "k8s.service_account (or a user/group uid)"},
        kubernetes=("ClusterRoleBinding",),
    ),
    # ---------------------------------------------------------------- Kubernetes network
    "k8s.network_policy": TypeSpec(
        "k8s",
        "Kubernetes NetworkPolicy",
        attrs={
            "namespace": 'str (default "default")',
            "pod_selector": "{match_labels: dict[str,str], match_expressions: list[{key, operator, values}]}",
            "selects_all_pods": "bool: the pod selector is empty",
            "policy_types": 'list["Ingress"|"Egress"] (default ["Ingress"], plus "Egress" when egress rules'
            " are written)",
            "ingress_rules": "int: number of ingress rules (0 = no ingress allowed to the selected pods)",
            "egress_rules": "int",
            "ingress_allows_all": "bool: an ingress rule with no from (every source)",
            "default_deny_ingress": "bool: selects all pods, Ingress in policy_types, no ingress rules",
            "default_deny_egress": "bool: selects all pods, Egress in policy_types, no egress rules",
        },
        kubernetes=("NetworkPolicy",),
    ),
    "k8s.service": TypeSpec(
        "k8s",
        "Kubernetes Service",  # core/v1; a Knative Service is a k8s.workload
        attrs={
            "namespace": 'str (default "default")',
            "service_type": '"ClusterIP"|"NodePort"|"LoadBalancer"|"ExternalName" (default "ClusterIP")',
            "ports": "list[{name: str|None, port, target_port, node_port, protocol (default TCP)}]",
            "selector": "dict[str,str] ({} = selects no pods: endpoints are managed by hand)",
            "annotations": "dict[str,str] (scrubbed)",
            "load_balancer_class": "str|None",
            "internal_load_balancer": "bool: a cloud annotation (or the AWS Load Balancer Controller's"
            " default scheme) makes the load balancer internal",
            "load_balancer_source_ranges": "list[str]",
            "external_ips": "list[str]",
        },
        kubernetes=("Service (v1)",),
    ),
    "k8s.ingress": TypeSpec(
        "k8s",
        "Kubernetes Ingress or Gateway API HTTPRoute",
        attrs={
            "kind": '"Ingress"|"HTTPRoute"',
            "namespace": 'str (default "default")',
            "ingress_class": "str|None: spec.ingressClassName or the kubernetes.io/ingress.class annotation"
            " (for an HTTPRoute: the parentRefs' gateway names)",
            "hosts": 'list[str] ("*" for a rule without host)',
            "tls": "bool: every host is covered by a TLS entry (HTTPRoute: None, TLS is the Gateway's)",
            "backends": "list[str]: Service names routed to",
            "annotations": "dict[str,str] (scrubbed)",
            "auth": "str|None: the controller that authenticates requests, read from annotations"
            " (ingress-nginx auth-url/auth-type, ALB auth-type, Traefik middlewares, ...)",
        },
        kubernetes=("Ingress", "HTTPRoute"),
    ),
    # ---------------------------------------------------------------- Kubernetes GPU software stack
    "k8s.gpu_device_plugin_config": TypeSpec(
        "k8s",
        "NVIDIA device plugin configuration",
        attrs={
            "source_kind": '"ConfigMap"|"DaemonSet": one config key of a plugin ConfigMap (named'
            " <configmap>:<key>), or the plugin DaemonSet's own env and args",
            "namespace": "str",
            "config_key": "str|None",
            "sharing_strategy": '"none"|"time-slicing"|"mps" (default "none")',
            "replicas": "int|Unresolved|None: the most replicas any shared resource is split into",
            "rename_by_default": "bool|None",
            "fail_requests_greater_than_one": "bool|None",
            "mig_strategy": '"none"|"single"|"mixed"|Unresolved|None (None = not set here)',
            "device_list_strategy": "list[str]|Unresolved|None: deviceListStrategy, DEVICE_LIST_STRATEGY or"
            ' --device-list-strategy (default ["envvar"], provenance default; None: a DaemonSet that'
            " reads a config file and sets no flag, so its ConfigMap decides)",
            "accept_envvar_unprivileged": "bool|Unresolved|None: ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED"
            " where the manifest sets it (None = not set here)",
            "uses_config_file": "bool: (DaemonSet) the plugin reads a config file, which then decides",
        },
        relations={"defined_in": "k8s.config_map"},
        kubernetes=("ConfigMap (device plugin config)", "DaemonSet (k8s-device-plugin)"),
    ),
    "k8s.gpu_operator_policy": TypeSpec(
        "k8s",
        "NVIDIA GPU Operator ClusterPolicy",
        attrs={
            "operator_version": "str|None: app.kubernetes.io/version or the helm.sh/chart label",
            "toolkit_enabled": "bool (default True): the operator installs the container toolkit",
            "toolkit_version": "str|Unresolved|None: toolkit.version image tag (None = the operator's default)",
            "device_plugin_config": "{name: str|None, default: str|None}: devicePlugin.config",
            "mig_strategy": '"none"|"single"|"mixed" (default "single")',
            "cdi_enabled": "bool (default False)",
            "cdi_default": "bool (default False)",
            "device_list_strategy": "list[str]: devicePlugin.env DEVICE_LIST_STRATEGY (default"
            ' ["cdi-annotations"] with CDI enabled, else ["envvar"])',
            "accept_envvar_unprivileged": "bool|Unresolved: toolkit.env"
            " ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED (default True)",
        },
        kubernetes=("ClusterPolicy (nvidia.com/v1)",),
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
