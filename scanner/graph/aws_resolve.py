"""Names for AWS resources that IaC leaves unnamed: ARNs built from what the inventory knows,
and policy documents with their references to other resources in the scan replaced by
those ARNs.

Terraform and CloudFormation do not know an ARN before apply, so a policy says
``aws_iam_role.x.arn`` (a `Ref`) and the role has ``arn: None``. Both sides get the same
ARN here, built from the resource's name, so the evaluator compares like with like. The
account and region come from the resource, else from the one account (region) the
inventory names, else a placeholder; a part that stays unknown is recorded so an edge that
depends on it is ``conditional``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from scanner.graph.aws_eval import PLACEHOLDER_ACCOUNT
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved

UNKNOWN_ACCOUNT = PLACEHOLDER_ACCOUNT  # no real account has this id; the evaluator knows it
UNKNOWN_REGION = "unknown-region"

_ACCOUNT_IN_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([^:]*):(\d{12}):")


@dataclass(frozen=True)
class Scope:
    account: str
    region: str
    account_known: bool


def infer_scope(inv: Inventory) -> Scope:
    """The account and region that resources without one belong to: the single one the
    inventory names (on resources or in literal ARNs), else placeholders."""
    accounts: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for r in inv.resources.values():
        if r.provider != "aws":
            continue
        if r.account:
            accounts[r.account] += 1
        if r.region:
            regions[r.region] += 1
        arn = r.attrs.get("arn")
        if isinstance(arn, str) and (m := _ACCOUNT_IN_ARN.match(arn)):
            accounts[m.group(2)] += 1
            if m.group(1):
                regions[m.group(1)] += 1
    if len(accounts) != 1:  # none, or several: nothing to assume
        for r in inv.of_type("aws.iam.role", "aws.iam.user", "aws.iam.group", "aws.iam.policy"):
            for m in _ACCOUNT_IN_ARN.finditer(_text(r.attrs)):
                accounts[m.group(2)] += 1
    account = accounts.most_common(1)[0][0] if len(accounts) == 1 else UNKNOWN_ACCOUNT
    region = regions.most_common(1)[0][0] if len(regions) == 1 else UNKNOWN_REGION
    return Scope(account, region, account != UNKNOWN_ACCOUNT)


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v + " "
    if isinstance(v, dict):
        return "".join(_text(x) for x in v.values())
    if isinstance(v, list):
        return "".join(_text(x) for x in v)
    return ""


def _name(r: Resource, *keys: str) -> str | None:
    for k in keys:
        v = r.attrs.get(k)
        if isinstance(v, str) and v:
            return v
    return None


# type -> (service, resource template, name attributes); {n} is the name
_ARN_FORMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aws.iam.role": ("iam", "role/{n}", ("role_name",)),
    "aws.iam.user": ("iam", "user/{n}", ("user_name",)),
    "aws.iam.group": ("iam", "group/{n}", ("group_name",)),
    "aws.iam.policy": ("iam", "policy/{n}", ("policy_name",)),
    "aws.lambda.function": ("lambda", "function:{n}", ("function_name",)),
    "aws.sagemaker.notebook_instance": ("sagemaker", "notebook-instance/{n}", ()),
    "aws.sagemaker.model": ("sagemaker", "model/{n}", ()),
    "aws.sagemaker.endpoint": ("sagemaker", "endpoint/{n}", ()),
    "aws.sagemaker.domain": ("sagemaker", "domain/{n}", ()),
    "aws.sagemaker.user_profile": ("sagemaker", "user-profile/{n}", ("user_profile_name",)),
    "aws.sagemaker.feature_group": ("sagemaker", "feature-group/{n}", ("feature_group_name",)),
    "aws.sagemaker.model_package_group": (
        "sagemaker",
        "model-package-group/{n}",
        ("model_package_group_name",),
    ),
    "aws.secretsmanager.secret": ("secretsmanager", "secret:{n}-AbCdEf", ("name",)),
    "aws.kms.key": ("kms", "key/{n}", ()),
    "aws.ecr.repository": ("ecr", "repository/{n}", ("name",)),
    "aws.bedrock.agent": ("bedrock", "agent/{n}", ("agent_name",)),
    "aws.bedrock.knowledge_base": ("bedrock", "knowledge-base/{n}", ("name",)),
    # queues and topics: arn:aws:sqs:REGION:ACCOUNT:NAME, arn:aws:sns:REGION:ACCOUNT:NAME
    "aws.sqs.queue": ("sqs", "{n}", ("name",)),
    "aws.sns.topic": ("sns", "{n}", ("name",)),
}
# Types whose Terraform `id` is their ARN
_ID_IS_ARN = {"aws.sns.topic"}
_GLOBAL_SERVICES = {"iam"}


class Arns:
    """ARNs of the inventory's AWS resources: the real one when known, else built."""

    def __init__(self, inv: Inventory, scope: Scope):
        self.inv = inv
        self.scope = scope
        self._cache: dict[str, tuple[str | None, bool]] = {}

    def of(self, r: Resource) -> tuple[str | None, bool]:
        """(ARN, exact): exact is False when the ARN was built with an unknown account,
        region or name, so only wildcard patterns can be trusted to match it."""
        hit = self._cache.get(r.uid)
        if hit is None:
            hit = self._cache[r.uid] = self._build(r)
        return hit

    def _build(self, r: Resource) -> tuple[str | None, bool]:
        arn = r.attrs.get("arn")
        if isinstance(arn, str) and arn.startswith("arn:"):
            return arn, True
        if r.type == "aws.s3.bucket":
            b = _name(r, "bucket")
            return (f"arn:aws:s3:::{b}", True) if b else (f"arn:aws:s3:::{r.name}", False)
        form = _ARN_FORMS.get(r.type)
        if form is None:
            return None, False
        service, template, keys = form
        name = _name(r, *keys)
        exact = name is not None
        name = name or r.name
        account = r.account or self.scope.account
        exact = exact and (bool(r.account) or self.scope.account_known)
        region = ""
        if service not in _GLOBAL_SERVICES:
            region = r.region or self.scope.region
            exact = exact and region != UNKNOWN_REGION
        return f"arn:aws:{service}:{region}:{account}:{template.format(n=name)}", exact

    def of_uid(self, uid: str) -> str | None:
        r = self.inv.get(uid)
        return self.of(r)[0] if r is not None else None


