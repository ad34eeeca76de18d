"""SageMaker: notebooks, models, endpoint configurations, endpoints, domains."""

from __future__ import annotations

from rules.helpers.roles import execution_role_admin_verdict
from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

NOTEBOOK = "aws.sagemaker.notebook_instance"
LIFECYCLE = "aws.sagemaker.notebook_lifecycle_config"
MODEL = "aws.sagemaker.model"
ENDPOINT_CONFIG = "aws.sagemaker.endpoint_config"
DOMAIN = "aws.sagemaker.domain"


@rule(
    id="sagemaker-notebook-no-direct-internet",
    title="SageMaker notebook instances have no direct internet access",
    severity="high",
    category="network",
    applies_to=[NOTEBOOK],
    description="A notebook with direct internet access can reach and be reached from the internet "
    "outside your VPC controls, so data and credentials can leave without passing any "
    "egress filtering.",
    risk="Exfiltration of training data and of the execution role's credentials.",
    remediation={
        "terraform": 'direct_internet_access = "Disabled"\nsubnet_id = aws_subnet.private.id',
        "cloudformation": "DirectInternetAccess: Disabled\nSubnetId: !Ref PrivateSubnet",
        "cli": "Recreate the notebook with --direct-internet-access Disabled and a private subnet.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html"],
    aliases=["CKV_AWS_122", "sagemaker_notebook_instance_without_direct_internet_access_configured"],
)
def notebook_no_direct_internet(nb: Resource):
    if nb.a.get("direct_internet_access", True):
        return fail("direct internet access is enabled", at="direct_internet_access")
    return ok()


