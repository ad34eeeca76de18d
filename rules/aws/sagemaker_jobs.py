"""SageMaker jobs: training, processing and transform jobs declared in pipeline definitions
and Step Functions state machines, and Model Monitor data-quality job definitions."""

from __future__ import annotations

from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

TRAINING = "aws.sagemaker.training_job"
PROCESSING = "aws.sagemaker.processing_job"
TRANSFORM = "aws.sagemaker.transform_job"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"


@rule(
    id="sagemaker-training-job-network-isolation",
    title="SageMaker training jobs run with network isolation",
    severity="high",
    category="isolation",
    applies_to=[TRAINING],
    description="Without EnableNetworkIsolation the training container can make outbound calls: "
    "training code, a dependency or a poisoned dataset can send data and credentials anywhere.",
    risk="Exfiltration of training data or model artefacts by code running in the training container.",
    remediation={
        "terraform": '"EnableNetworkIsolation": true in the step Arguments of pipeline_definition '
        "(or the Parameters of the state machine task)",
        "cloudformation": '"EnableNetworkIsolation": true in the step Arguments of PipelineDefinitionBody '
        "(or the Parameters of the state machine task)",
        "cli": "aws sagemaker create-training-job ... --enable-network-isolation",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html"],
    aliases=["sagemaker_training_jobs_network_isolation_enabled"],
)
def training_network_isolation(job: Resource):
    if not job.a.get("enable_network_isolation", False):
        return fail("network isolation is not enabled", at="enable_network_isolation")
    return ok()


@rule(
    id="sagemaker-training-job-in-vpc",
    title="SageMaker training jobs run in a VPC",
    severity="high",
    category="network",
    applies_to=[TRAINING],
    description="A training job without VpcConfig runs in SageMaker's own network, outside your "
    "security groups, VPC endpoints and flow logs.",
    risk="Training traffic escapes the network controls and monitoring of your VPC.",
    remediation={
        "terraform": '"VpcConfig": {"Subnets": [...], "SecurityGroupIds": [...]} in the step Arguments',
        "cloudformation": '"VpcConfig": {"Subnets": [...], "SecurityGroupIds": [...]} in the step Arguments',
        "cli": "aws sagemaker create-training-job ... --vpc-config Subnets=...,SecurityGroupIds=...",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html"],
    aliases=["sagemaker_training_jobs_vpc_settings_configured"],
)
def training_in_vpc(job: Resource):
    vpc = job.a.get("vpc_config")
    if not vpc or not vpc.get("subnet_ids"):
        return fail("no VPC configuration is set", at="vpc_config")
    return ok()


@rule(
    id="sagemaker-training-job-intercontainer-encryption",
    title="SageMaker training jobs encrypt traffic between training containers",
    severity="medium",
    category="encryption",
    applies_to=[TRAINING],
    description="Distributed training exchanges gradients and parameters between instances; without "
    "EnableInterContainerTrafficEncryption that traffic is sent in clear.",
    risk="Model parameters and training data readable on the network between training instances.",
    remediation={
        "terraform": '"EnableInterContainerTrafficEncryption": true in the step Arguments',
        "cloudformation": '"EnableInterContainerTrafficEncryption": true in the step Arguments',
        "cli": "aws sagemaker create-training-job ... --enable-inter-container-traffic-encryption",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html"],
    aliases=["sagemaker_training_jobs_intercontainer_encryption_enabled"],
)
def training_intercontainer_encryption(job: Resource):
    if not job.a.get("enable_inter_container_traffic_encryption", False):
        return fail(
            "inter-container traffic encryption is not enabled",
            at="enable_inter_container_traffic_encryption",
        )
    return ok()


@rule(
    id="sagemaker-training-job-volume-and-output-encrypted",
    title="SageMaker training jobs encrypt their volumes and output with customer-managed KMS keys",
    severity="high",
    category="encryption",
    applies_to=[TRAINING],
    description="Without ResourceConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId the training "
    "volumes and the model artefacts in S3 are encrypted with keys you cannot audit, rotate or revoke.",
    risk="No key-level control over training data at rest and over the trained model.",
    remediation={
        "terraform": '"ResourceConfig": {"VolumeKmsKeyId": "<key arn>", ...}, '
        '"OutputDataConfig": {"KmsKeyId": "<key arn>", ...} in the step Arguments',
        "cloudformation": '"ResourceConfig": {"VolumeKmsKeyId": "<key arn>", ...}, '
        '"OutputDataConfig": {"KmsKeyId": "<key arn>", ...} in the step Arguments',
        "cli": "aws sagemaker create-training-job ... --resource-config VolumeKmsKeyId=... "
        "--output-data-config KmsKeyId=...",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html"],
    aliases=["sagemaker_training_jobs_volume_and_output_encryption_enabled"],
)
def training_volume_and_output_encrypted(job: Resource):
    out = []
    if not job.a.get("volume_kms_key_id"):
        out.append(fail("the training volume has no KMS key", at="volume_kms_key_id"))
    if not job.a.get("output_kms_key_id"):
        out.append(fail("the training output has no KMS key", at="output_kms_key_id"))
    return out or ok()


@rule(
    id="sagemaker-job-no-secrets",
    title="SageMaker job environments and hyperparameters contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[TRAINING, PROCESSING, TRANSFORM],
    description="Environment variables and hyperparameters of a job are returned in clear text by the "
    "Describe*Job APIs, kept in the pipeline or state machine definition and shown in the console.",
    risk="Leaked model-hub tokens, API keys or cloud credentials.",
    remediation={
        "terraform": "Store the secret in Secrets Manager and read it in the job at start-up.",
        "cloudformation": "Store the secret in Secrets Manager and read it in the job at start-up.",
        "cli": "Rotate the exposed secret, then update the pipeline definition without it.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",
    ],
)
def job_no_secrets(job: Resource):
    prefixes = ["environment", "hyperparameters"] if job.type == TRAINING else ["environment"]
    return secret_verdicts(job, *prefixes)


@rule(
    id="sagemaker-data-quality-job-encrypted",
    title="SageMaker data-quality job definitions encrypt output and volumes with KMS keys",
    severity="medium",
    category="encryption",
    applies_to=[DATA_QUALITY],
    description="A Model Monitor data-quality job reads captured inference data; without KMS keys for "
    "its output and its processing volume that data is kept under keys you do not control.",
    risk="No key-level control over captured inference data and monitoring reports at rest.",
    remediation={
        "terraform": "data_quality_job_output_config { kms_key_id = aws_kms_key.k.arn }\n"
        "job_resources { cluster_config { volume_kms_key_id = aws_kms_key.k.arn } }",
        "cloudformation": "DataQualityJobOutputConfig:\n  KmsKeyId: !GetAtt Key.Arn\n"
        "JobResources:\n  ClusterConfig:\n    VolumeKmsKeyId: !GetAtt Key.Arn",
        "cli": "Recreate the job definition with KmsKeyId and VolumeKmsKeyId set.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDataQualityJobDefinition.html"
    ],
    aliases=["CKV_AWS_367", "CKV_AWS_368"],
)
def data_quality_encrypted(d: Resource):
    out = []
    if not d.a.get("output_kms_key_id"):
        out.append(fail("the job output has no KMS key", at="output_kms_key_id"))
    if not d.a.get("volume_kms_key_id"):
        out.append(fail("the job volume has no KMS key", at="volume_kms_key_id"))
    return out or ok()


@rule(
    id="sagemaker-data-quality-job-intercontainer-encryption",
    title="SageMaker data-quality job definitions encrypt traffic between containers",
    severity="medium",
    category="encryption",
    applies_to=[DATA_QUALITY],
    description="Without EnableInterContainerTrafficEncryption the monitoring job's instances exchange "
    "captured inference data in clear.",
    risk="Captured inference data readable on the network between monitoring instances.",
    remediation={
        "terraform": "network_config { enable_inter_container_traffic_encryption = true }",
        "cloudformation": "NetworkConfig:\n  EnableInterContainerTrafficEncryption: true",
        "cli": "Recreate the job definition with NetworkConfig EnableInterContainerTrafficEncryption=true.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDataQualityJobDefinition.html"
    ],
    aliases=["CKV_AWS_369"],
)
def data_quality_intercontainer(d: Resource):
    if not d.a.get("enable_inter_container_traffic_encryption", False):
        return fail(
            "inter-container traffic encryption is not enabled",
            at="enable_inter_container_traffic_encryption",
        )
    return ok()
