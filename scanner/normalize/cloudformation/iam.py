"""IAM roles, users, groups and managed policies; `AWS::IAM::Policy` and the attachment
lists of `AWS::IAM::ManagedPolicy` are folded into the principals they name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.iam_policy import normalize_policy

from .builder import MISSING, Builder, to_list, to_str

ROLE, USER, GROUP, POLICY = "aws.iam.role", "aws.iam.user", "aws.iam.group", "aws.iam.policy"

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
    ],
}


def policy_doc(v: Any) -> Any:
    if v is MISSING or v is None:
        return Unresolved("no policy document")
    return normalize_policy(v)


def inline_policies(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    out = []
    for i, p in enumerate(v if isinstance(v, list) else [v]):
        if isinstance(p, Mapping):
            name = p.get("PolicyName")
            out.append(
                {
                    "name": to_str(name) if name is not None else f"policy{i}",
                    "document": policy_doc(p.get("PolicyDocument")),
                }
            )
        else:
            out.append(
                {
                    "name": f"policy{i}",
                    "document": p
                    if isinstance(p, Unresolved)
                    else Unresolved("inline policy is not a mapping"),
                }
            )
    return out


def _principal_common(b: Builder, name_attr: str, name_key: str) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop(name_attr, name_key, to_str, default=b.name)
    b.prop("inline_policies", "Policies", inline_policies, default=[])
    managed = b.prop("managed_policy_arns", "ManagedPolicyArns", to_list, default=[])
    if isinstance(managed, list):
        for i, arn in enumerate(managed):
            b.relate("attached_policy", arn, f"managed_policy_arns[{i}]", POLICY)


def role(b: Builder) -> None:
    _principal_common(b, "role_name", "RoleName")
    b.prop(
        "assume_role_policy",
        "AssumeRolePolicyDocument",
        normalize_policy,
        default=Unresolved("no AssumeRolePolicyDocument"),
    )
    b.prop("permissions_boundary", "PermissionsBoundary", to_str)


def user(b: Builder) -> None:
    _principal_common(b, "user_name", "UserName")
    groups = b.prop("groups", "Groups", to_list, default=[])
    if isinstance(groups, list):
        for i, g in enumerate(groups):
            b.relate("member_of", g, f"groups[{i}]", GROUP)
    b.prop("permissions_boundary", "PermissionsBoundary", to_str)
    b.set("access_keys", 0)  # counted when AWS::IAM::AccessKey resources are folded in


def group(b: Builder) -> None:
    _principal_common(b, "group_name", "GroupName")


def managed_policy(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("policy_name", "ManagedPolicyName", to_str, default=b.name)
    b.prop("document", "PolicyDocument", policy_doc)


# -- folding ----------------------------------------------------------------------------
def _targets(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str]
) -> list[Builder]:
    """The role, user and group builders a policy's Roles/Users/Groups name."""
    out = []
    for key, rtype in (("Roles", ROLE), ("Users", USER), ("Groups", GROUP)):
        v = props.get(key)
        for t in v if isinstance(v, list) else ([v] if v is not None else []):
            uid = t.uid if isinstance(t, Ref) else names.get(f"{rtype}|{t}") if isinstance(t, str) else None
            b = builders.get(uid) if uid else None
            if b is not None and b.rtype == rtype:
                out.append(b)
    return out


def fold_policy(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str], line: int | None
) -> None:
    """AWS::IAM::Policy: its document becomes an inline policy of each principal it names."""
    name = props.get("PolicyName")
    entry = {
        "name": to_str(name) if name is not None else "policy",
        "document": policy_doc(props.get("PolicyDocument")),
    }
    for b in _targets(props, builders, names):
        current = b.attrs.get("inline_policies")
        if not isinstance(current, list):
            continue
        current.append(entry)
        b.provenance.pop("inline_policies", None)
        if line:
            b.lines[f"inline_policies[{len(current) - 1}]"] = line


def fold_managed_policy(
    policy_uid: str, props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str]
) -> None:
    """AWS::IAM::ManagedPolicy with Roles/Users/Groups: an attachment on each."""
    for b in _targets(props, builders, names):
        current = b.attrs.get("managed_policy_arns")
        if not isinstance(current, list):
            continue
        if any(isinstance(x, Ref) and x.uid == policy_uid for x in current):
            continue
        current.append(Ref(policy_uid, "Ref"))
        b.provenance.pop("managed_policy_arns", None)
        b.relations.append(
            Relation(b.uid, "attached_policy", policy_uid, f"managed_policy_arns[{len(current) - 1}]")
        )


def fold_access_key(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str]
) -> None:
    u = props.get("UserName")
    uid = u.uid if isinstance(u, Ref) else names.get(f"{USER}|{u}") if isinstance(u, str) else None
    b = builders.get(uid) if uid else None
    if b is not None and b.rtype == USER and (props.get("Status") in (None, "Active")):
        b.attrs["access_keys"] = b.attrs.get("access_keys", 0) + 1
        b.provenance.pop("access_keys", None)


def fold_user_to_group(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str]
) -> None:
    group = props.get("GroupName")
    users = props.get("Users")
    for u in users if isinstance(users, list) else []:
        uid = u.uid if isinstance(u, Ref) else names.get(f"{USER}|{u}") if isinstance(u, str) else None
        b = builders.get(uid) if uid else None
        if b is None or b.rtype != USER or not isinstance(b.attrs.get("groups"), list):
            continue
        b.attrs["groups"].append(to_str(group))
        b.provenance.pop("groups", None)
        b.relate("member_of", to_str(group), f"groups[{len(b.attrs['groups']) - 1}]", GROUP)