@rule(
    id="sagemaker-notebook-root-access-disabled",
    title="SageMaker notebook instances have root access disabled",
    severity="medium",
    category="iam",
    applies_to=[NOTEBOOK],
    description="With root access every notebook user can change the instance: install software, "
    "read other users' files and tamper with lifecycle protections.",
    risk="A notebook user escalates to root on the instance and persists beyond their session.",
    remediation={
        "terraform": 'root_access = "Disabled"',
        "cloudformation": "RootAccess: Disabled",
        "cli": "aws sagemaker update-notebook-instance --notebook-instance-name NAME --root-access Disabled",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html"],
    aliases=["CKV_AWS_307", "sagemaker_notebook_instance_root_access_disabled"],
)
def notebook_root_access_disabled(nb: Resource):
    if nb.a.get("root_access", True):
        return fail("root access is enabled", at="root_access")
    return ok()


@rule(
    id="sagemaker-notebook-encrypted-with-cmk",
    title="SageMaker notebook instance volumes are encrypted with a customer-managed KMS key",
    severity="medium",
    category="encryption",
    applies_to=[NOTEBOOK],
    description="Without a KmsKeyId the notebook's ML storage volume is encrypted with an AWS-owned key "
    "that you cannot audit, rotate or revoke.",
    risk="No key-level control over who can read notebook data and no way to crypto-shred it.",
    remediation={
        "terraform": "kms_key_id = aws_kms_key.notebook.arn",
        "cloudformation": "KmsKeyId: !GetAtt NotebookKey.Arn",
        "cli": "Recreate the notebook with --kms-key-id KEY_ARN (the key cannot be changed in place).",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest-nbi.html"],
    aliases=["CKV_AWS_22", "sagemaker_notebook_instance_encryption_enabled"],
)
def notebook_encrypted_with_cmk(nb: Resource):
    if not nb.a.get("kms_key_id"):
        return fail("no customer-managed KMS key is set", at="kms_key_id")
    return ok()


@rule(
    id="sagemaker-notebook-in-vpc",
    title="SageMaker notebook instances run in a VPC subnet",
    severity="medium",
    category="network",
    applies_to=[NOTEBOOK],
    description="A notebook without a subnet runs in a SageMaker-managed network, outside your security "
    "groups, VPC endpoints and flow logs.",
    risk="Network controls and monitoring of the VPC do not apply to the notebook.",
    remediation={
        "terraform": "subnet_id       = aws_subnet.private.id\nsecurity_groups = [aws_security_group.nb.id]",
        "cloudformation": "SubnetId: !Ref PrivateSubnet\nSecurityGroupIds: [!Ref NotebookSg]",
        "cli": "Recreate the notebook with --subnet-id and --security-group-ids.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html"],
    aliases=["CKV_AWS_306", "sagemaker_notebook_instance_vpc_settings_configured"],
)
def notebook_in_vpc(nb: Resource):
    if not nb.a.get("subnet_id"):
        return fail("no subnet is set", at="subnet_id")
    return ok()


@rule(
    id="sagemaker-notebook-imdsv2-required",
    title="SageMaker notebook instances require IMDSv2",
    severity="medium",
    category="iam",
    applies_to=[NOTEBOOK],
    description="IMDSv1 answers plain GET requests, so any server-side request forgery in code running "
    "on the notebook can read the execution role's credentials.",
    risk="Theft of the notebook execution role's temporary credentials through SSRF.",
    remediation={
        "terraform": 'instance_metadata_service_configuration {\n  minimum_instance_metadata_service_version = "2"\n}',
        "cloudformation": 'InstanceMetadataServiceConfiguration:\n  MinimumInstanceMetadataServiceVersion: "2"',
        "cli": "aws sagemaker update-notebook-instance --notebook-instance-name NAME "
        "--instance-metadata-service-configuration MinimumInstanceMetadataServiceVersion=2",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InstanceMetadataServiceConfiguration.html"
    ],
    aliases=["CKV_AWS_371"],
)
def notebook_imdsv2_required(nb: Resource):
    if str(nb.a.get("imds_min_version", "1")) != "2":
        return fail("IMDSv1 is allowed", at="imds_min_version")
    return ok()


@rule(
    id="sagemaker-execution-role-not-admin",
    title="SageMaker notebook and model execution roles do not grant administrator access",
    severity="high",
    category="iam",
    applies_to=[NOTEBOOK, MODEL],
    description="Code in a notebook or model container runs with the execution role's credentials. A role "
    "with AdministratorAccess or a wildcard policy hands the whole account to that code.",
    risk="Anyone who runs code in the notebook or container (or a malicious model) controls the account.",
    remediation={
        "terraform": "Attach a least-privilege policy to the role instead of AdministratorAccess or "
        '"Action": "*" on "Resource": "*".',
        "cloudformation": "Replace arn:aws:iam::aws:policy/AdministratorAccess in ManagedPolicyArns with a "
        "scoped policy.",
        "cli": "aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ],
    aliases=["CKV2_AWS_68"],
)
def execution_role_not_admin(r: Resource, inv):
    return execution_role_admin_verdict(r, inv, "role_arn" if r.type == NOTEBOOK else "execution_role_arn")


@rule(
    id="sagemaker-lifecycle-config-no-secrets",
    title="SageMaker notebook lifecycle configurations contain no hard-coded secrets",
    severity="high",
    category="secrets",
    applies_to=[LIFECYCLE],
    description="Lifecycle scripts are readable by anyone with sagemaker:DescribeNotebookInstanceLifecycleConfig "
    "and are kept in templates and state; a token written in them is exposed.",
    risk="Leaked API keys or cloud credentials from the script.",
    remediation={
        "terraform": "Read the secret at run time: aws secretsmanager get-secret-value --secret-id NAME",
        "cloudformation": "Read the secret at run time from Secrets Manager instead of writing it in OnStart.",
        "cli": "Rotate the exposed secret, then update the lifecycle configuration without it.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html"],
    aliases=["sagemaker_notebook_instance_no_secrets"],
)
def lifecycle_config_no_secrets(lc: Resource):
    return secret_verdicts(lc, "on_create", "on_start")


@rule(
    id="sagemaker-model-network-isolation",
    title="SageMaker models run with network isolation enabled",
    severity="high",
    category="network",
    applies_to=[MODEL],
    description="Without network isolation the inference container can make outbound calls, so a "
    "malicious or compromised model can exfiltrate inputs or fetch payloads.",
    risk="Exfiltration of inference data and model artefacts from the container.",
    remediation={
        "terraform": "enable_network_isolation = true",
        "cloudformation": "EnableNetworkIsolation: true",
        "cli": "Create a new model with --enable-network-isolation and update the endpoint to use it.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html"],
    aliases=["CKV_AWS_370", "sagemaker_models_network_isolation_enabled"],
)
def model_network_isolation(m: Resource):
    if not m.a.get("enable_network_isolation", False):
        return fail("network isolation is disabled", at="enable_network_isolation")
    return ok()


@rule(
    id="sagemaker-model-in-vpc",
    title="SageMaker models run in a VPC",
    severity="medium",
    category="network",
    applies_to=[MODEL],
    description="A model without a VPC configuration reaches the network from SageMaker's own VPC, "
    "outside your security groups and VPC endpoints.",
    risk="Container traffic escapes the network controls and monitoring of your VPC.",
    remediation={
        "terraform": "vpc_config {\n  subnets            = [aws_subnet.private.id]\n"
        "  security_group_ids = [aws_security_group.model.id]\n}",
        "cloudformation": "VpcConfig:\n  Subnets: [!Ref PrivateSubnet]\n  SecurityGroupIds: [!Ref ModelSg]",
        "cli": "Create a new model with --vpc-config Subnets=...,SecurityGroupIds=...",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html"],
    aliases=["sagemaker_models_vpc_settings_configured"],
)
def model_in_vpc(m: Resource):
    vpc = m.a.get("vpc_config")
    if not vpc or not vpc.get("subnet_ids"):
        return fail("no VPC configuration is set", at="vpc_config")
    return ok()


@rule(
    id="sagemaker-model-env-no-secrets",
    title="SageMaker model container environments contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[MODEL],
    description="Container environment variables are returned in clear text by DescribeModel and kept in "
    "templates and state; a token in them is readable by anyone who can read either.",
    risk="Leaked model-hub tokens, API keys or cloud credentials.",
    remediation={
        "terraform": "Store the secret in Secrets Manager and read it in the container at start-up.",
        "cloudformation": "Store the secret in Secrets Manager and read it in the container at start-up.",
        "cli": "Rotate the exposed secret, then create a new model without it in Environment.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ContainerDefinition.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",
    ],
)
def model_env_no_secrets(m: Resource):
    return secret_verdicts(m, "containers")


@rule(
    id="sagemaker-endpoint-config-encrypted-with-cmk",
    title="SageMaker endpoint configurations encrypt storage with a customer-managed KMS key",
    severity="medium",
    category="encryption",
    applies_to=[ENDPOINT_CONFIG],
    description="Without KmsKeyId the ML storage volumes attached to endpoint instances are encrypted "
    "with an AWS-owned key you cannot control or audit.",
    risk="No key-level control over model and inference data at rest.",
    remediation={
        "terraform": "kms_key_arn = aws_kms_key.endpoint.arn",
        "cloudformation": "KmsKeyId: !Ref EndpointKey",
        "cli": "Create a new endpoint configuration with --kms-key-id and update the endpoint to it.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html"],
    aliases=["CKV_AWS_98", "sagemaker_endpoint_config_kms_encryption_enabled"],
)
def endpoint_config_cmk(ec: Resource):
    if not ec.a.get("kms_key_id"):
        return fail("no customer-managed KMS key is set", at="kms_key_id")
    return ok()


@rule(
    id="sagemaker-endpoint-config-data-capture-enabled",
    title="SageMaker endpoint configurations capture inference requests and responses",
    severity="low",
    category="logging",
    applies_to=[ENDPOINT_CONFIG],
    description="CloudTrail does not record InvokeEndpoint calls; data capture is the only record of "
    "what was sent to a model and what it answered.",
    risk="Abuse of the model (extraction, prompt injection, data leakage) leaves no trace.",
    remediation={
        "terraform": "data_capture_config {\n  enable_capture = true\n  initial_sampling_percentage = 100\n"
        '  destination_s3_uri = "s3://bucket/capture"\n'
        '  capture_options { capture_mode = "Input" }\n'
        '  capture_options { capture_mode = "Output" }\n}',
        "cloudformation": "DataCaptureConfig:\n  EnableCapture: true\n  InitialSamplingPercentage: 100\n"
        "  DestinationS3Uri: s3://bucket/capture\n"
        "  CaptureOptions: [{CaptureMode: Input}, {CaptureMode: Output}]",
        "cli": "Create a new endpoint configuration with --data-capture-config and update the endpoint.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture.html"],
)
def endpoint_config_data_capture(ec: Resource):
    dc = ec.a.get("data_capture")
    if not dc or not dc.get("enabled", False):
        return fail("data capture is not enabled", at="data_capture.enabled" if dc else "data_capture")
    return ok()


@rule(
    id="sagemaker-domain-vpc-only",
    title="SageMaker Studio domains route traffic through the VPC only",
    severity="high",
    category="network",
    applies_to=[DOMAIN],
    description="With PublicInternetOnly, Studio apps get internet access from SageMaker's network, "
    "bypassing the VPC's security groups, endpoints and egress filtering.",
    risk="Data exfiltration and payload download from Studio notebooks outside network controls.",
    remediation={
        "terraform": 'app_network_access_type = "VpcOnly"',
        "cloudformation": "AppNetworkAccessType: VpcOnly",
        "cli": "aws sagemaker update-domain --domain-id ID --app-network-access-type VpcOnly",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html"],
)
def domain_vpc_only(d: Resource):
    if d.a.get("app_network_access_type", "PublicInternetOnly") != "VpcOnly":
        return fail("apps have direct internet access", at="app_network_access_type")
    return ok()


@rule(
    id="sagemaker-domain-encrypted-with-cmk",
    title="SageMaker Studio domains encrypt their storage with a customer-managed KMS key",
    severity="medium",
    category="encryption",
    applies_to=[DOMAIN],
    description="Without KmsKeyId the domain's EFS volume (every user's home directory) is encrypted "
    "with an AWS-managed key you cannot restrict.",
    risk="No key-level control over notebooks, data and credentials in users' home directories.",
    remediation={
        "terraform": "kms_key_id = aws_kms_key.studio.arn",
        "cloudformation": "KmsKeyId: !Ref StudioKey",
        "cli": "Recreate the domain with --kms-key-id (it cannot be changed in place).",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html"],
    aliases=["CKV_AWS_187"],
)
def domain_cmk(d: Resource):
    if not d.a.get("kms_key_id"):
        return fail("no customer-managed KMS key is set", at="kms_key_id")
    return ok()
