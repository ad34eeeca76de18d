"""The AWS SAM transform, statically: `Globals.Function` merged into each
`AWS::Serverless::Function`, the execution role SAM generates when `Role` is absent (with
the policies SAM attaches), and the function URL and its public permission."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collect.iac.yaml_loader import LineDict, LineList
from scanner.model.resource import Ref, Unresolved

from .builder import MISSING, Builder, dig, to_str
from .iam import LAMBDA_TRUST, POLICY, policy_doc
from .intrinsics import is_intrinsic

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_FUNCTION = "AWS::Serverless::Function"

_AWS_MANAGED = "arn:aws:iam::aws:policy/"
BASIC_EXECUTION = _AWS_MANAGED + "service-role/AWSLambdaBasicExecutionRole"
VPC_ACCESS = _AWS_MANAGED + "service-role/AWSLambdaVPCAccessExecutionRole"
XRAY_WRITE = _AWS_MANAGED + "AWSXrayWriteOnlyAccess"
# AWS managed policies that live under a path; SAM resolves bare names to these ARNs.
_MANAGED_PATHS = {
    "AWSLambdaBasicExecutionRole": "service-role/",
    "AWSLambdaVPCAccessExecutionRole": "service-role/",
    "AWSLambdaRole": "service-role/",
    "AWSLambdaDynamoDBExecutionRole": "service-role/",
    "AWSLambdaKinesisExecutionRole": "service-role/",
    "AWSLambdaSQSQueueExecutionRole": "service-role/",
    "AWSLambdaENIManagementAccess": "service-role/",
}


def merge_globals(glob: Any, local: Any) -> Any:
    """SAM's rules: the function's scalars win, maps merge, lists add up. An intrinsic is
    a scalar (two intrinsics never merge into one nonsense mapping)."""
    if (
        isinstance(glob, Mapping)
        and isinstance(local, Mapping)
        and not is_intrinsic(glob)
        and not is_intrinsic(local)
    ):
        out = LineDict()
        out.start_line = getattr(local, "start_line", None)
        out.end_line = getattr(local, "end_line", None)
        out.key_lines = {}
        for k in list(glob) + [k for k in local if k not in glob]:
            if k in local and k in glob:
                out[k] = merge_globals(glob[k], local[k])
            else:
                out[k] = local[k] if k in local else glob[k]
            src = local if k in local else glob
            line = getattr(src, "key_lines", {}).get(k)
            if line:
                out.key_lines[k] = line
        return out
    if isinstance(glob, list) and isinstance(local, list):
        return _concat(glob, local)
    return local


def _concat(glob: list, local: list) -> list:
    out = LineList(list(glob) + list(local))
    for attr in ("start_line", "end_line"):
        setattr(out, attr, getattr(local, attr, None))
    return out


def managed_arn(name: str) -> str:
    if name.startswith("arn:"):
        return name
    return _AWS_MANAGED + _MANAGED_PATHS.get(name, "") + name


def implicit_role(rb: Builder) -> None:
    """Fill the role SAM generates for a function (`rb.props` are the function's)."""
    props = rb.props
    rb.attrs["arn"] = None
    rb.set("role_name", rb.name)
    rb.provenance["role_name"] = "default"
    trust = dig(props, ("AssumeRolePolicyDocument",))
    if trust is MISSING or trust is None:
        rb.set("assume_role_policy", None, default=policy_doc(LAMBDA_TRUST))
    else:
        rb.prop("assume_role_policy", "AssumeRolePolicyDocument", policy_doc)
    managed: list[Any] = [BASIC_EXECUTION]
    inline: list[dict] = []
    if dig(props, ("Tracing",)) == "Active":
        managed.append(XRAY_WRITE)
    if dig(props, ("VpcConfig",)) not in (MISSING, None):
        managed.append(VPC_ACCESS)
    policies = dig(props, ("Policies",))
    policies_line = rb.line("Policies")
    if isinstance(policies, Unresolved):
        inline.append({"name": "Policies", "document": policies})
    elif policies is not MISSING and policies is not None:
        for i, p in enumerate(policies if isinstance(policies, list) else [policies]):
            _add_policy(rb, p, i, managed, inline)
    dlq = dig(props, ("DeadLetterQueue",))
    if isinstance(dlq, Mapping) and dlq.get("TargetArn") is not None:
        action = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}.get(dlq.get("Type"), Unresolved("DLQ type"))
        inline.append(
            {
                "name": f"{rb.name}DeadLetterQueuePolicy",
                "document": policy_doc(
                    {"Statement": [{"Effect": "Allow", "Action": action, "Resource": dlq["TargetArn"]}]}
                ),
            }
        )
    rb.set("inline_policies", inline)
    rb.set("managed_policy_arns", managed)
    if policies_line:
        rb.lines["inline_policies"] = rb.lines["managed_policy_arns"] = policies_line
    for i, arn in enumerate(managed):
        rb.relate("attached_policy", arn, f"managed_policy_arns[{i}]", POLICY)
    rb.prop("permissions_boundary", "PermissionsBoundary", to_str)


