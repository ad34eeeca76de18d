"""Availability of AWS ML serving: SageMaker endpoint capacity and Lambda failure handling."""

from __future__ import annotations

from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, UnresolvedAccess

ENDPOINT_CONFIG = "aws.sagemaker.endpoint_config"
FUNCTION = "aws.lambda.function"


@rule(
    id="sagemaker-endpoint-config-multi-instance",
    title="SageMaker endpoint production variants run at least two instances",
    severity="medium",
    category="availability",
    applies_to=[ENDPOINT_CONFIG],
    description="SageMaker spreads a variant's instances over Availability Zones only when there is more "
    "than one; a single-instance variant is down during an instance failure, an AZ outage or "
    "a patch. Serverless variants are exempt.",
    risk="Inference outage on a single instance or Availability Zone failure.",
    remediation={
        "terraform": "production_variants {\n  initial_instance_count = 2\n}",
        "cloudformation": "ProductionVariants:\n  - InitialInstanceCount: 2",
        "cli": "Create an endpoint configuration with InitialInstanceCount >= 2 and update the endpoint.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/best-practices.html",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html",
    ],
    aliases=["sagemaker_endpoint_config_prod_variant_instances"],
)
def endpoint_config_multi_instance(ec: Resource):
    out = []
    for i, v in enumerate(ec.a.get("production_variants", [])):
        path = f"production_variants[{i}].initial_instance_count"
        try:
            if v.get("serverless"):
                continue
            count = v.get("initial_instance_count")
        except UnresolvedAccess as e:
            out.append(unknown(f"{e.path} is unresolved ({e.expr})", e.path))
            continue
        if count is None or count < 2:
            name = v.raw("variant_name")
            label = f'variant "{name}"' if isinstance(name, str) else f"variant {i}"
            out.append(fail(f"{label} runs {count or 1} instance", at=path, value=count))
    return out or ok()


@rule(
    id="lambda-function-dead-letter-queue",
    title="Lambda functions have a dead-letter queue",
    severity="low",
    category="availability",
    applies_to=[FUNCTION],
    description="Asynchronous invocations (S3 events, SNS, EventBridge: typical of batch inference and "
    "pipeline steps) that fail after retries are dropped unless a dead-letter queue or an "
    "on-failure destination keeps them.",
    risk="Silently lost inference requests or pipeline events.",
    remediation={
        "terraform": "dead_letter_config {\n  target_arn = aws_sqs_queue.dlq.arn\n}",
        "cloudformation": "DeadLetterConfig:\n  TargetArn: !GetAtt Dlq.Arn",
        "cli": "aws lambda update-function-configuration --function-name NAME "
        "--dead-letter-config TargetArn=QUEUE_ARN",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"],
    aliases=["CKV_AWS_116"],
)
def lambda_dead_letter_queue(fn: Resource):
    if not fn.a.get("dead_letter_target_arn"):
        return fail("no dead-letter queue is configured", at="dead_letter_target_arn")
    return ok()


@rule(
    id="lambda-function-reserved-concurrency",
    title="Lambda functions have reserved concurrency",
    severity="low",
    category="availability",
    applies_to=[FUNCTION],
    description="Without reserved concurrency a function competes for the account's shared concurrency: "
    "a flood of requests to one model function can throttle every other function, and nothing "
    "caps how far a public inference function scales (and bills).",
    risk="Account-wide throttling or runaway cost from one function's traffic.",
    remediation={
        "terraform": "reserved_concurrent_executions = 50",
        "cloudformation": "ReservedConcurrentExecutions: 50",
        "cli": "aws lambda put-function-concurrency --function-name NAME --reserved-concurrent-executions 50",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"],
    aliases=["CKV_AWS_115"],
)
def lambda_reserved_concurrency(fn: Resource):
    if fn.a.get("reserved_concurrency") is None:
        return fail("no reserved concurrency is set", at="reserved_concurrency")
    return ok()
