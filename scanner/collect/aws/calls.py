"""Every AWS API call the collectors may make, declared once. The context refuses a call
that is not declared here, `docs/aws-permissions.json` is generated from this list, and
the read-only test checks recorded calls against it: one source of truth."""

from __future__ import annotations

import json

# boto3 service name -> IAM action prefix, where they differ
_PREFIX = {"bedrock-agent": "bedrock", "apigatewayv2": "apigateway"}

# IAM actions that are not "<prefix>:<Operation>"
_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketLogging"): "s3:GetBucketLogging",
}

# Calls that do not start with List/Describe/Get but read nothing and change nothing:
# assuming the scan role into each account (--org-role) is how a multi-account scan starts.
READ_ONLY_EXCEPTIONS = {("sts", "AssumeRole")}
READ_ONLY_PREFIXES = ("List", "Describe", "Get")

DECLARED: dict[str, tuple[str, ...]] = {
    "sts": ("GetCallerIdentity", "AssumeRole"),
    "organizations": (
        "ListAccounts",
        "ListPolicies",
        "DescribePolicy",
        "ListTargetsForPolicy",
        "ListRoots",
        "ListOrganizationalUnitsForParent",
        "ListAccountsForParent",
    ),
    "ec2": ("DescribeRegions", "DescribeSecurityGroups", "DescribeVpcEndpoints"),
    "iam": ("GetAccountAuthorizationDetails", "ListAccessKeys"),
    "s3": (
        "ListBuckets",
        "GetBucketLocation",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetPublicAccessBlock",
        "GetBucketEncryption",
        "GetBucketVersioning",
        "GetBucketLogging",
        "GetBucketTagging",
    ),
    "lambda": (
        "ListFunctions",
        "GetFunction",
        "GetFunctionUrlConfig",
        "GetPolicy",
        "GetFunctionConcurrency",
        "GetFunctionCodeSigningConfig",
        "ListLayers",
        "ListLayerVersions",
        "GetLayerVersionPolicy",
        "ListEventSourceMappings",
        "ListTags",
    ),
    "sagemaker": (
        "ListNotebookInstances",
        "DescribeNotebookInstance",
        "ListNotebookInstanceLifecycleConfigs",
        "DescribeNotebookInstanceLifecycleConfig",
        "ListModels",
        "DescribeModel",
        "ListEndpointConfigs",
        "DescribeEndpointConfig",
        "ListEndpoints",
        "DescribeEndpoint",
        "ListDomains",
        "DescribeDomain",
        "ListUserProfiles",
        "DescribeUserProfile",
        "ListSpaces",
        "DescribeSpace",
        "ListTrainingJobs",
        "DescribeTrainingJob",
        "ListProcessingJobs",
        "DescribeProcessingJob",
        "ListTransformJobs",
        "DescribeTransformJob",
        "ListHyperParameterTuningJobs",
        "DescribeHyperParameterTuningJob",
        "ListPipelines",
        "DescribePipeline",
        "ListModelPackageGroups",
        "DescribeModelPackageGroup",
        "GetModelPackageGroupPolicy",
        "ListModelPackages",
        "DescribeModelPackage",
        "ListFeatureGroups",
        "DescribeFeatureGroup",
        "ListMonitoringSchedules",
        "DescribeMonitoringSchedule",
        "ListDataQualityJobDefinitions",
        "DescribeDataQualityJobDefinition",
        "ListCodeRepositories",
        "DescribeCodeRepository",
        "ListTags",
    ),
    "application-autoscaling": ("DescribeScalableTargets",),
    "bedrock": (
        "ListGuardrails",
        "GetGuardrail",
        "GetModelInvocationLoggingConfiguration",
        "ListCustomModels",
        "GetCustomModel",
        "GetModelCustomizationJob",
    ),
    "bedrock-agent": (
        "ListAgents",
        "GetAgent",
        "ListAgentActionGroups",
        "GetAgentActionGroup",
        "ListKnowledgeBases",
        "GetKnowledgeBase",
    ),
    "kms": ("ListKeys", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListAliases"),
    "ecr": ("DescribeRepositories", "GetRepositoryPolicy"),
    "logs": ("DescribeLogGroups",),
    "cloudtrail": ("DescribeTrails", "GetEventSelectors"),
    "secretsmanager": ("ListSecrets", "GetResourcePolicy"),
    # queues and topics: their policies, for the privilege graph (who may send, subscribe)
    "sqs": ("ListQueues", "GetQueueAttributes"),
    "sns": ("ListTopics", "GetTopicAttributes"),
    "apigateway": ("GetRestApis", "GetResources"),
    "apigatewayv2": ("GetApis", "GetRoutes", "GetIntegrations"),
}

_DECLARED_SET = {(s, op) for s, ops in DECLARED.items() for op in ops}


def is_declared(service: str, op: str) -> bool:
    return (service, op) in _DECLARED_SET


def is_read_only(service: str, op: str) -> bool:
    return op.startswith(READ_ONLY_PREFIXES) or (service, op) in READ_ONLY_EXCEPTIONS


def iam_action(service: str, op: str) -> str:
    """The IAM permission a call needs (API Gateway's management API is authorized per HTTP
    verb on resource paths: every read is apigateway:GET)."""
    if service in ("apigateway", "apigatewayv2"):
        return "apigateway:GET"
    return _ACTION.get((service, op), f"{_PREFIX.get(service, service)}:{op}")


def required_actions() -> list[str]:
    return sorted({iam_action(s, op) for s, op in _DECLARED_SET})


def permissions_policy() -> dict:
    """The minimal read-only IAM policy a scan needs (docs/aws-permissions.json)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "MlpostureReadOnlyScan",
                "Effect": "Allow",
                "Action": required_actions(),
                "Resource": "*",
            }
        ],
    }


def permissions_json() -> str:
    return json.dumps(permissions_policy(), indent=2) + "\n"
