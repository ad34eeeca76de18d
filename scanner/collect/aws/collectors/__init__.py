"""One collector per service: each reads with `Ctx.call`/`Ctx.pages` and emits `Raw`
records in the API's own shapes for `scanner.normalize.aws`. Regional collectors run once
per account and region, global ones (IAM) once per account; S3 buckets and security groups
run after the others, on what ML resources reference."""

from __future__ import annotations

from . import apigateway, bedrock, iam, lambda_, organizations, s3, sagemaker, supporting

# service key -> (collector, global?)
REGIONAL = {
    "sagemaker": sagemaker.collect,
    "lambda": lambda_.collect,
    "bedrock": bedrock.collect,
    "kms": supporting.collect_kms,
    "ecr": supporting.collect_ecr,
    "logs": supporting.collect_logs,
    "cloudtrail": supporting.collect_cloudtrail,
    "secretsmanager": supporting.collect_secrets,
    "sqs": supporting.collect_sqs,
    "sns": supporting.collect_sns,
    "vpc-endpoints": supporting.collect_vpc_endpoints,
    "apigateway": apigateway.collect,
}
GLOBAL = {"iam": iam.collect, "organizations": organizations.collect}
SECOND_PASS = ("s3", "security-groups")
SERVICES = (*GLOBAL, *REGIONAL, *SECOND_PASS)

# the boto3 service whose regions bound where a service key runs
ENDPOINT_SERVICE = {
    "vpc-endpoints": "ec2",
    "security-groups": "ec2",
    "bedrock": "bedrock",
}

__all__ = ["GLOBAL", "REGIONAL", "SECOND_PASS", "SERVICES", "s3", "supporting"]
