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
        # A SAM policy template (S3ReadPolicy, DynamoDBCrudPolicy, ...): named, not expanded.
        (name,) = p.keys()
        inline.append({"name": str(name), "document": Unresolved(f"SAM policy template {name}")})
    else:
        inline.append({"name": f"{rb.name}Policy{i}", "document": Unresolved("policy of unexpected shape")})