_INTERP = re.compile(r"\$\{(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.(arn|name|id|bucket)\}")


def _by_address(inv: Inventory, arns: Arns) -> dict[str, list[str]]:
    idx = getattr(arns, "_address_index", None)
    if idx is None:
        idx = {}
        for uid in inv.resources:
            if uid.startswith("tf:"):
                idx.setdefault(uid.rsplit(":", 1)[-1], []).append(uid)
        arns._address_index = idx  # type: ignore[attr-defined]
    return idx


def _template(u: Unresolved, inv: Inventory, arns: Arns) -> Any:
    """A Terraform template such as ``"${aws_s3_bucket.data.arn}/train/*"`` whose every
    interpolation names one resource in the scan, as the string it stands for."""
    if u.parts:
        # The HCL front-end says which resource each interpolation is (module outputs
        # followed, module path and root in the uid): trust that, never the text.
        out = []
        for part in u.parts:
            value = resolve_refs(part, inv, arns) if isinstance(part, Ref) else part
            if not isinstance(value, str):
                return u
            out.append(value)
        return "".join(out)
    # No parts (an inventory saved before them, a `<<-` heredoc): the address in the text,
    # when only one root module of the scan has it.
    expr = u.expr
    if len(expr) < 2 or expr[0] != '"' or expr[-1] != '"' or "${" not in expr:
        return u
    body = expr[1:-1]
    idx = _by_address(inv, arns)
    out, pos = [], 0
    for m in _INTERP.finditer(body):
        uids = idx.get(m.group(1), [])
        if len(uids) != 1:
            return u
        value = resolve_refs(Ref(uids[0], m.group(2)), inv, arns)
        if not isinstance(value, str):
            return u
        out.append(body[pos : m.start()])
        out.append(value)
        pos = m.end()
    out.append(body[pos:])
    text = "".join(out)
    return u if "${" in text else text


_CFN_SUB = re.compile(r"\$\{([A-Za-z0-9]+)\.(Arn)\}")


def _cfn_sub(u: Unresolved, owner: str | None, inv: Inventory, arns: Arns) -> Any:
    """A CloudFormation ``Fn::Sub`` such as ``"${Artifacts.Arn}/*"`` written in the template
    of `owner` (uid ``cfn:<file>#<LogicalId>``), whose every ``${Resource.Arn}`` names a
    resource of that template with a known ARN, as the string it stands for."""
    if not owner or not owner.startswith("cfn:") or "#" not in owner or "${" not in u.expr:
        return u
    file = owner.split("#", 1)[0]
    out, pos = [], 0
    for m in _CFN_SUB.finditer(u.expr):
        target = inv.get(f"{file}#{m.group(1)}")
        arn, exact = arns.of(target) if target is not None else (None, False)
        if not arn or not exact:
            return u
        out.append(u.expr[pos : m.start()])
        out.append(arn)
        pos = m.end()
    out.append(u.expr[pos:])
    text = "".join(out)
    return u if "${" in text else text


def resolve_refs(value: Any, inv: Inventory, arns: Arns, owner: str | None = None) -> Any:
    """A policy document (or any value) with `Ref`s to resources in the scan replaced by
    their ARN (``attr`` arn or empty) or name, and Terraform templates over such references
    by their text; other Refs become `Unresolved`. `owner`, the uid of the resource that
    holds the value, lets CloudFormation ``Fn::Sub`` templates over resources of its own
    template resolve too."""
    if type(value) is str:  # most leaves: nothing to do
        return value
    if isinstance(value, Unresolved):
        value = _template(value, inv, arns)
        return _cfn_sub(value, owner, inv, arns) if isinstance(value, Unresolved) else value
    if isinstance(value, Ref):
        target = inv.get(value.uid)
        if target is None:
            return Unresolved(f"{value.uid}.{value.attr}" if value.attr else value.uid)
        if value.attr.lower() in ("", "arn"):  # CloudFormation writes GetAtt X.Arn
            arn = arns.of(target)[0]
            if arn:
                return arn
        if value.attr == "id" and target.type in _ID_IS_ARN:
            arn = arns.of(target)[0]
            return arn if arn else Unresolved(f"{value.uid}.{value.attr}")
        if value.attr in ("name", "id", "bucket", "function_name", "role_name", "user_name", "group_name"):
            keys = _ARN_FORMS.get(target.type, ("", "", ()))[2]
            return _name(target, "bucket", *keys) or target.name
        return Unresolved(f"{value.uid}.{value.attr}")
    # a document with nothing to resolve is returned as is, not copied (thousands of them)
    if isinstance(value, dict | list):
        out = None
        for k, v in value.items() if isinstance(value, dict) else enumerate(value):
            r = resolve_refs(v, inv, arns, owner)
            if r is not v:
                if out is None:
                    out = value.copy()
                out[k] = r
        return value if out is None else out
    return value
