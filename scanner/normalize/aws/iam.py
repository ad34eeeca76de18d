"""IAM from `GetAccountAuthorizationDetails` (plus `ListAccessKeys`): users, groups, roles,
customer-managed policies (default version) and instance profiles, in the shapes the
Terraform normalizers give (inline policies folded in, attachments as ARNs + relations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LiveBuilder, Normalized, Unread, policy_doc, scoped, tags_of

if TYPE_CHECKING:
    from . import Raw

API = "iam:GetAccountAuthorizationDetails"


def _inline(items, key: str = "PolicyName", doc: str = "PolicyDocument") -> list[dict]:
    return [{"name": p.get(key), "document": policy_doc(p.get(doc))} for p in items or []]


def _attachments(b: LiveBuilder, items) -> None:
    arns = [p.get("PolicyArn") for p in items or [] if p.get("PolicyArn")]
    b.put("managed_policy_arns", arns)
    for i, arn in enumerate(arns):
        b.relate("attached_policy", arn, f"managed_policy_arns[{i}]")


def _boundary(d: dict) -> str | None:
    return (d.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")


def role(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder("aws.iam.role", d["Arn"], d["RoleName"], raw.account, None, API, tags_of(d.get("Tags")))
    b.put("arn", d["Arn"])
    b.put("role_name", d["RoleName"])
    b.put("assume_role_policy", policy_doc(d.get("AssumeRolePolicyDocument")))
    b.put("inline_policies", _inline(d.get("RolePolicyList")))
    _attachments(b, d.get("AttachedManagedPolicies"))
    b.put("permissions_boundary", _boundary(d))
    b.alias_name(d["RoleName"], None)
    return b.finish()


def user(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder("aws.iam.user", d["Arn"], d["UserName"], raw.account, None, API, tags_of(d.get("Tags")))
    b.put("arn", d["Arn"])
    b.put("user_name", d["UserName"])
    b.put("inline_policies", _inline(d.get("UserPolicyList")))
    _attachments(b, d.get("AttachedManagedPolicies"))
    groups = list(d.get("GroupList") or [])
    b.put("groups", groups)
    for i, g in enumerate(groups):
        b.relate("member_of", scoped("aws.iam.group", raw.account, None, g), f"groups[{i}]")
    b.put("permissions_boundary", _boundary(d))
    keys = raw.extra.get("access_keys", 0)
    # ListAccessKeys failed: how many keys the user has is not known (UNKNOWN, never "none")
    b.put("access_keys", keys if isinstance(keys, Unread) else int(keys))
    b.alias_name(d["UserName"], None)
    return b.finish()


def group(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder("aws.iam.group", d["Arn"], d["GroupName"], raw.account, None, API)
    b.put("arn", d["Arn"])
    b.put("group_name", d["GroupName"])
    b.put("inline_policies", _inline(d.get("GroupPolicyList")))
    _attachments(b, d.get("AttachedManagedPolicies"))
    b.alias_name(d["GroupName"], None)
    return b.finish()


def policy(raw: Raw) -> Normalized:
    d = raw.data
    name = d.get("PolicyName") or d["Arn"].rsplit("/", 1)[-1]  # some stand-ins leave the name out
    b = LiveBuilder("aws.iam.policy", d["Arn"], name, raw.account, None, API, tags_of(d.get("Tags")))
    b.put("arn", d["Arn"])
    b.put("policy_name", name)
    default = next(
        (v for v in d.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")),
        None,
    )
    b.put("document", policy_doc(default.get("Document")) if default else None)
    return b.finish()


def instance_profile(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder("aws.iam.instance_profile", d["Arn"], d["InstanceProfileName"], raw.account, None, API)
    b.put("arn", d["Arn"])
    b.put("name", d["InstanceProfileName"])
    roles = d.get("Roles") or []
    first = roles[0] if roles else None
    b.put("role", first.get("RoleName") if first else None)
    if first:
        b.relate("has_role", first.get("Arn"), "role")
    return b.finish()


NORMALIZERS = {
    "iam.role": role,
    "iam.user": user,
    "iam.group": group,
    "iam.policy": policy,
    "iam.instance_profile": instance_profile,
}