def _add_policy(rb: Builder, p: Any, i: int, managed: list, inline: list) -> None:
    if isinstance(p, str):
        managed.append(managed_arn(p))
    elif isinstance(p, Ref | Unresolved):
        managed.append(p)
    elif isinstance(p, Mapping) and "Statement" in p:
        inline.append({"name": f"{rb.name}Policy{i}", "document": policy_doc(p)})
    elif isinstance(p, Mapping) and len(p) == 1:
        # A SAM policy template (S3ReadPolicy, DynamoDBCrudPolicy, ...): the common ones are
        # expanded into their documented statements; the others are named, not expanded.
        ((name, args),) = p.items()
        doc = policy_template(str(name), args)
        inline.append(
            {
                "name": str(name),
                "document": doc if doc is not None else Unresolved(f"SAM policy template {name}"),
            }
        )
    else:
        inline.append({"name": f"{rb.name}Policy{i}", "document": Unresolved("policy of unexpected shape")})


# -- SAM policy templates ----------------------------------------------------------------
# The most common templates of
# https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-template-list.html
# as (parameter, [(actions, resource patterns)]); `{p}` is the parameter's value, `{r}`/`{a}`
# the deployment's region and account (unknown statically).
_DDB_TABLE = ["arn:{P}:dynamodb:{r}:{a}:table/{p}", "arn:{P}:dynamodb:{r}:{a}:table/{p}/index/*"]
_S3_BUCKET = ["arn:{P}:s3:::{p}", "arn:{P}:s3:::{p}/*"]
_S3_READ = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion"]
_S3_WRITE = ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]
_POLICY_TEMPLATES: dict[str, tuple[str, list[tuple[list[str], list[str]]]]] = {
    "DynamoDBReadPolicy": (
        "TableName",
        [
            (
                [
                    "dynamodb:GetItem",
                    "dynamodb:Scan",
                    "dynamodb:Query",
                    "dynamodb:BatchGetItem",
                    "dynamodb:DescribeTable",
                ],
                _DDB_TABLE,
            )
        ],
    ),
    "DynamoDBWritePolicy": (
        "TableName",
        [(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"], _DDB_TABLE)],
    ),
    "DynamoDBCrudPolicy": (
        "TableName",
        [
            (
                [
                    "dynamodb:GetItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:Scan",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:ConditionCheckItem",
                ],
                _DDB_TABLE,
            )
        ],
    ),
    "S3ReadPolicy": ("BucketName", [([*_S3_READ, "s3:GetLifecycleConfiguration"], _S3_BUCKET)]),
    "S3WritePolicy": ("BucketName", [(_S3_WRITE, _S3_BUCKET)]),
    "S3CrudPolicy": (
        "BucketName",
        [([*_S3_READ, *_S3_WRITE, "s3:GetLifecycleConfiguration", "s3:DeleteObject"], _S3_BUCKET)],
    ),
    "SQSSendMessagePolicy": (
        "QueueName",
        [(["sqs:SendMessage*"], ["arn:{P}:sqs:{r}:{a}:{p}"])],
    ),
    "LambdaInvokePolicy": (
        "FunctionName",
        [(["lambda:InvokeFunction"], ["arn:{P}:lambda:{r}:{a}:function:{p}*"])],
    ),
    "SSMParameterReadPolicy": (
        "ParameterName",
        [
            (["ssm:DescribeParameters"], ["*"]),
            (
                ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"],
                ["arn:{P}:ssm:{r}:{a}:parameter/{p}"],
            ),
        ],
    ),
    "AWSSecretsManagerGetSecretValuePolicy": ("SecretArn", [(["secretsmanager:GetSecretValue"], ["{p}"])]),
}


def _template_resource(pattern: str, value: Any) -> Any:
    """A template's resource: a string when every part is known (the partition is taken as
    ``aws``, as the resolver does), else unresolved with the literal text before the first
    unknown part (the region, the account or the parameter) as its prefix."""
    if pattern == "{p}":
        return value
    unknown = "\x00"
    name = value if isinstance(value, str) else unknown
    text = pattern.format(P="aws", r=unknown, a=unknown, p=name)
    if unknown not in text:
        return text
    shown = pattern.format(
        P="aws", r="${AWS::Region}", a="${AWS::AccountId}", p=name if name != unknown else "${param}"
    )
    return Unresolved(f"SAM policy template resource {shown}", text.split(unknown, 1)[0])


def policy_template(name: str, args: Any) -> Any:
    """The policy document of a known SAM policy template, or None for one not in the table
    (or given arguments of an unexpected shape)."""
    spec = _POLICY_TEMPLATES.get(name)
    if spec is None or not isinstance(args, Mapping):
        return None
    param, statements = spec
    value = args.get(param, Unresolved(f"{name} without {param}"))
    return policy_doc(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": list(actions),
                    "Resource": [_template_resource(r, value) for r in resources],
                }
                for actions, resources in statements
            ],
        }
    )
