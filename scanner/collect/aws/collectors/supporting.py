"""KMS keys (customer managed), ECR repositories, CloudWatch log groups of ML services,
CloudTrail trails (home region only, with event selectors), Secrets Manager metadata and
resource policies (no values are ever read), VPC endpoints, and the security groups ML
resources use. A policy, rotation status or selector list whose call failed is `Unread`."""

from __future__ import annotations

from scanner.normalize.aws import pick

from ..context import Ctx

# Log groups ML services write to: a full listing can run to hundreds of thousands.
# SageMaker writes under /aws/sagemaker/ (endpoints, jobs, notebooks, Studio), Bedrock under
# /aws/bedrock (agents, knowledge bases; invocation logging names its own group), API
# Gateway's execution logs under API-Gateway-Execution-Logs_<api>/<stage>, Batch GPU jobs
# under /aws/batch/, Lambda@Edge under /aws/lambda/<region>.<name>.
LOG_PREFIXES = (
    "/aws/lambda/",
    "/aws/sagemaker/",
    "/aws/bedrock",
    "/aws/apigateway/",
    "API-Gateway-Execution-Logs_",
    "/aws/batch/",
)


def collect_kms(ctx: Ctx) -> None:
    aliases: dict[str, list[str]] = {}
    for a in ctx.attempt("KMS aliases", lambda: list(ctx.pages("kms", "ListAliases", "Aliases"))) or []:
        if a.get("TargetKeyId"):
            aliases.setdefault(a["TargetKeyId"], []).append(a.get("AliasArn") or a["AliasName"])
    keys = [k["KeyId"] for k in ctx.pages("kms", "ListKeys", "Keys", what="KMS keys")]
    for got in ctx.map(lambda kid: _kms_key(ctx, kid), keys):
        if got:
            m, extra = got
            ctx.emit("kms.key", m, aliases=aliases.get(m["KeyId"], []), **extra)


def _kms_key(ctx: Ctx, kid: str):
    meta = ctx.attempt(f"KMS key {kid}", ctx.call, "kms", "DescribeKey", KeyId=kid)
    m = (meta or {}).get("KeyMetadata")
    if not m or m.get("KeyManager") == "AWS":
        return None
    rot = None
    if m.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and m.get("KeyState") == "Enabled":
        got = ctx.read(
            f"rotation status of KMS key {kid}", ctx.call, "kms", "GetKeyRotationStatus", KeyId=kid
        )
        rot = pick(got, "KeyRotationEnabled")
    pol = ctx.read(
        f"key policy of KMS key {kid}", ctx.call, "kms", "GetKeyPolicy", KeyId=kid, PolicyName="default"
    )
    return m, {"rotation": rot, "policy": pick(pol, "Policy")}


def collect_ecr(ctx: Ctx) -> None:
    repos = list(ctx.pages("ecr", "DescribeRepositories", "repositories", what="ECR repositories"))
    for r, pol in zip(repos, ctx.map(lambda r: _ecr_policy(ctx, r), repos), strict=True):
        ctx.emit("ecr.repository", r, policy=pick(pol, "policyText"))


def _ecr_policy(ctx: Ctx, r: dict):
    return ctx.read(
        f"policy of ECR repository {r['repositoryName']}",
        ctx.call,
        "ecr",
        "GetRepositoryPolicy",
        missing=("RepositoryPolicyNotFoundException",),
        repositoryName=r["repositoryName"],
    )


def collect_logs(ctx: Ctx) -> None:
    for prefix in LOG_PREFIXES:
        for g in ctx.pages(
            "logs",
            "DescribeLogGroups",
            "logGroups",
            what=f"log groups under {prefix}",
            logGroupNamePrefix=prefix,
        ):
            ctx.emit("logs.log_group", g)


def collect_cloudtrail(ctx: Ctx) -> None:
    for t in (ctx.call("cloudtrail", "DescribeTrails", includeShadowTrails=False) or {}).get(
        "trailList"
    ) or []:
        sel = ctx.read(
            f"event selectors of CloudTrail trail {t['Name']}",
            ctx.call,
            "cloudtrail",
            "GetEventSelectors",
            TrailName=t["TrailARN"],
        )
        ctx.emit("cloudtrail.trail", t, selectors=sel or {})


def collect_secrets(ctx: Ctx) -> None:
    secrets = list(ctx.pages("secretsmanager", "ListSecrets", "SecretList", what="Secrets Manager secrets"))
    for s, pol in zip(secrets, ctx.map(lambda s: _secret_policy(ctx, s), secrets), strict=True):
        ctx.emit("secretsmanager.secret", s, policy=pick(pol, "ResourcePolicy"))


def _secret_policy(ctx: Ctx, s: dict):
    """The secret's resource policy: an answer without ResourcePolicy means none is attached;
    a failed call is `Unread`. The secret's value is never read."""
    return ctx.read(
        f"resource policy of Secrets Manager secret {s['Name']}",
        ctx.call,
        "secretsmanager",
        "GetResourcePolicy",
        missing=("ResourceNotFoundException",),
        SecretId=s["ARN"],
    )


def collect_sqs(ctx: Ctx) -> None:
    """Each queue with its attributes (ARN, policy); messages are never read."""
    urls = list(ctx.pages("sqs", "ListQueues", "QueueUrls", what="SQS queues"))
    missing = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
    _with_attributes(ctx, "sqs.queue", "SQS queue", "QueueUrl", urls, missing, AttributeNames=["All"])


def collect_sns(ctx: Ctx) -> None:
    """Each topic with its attributes (policy); nothing is published or read."""
    arns = [t["TopicArn"] for t in ctx.pages("sns", "ListTopics", "Topics", what="SNS topics")]
    _with_attributes(ctx, "sns.topic", "SNS topic", "TopicArn", arns, ("NotFound", "NotFoundException"))


def _with_attributes(ctx: Ctx, kind: str, noun: str, key: str, ids: list[str], missing, **params) -> None:
    """Emit each of `ids` with the `Attributes` of its Get<...>Attributes call (`Unread` when
    the call failed, so a policy not read is never taken for none)."""
    service, op = ("sqs", "GetQueueAttributes") if kind == "sqs.queue" else ("sns", "GetTopicAttributes")

    def read(i: str):
        return ctx.read(
            f"attributes of {noun} {i}", ctx.call, service, op, missing=missing, **{key: i}, **params
        )

    for i, got in zip(ids, ctx.map(read, ids), strict=True):
        ctx.emit(kind, {key: i}, attributes=pick(got, "Attributes"))


def collect_vpc_endpoints(ctx: Ctx) -> None:
    for e in ctx.pages("ec2", "DescribeVpcEndpoints", "VpcEndpoints"):
        ctx.emit("ec2.vpc_endpoint", e)


def collect_security_groups(ctx: Ctx, ids: list[str]) -> None:
    for i in range(0, len(ids), 200):
        chunk = ids[i : i + 200]
        for g in ctx.pages(
            "ec2", "DescribeSecurityGroups", "SecurityGroups", Filters=[{"Name": "group-id", "Values": chunk}]
        ):
            ctx.emit("ec2.security_group", g)
