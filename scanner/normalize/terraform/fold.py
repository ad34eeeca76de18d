"""Folding: Terraform resources that only modify another one (a role policy attachment, a
bucket's public access block, a Cloud Run invoker binding) are merged into their target,
because a rule must see a role's policies or a bucket's encryption in one place whichever
way they were written. A folded record whose target is not in the batch leaves nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.governance import (
    SAGEMAKER_VARIANT_DIMENSION,
    rate_days,
    set_variant_capacity,
    variant_resource_id,
)
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.terraform.model import TfResource, uid_for

from .aws import encryption
from .builder import Built
from .gcp import member_of_sa
from .values import arn_name, dig, last_segment, norm_tf_path, str_list, to_bool, to_int


class Index:
    """Built resources by uid and by the cloud names/ARNs that identify them."""

    def __init__(self, built: list[Built]):
        self.by_uid = {b.resource.uid: b for b in built}
        self.by_key: dict[tuple[str, str], list[Built]] = {}
        for b in built:
            for k in b.keys:
                self.by_key.setdefault((b.resource.type, k), []).append(b)
        self.relations: list[Relation] = []

    def find(self, rtype: str, value: Any) -> Built | None:
        """The resource of `rtype` that a Ref, a name, an ARN or a resource path names."""
        if isinstance(value, Ref):
            b = self.by_uid.get(value.uid)
            return b if b is not None and b.resource.type == rtype else None
        if not isinstance(value, str) or not value:
            return None
        for key in (value, arn_name(value) if value.startswith("arn:") else last_segment(value)):
            hits = self.by_key.get((rtype, key or ""), [])
            if len(hits) == 1:  # an ambiguous name links to nothing rather than to a guess
                return hits[0]
        return None


def _set(target: Built, path: str, value: Any, tf: TfResource, tf_path: str | None = None) -> None:
    """Write a folded attribute; its line is the folding block's when both share a file."""
    r = target.resource
    r.attrs[path] = value
    r.provenance.pop(path, None)
    if isinstance(value, Unresolved):
        r.provenance[path] = "unresolved"
    lines = {norm_tf_path(k): v for k, v in tf.lines.items()} if tf_path else {}
    line = lines.get(tf_path) if tf_path else None
    line = line if line is not None else tf.start_line
    if tf.file is not None and tf.file == r.source.file and line is not None:
        r.lines[path] = line


def _append(target: Built, path: str, item: Any, tf: TfResource) -> None:
    lst = target.resource.attrs.setdefault(path, [])
    if not isinstance(lst, list):
        return  # the list itself is unresolved: adding to it tells nothing more
    lst.append(item)
    _set(target, path, lst, tf)
    target.resource.provenance.pop(path, None)
    if isinstance(item, Unresolved):
        target.resource.provenance[f"{path}[{len(lst) - 1}]"] = "unresolved"
    if tf.file == target.resource.source.file and tf.start_line is not None:
        target.resource.lines[f"{path}[{len(lst) - 1}]"] = tf.start_line


def _dst(value: Any) -> str:
    return value.uid if isinstance(value, Ref) else str(value)


# ------------------------------------------------------------------------- IAM
_PRINCIPAL = {"role": "aws.iam.role", "user": "aws.iam.user", "group": "aws.iam.group"}


def _inline(kind: str) -> Callable[[TfResource, Index], None]:
    def fold(tf: TfResource, idx: Index) -> None:
        target = idx.find(_PRINCIPAL[kind], tf.config.get(kind))
        if target is None:
            return
        doc = tf.config.get("policy")
        _append(
            target, "inline_policies", {"name": tf.config.get("name"), "document": normalize_policy(doc)}, tf
        )

    return fold


def _attach(target: Built, policy: Any, tf: TfResource, idx: Index) -> None:
    lst = target.resource.attrs.get("managed_policy_arns")
    _append(target, "managed_policy_arns", policy, tf)
    if isinstance(policy, Ref | str) and isinstance(lst, list):
        n = len(lst) - 1
        idx.relations.append(
            Relation(target.resource.uid, "attached_policy", _dst(policy), f"managed_policy_arns[{n}]")
        )


def _attachment(kind: str) -> Callable[[TfResource, Index], None]:
    def fold(tf: TfResource, idx: Index) -> None:
        target = idx.find(_PRINCIPAL[kind], tf.config.get(kind))
        if target is not None:
            _attach(target, tf.config.get("policy_arn"), tf, idx)

    return fold


def policy_attachment(tf: TfResource, idx: Index) -> None:
    """`aws_iam_policy_attachment`: one policy to lists of users, roles and groups."""
    for kind in ("users", "roles", "groups"):
        names = str_list(tf.config.get(kind))
        for n in names if isinstance(names, list) else []:
            target = idx.find(_PRINCIPAL[kind[:-1]], n)
            if target is not None:
                _attach(target, tf.config.get("policy_arn"), tf, idx)


def _join(user: Built, group: Any, tf: TfResource, idx: Index) -> None:
    _append(user, "groups", group, tf)
    lst = user.resource.attrs.get("groups")
    g = idx.find("aws.iam.group", group)
    dst = g.resource.uid if g is not None else _dst(group)
    if isinstance(group, Ref | str) and isinstance(lst, list):
        idx.relations.append(Relation(user.resource.uid, "member_of", dst, f"groups[{len(lst) - 1}]"))


def user_group_membership(tf: TfResource, idx: Index) -> None:
    user = idx.find("aws.iam.user", tf.config.get("user"))
    groups = str_list(tf.config.get("groups"))
    if user is None:
        return
    if isinstance(groups, Unresolved):
        _append(user, "groups", groups, tf)
        return
    for g in groups:
        _join(user, g, tf, idx)


def group_membership(tf: TfResource, idx: Index) -> None:
    group = tf.config.get("group")
    users = str_list(tf.config.get("users"))
    for u in users if isinstance(users, list) else []:
        user = idx.find("aws.iam.user", u)
        if user is not None:
            _join(user, group, tf, idx)


def access_key(tf: TfResource, idx: Index) -> None:
    user = idx.find("aws.iam.user", tf.config.get("user"))
    if user is not None and isinstance(user.resource.attrs.get("access_keys"), int):
        _set(user, "access_keys", user.resource.attrs["access_keys"] + 1, tf)


# ------------------------------------------------------------------------- S3
def _bucket(tf: TfResource, idx: Index) -> Built | None:
    return idx.find("aws.s3.bucket", tf.config.get("bucket"))


def bucket_policy(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is not None:
        _set(b, "policy", normalize_policy(tf.config.get("policy")), tf, "policy")


def bucket_acl(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is None:
        return
    acl = tf.config.get("acl")
    if acl is None and tf.config.get("access_control_policy"):
        acl = Unresolved("grants in access_control_policy, not a canned ACL")
    _set(b, "acl", acl, tf, "acl")


def bucket_public_access_block(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is None:
        return
    keys = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    pab = {}
    for k in keys:
        v = tf.config.get(k)
        pab[k] = False if v is None else (v if isinstance(v, Unresolved | Ref) else to_bool(v))
    _set(b, "public_access_block", pab, tf)
    for k in keys:
        if tf.config.get(k) is None:
            b.resource.provenance[f"public_access_block.{k}"] = "default"
        elif isinstance(pab[k], Unresolved):
            b.resource.provenance[f"public_access_block.{k}"] = "unresolved"


def bucket_encryption(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is not None:
        _set(b, "encryption", encryption(dig(tf.config, "rule.apply_server_side_encryption_by_default")), tf)


def bucket_versioning(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is None:
        return
    status = dig(tf.config, "versioning_configuration.status")
    value = status == "Enabled" if isinstance(status, str) else Unresolved("versioning status is not known")
    _set(b, "versioning", value, tf)


def bucket_logging(tf: TfResource, idx: Index) -> None:
    if (b := _bucket(tf, idx)) is not None:
        _set(b, "logging", True, tf)


# ------------------------------------------------------------------------- Secrets Manager
def secret_rotation(tf: TfResource, idx: Index) -> None:
    secret = idx.find("aws.secretsmanager.secret", tf.config.get("secret_id"))
    if secret is None:
        return
    days = dig(tf.config, "rotation_rules.automatically_after_days")
    schedule = dig(tf.config, "rotation_rules.schedule_expression")
    if days is not None and not isinstance(days, Unresolved | Ref):
        days = to_int(days)
    elif isinstance(days, Ref):
        days = Unresolved(f"automatically_after_days from {days.uid}")
    elif days is None and isinstance(schedule, str):
        days = rate_days(schedule)
    elif days is None and isinstance(schedule, Unresolved | Ref):
        days = Unresolved("rotation schedule_expression is not known")
    _set(secret, "rotation_enabled", True, tf)
    _set(secret, "rotation_days", days, tf, "rotation_rules.automatically_after_days")
    if isinstance(schedule, str):
        _set(secret, "rotation_schedule", schedule, tf, "rotation_rules.schedule_expression")


# ------------------------------------------------------------------------- Application Auto Scaling
ENDPOINT = "aws.sagemaker.endpoint"
# "endpoint/${aws_sagemaker_endpoint.x.name}/variant/AllTraffic" as the HCL front-end leaves it
_HCL_VARIANT_ID = re.compile(
    r"endpoint/\$\{\s*aws_sagemaker_endpoint\.([A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.name\s*\}/variant/([^/\"]+)"
)


def _variant_target(tf: TfResource, idx: Index, resource_id: Any) -> tuple[Built | None, Any]:
    """The endpoint a scalable target's resource_id names, and the variant name (Unresolved
    when only the endpoint is known)."""
    if isinstance(resource_id, Ref):  # a plan: the whole id known after apply from one endpoint
        return idx.find(ENDPOINT, resource_id), Unresolved("variant in resource_id")
    if isinstance(resource_id, Unresolved):
        m = _HCL_VARIANT_ID.search(resource_id.expr)
        if m is None:
            return None, None
        address = f"aws_sagemaker_endpoint.{m.group(1)}"
        address = f"{tf.module}.{address}" if tf.module else address
        target = idx.by_uid.get(uid_for(tf.root, address))
        variant = m.group(2)
        return target, Unresolved(variant) if "${" in variant else variant
    parsed = variant_resource_id(resource_id)
    if parsed is None:
        return None, None
    return idx.find(ENDPOINT, parsed[0]), parsed[1]


def appautoscaling_target(tf: TfResource, idx: Index) -> None:
    """A SageMaker variant's instance-count target: onto its endpoint and the variant."""
    cfg = tf.config
    if cfg.get("service_namespace") != "sagemaker" or cfg.get("scalable_dimension") != (
        SAGEMAKER_VARIANT_DIMENSION
    ):
        return
    endpoint, variant = _variant_target(tf, idx, cfg.get("resource_id"))
    if endpoint is None or not isinstance(endpoint.resource.attrs.get("autoscaling"), list):
        return
    lo, hi = (cfg.get(k) for k in ("min_capacity", "max_capacity"))
    lo = to_int(lo) if isinstance(lo, int | str) else Unresolved("min_capacity is not known")
    hi = to_int(hi) if isinstance(hi, int | str) else Unresolved("max_capacity is not known")
    _append(endpoint, "autoscaling", {"variant": variant, "min_capacity": lo, "max_capacity": hi}, tf)
    target = endpoint.resource
    n = len(target.attrs["autoscaling"]) - 1
    for k, v in (("variant", variant), ("min_capacity", lo), ("max_capacity", hi)):
        if isinstance(v, Unresolved):
            target.provenance[f"autoscaling[{n}].{k}"] = "unresolved"
    config = idx.find("aws.sagemaker.endpoint_config", target.attrs.get("endpoint_config_name"))
    if config is None or not isinstance(variant, str):
        return
    c = config.resource
    set_variant_capacity(c.attrs.get("production_variants"), c.provenance, variant, lo, hi)


# ------------------------------------------------------------------------- GCP IAM
_RUN_INVOKER = frozenset({"roles/run.invoker"})
_FN_INVOKER = frozenset({"roles/cloudfunctions.invoker"})
_FN2_INVOKER = _RUN_INVOKER | _FN_INVOKER


def _members(tf: TfResource) -> Any:
    """`members` of a binding or the one `member` of a member resource, as a list."""
    if "members" in tf.config:
        return str_list(tf.config.get("members"))
    return [tf.config.get("member")]


def _invoker(rtype: str, target_key: str, roles: frozenset[str]) -> Callable[[TfResource, Index], None]:
    def fold(tf: TfResource, idx: Index) -> None:
        target = idx.find(rtype, tf.config.get(target_key))
        if target is None:
            return
        role = tf.config.get("role")
        if isinstance(role, str) and role not in roles:
            return
        members = _members(tf)
        if isinstance(members, Unresolved):
            members = [members]
        for m in members:
            if not isinstance(role, str):  # an unknown role might be the invoker role
                m = (
                    Unresolved(f"member {m!r} with an unresolved role")
                    if not isinstance(m, Unresolved)
                    else m
                )
            _append(target, "invoker_members", m, tf)

    return fold


def project_iam(tf: TfResource, idx: Index) -> None:
    """A project role granted to one of our service accounts."""
    role = tf.config.get("role")
    members = _members(tf)
    for m in members if isinstance(members, list) else []:
        sa = idx.find("gcp.iam.service_account", member_of_sa(m))
        if sa is not None and role is not None:
            _append(sa, "project_roles", role, tf)


FOLDERS: dict[str, Callable[[TfResource, Index], None]] = {
    "aws_iam_role_policy": _inline("role"),
    "aws_iam_user_policy": _inline("user"),
    "aws_iam_group_policy": _inline("group"),
    "aws_iam_role_policy_attachment": _attachment("role"),
    "aws_iam_user_policy_attachment": _attachment("user"),
    "aws_iam_group_policy_attachment": _attachment("group"),
    "aws_iam_policy_attachment": policy_attachment,
    "aws_iam_user_group_membership": user_group_membership,
    "aws_iam_group_membership": group_membership,
    "aws_iam_access_key": access_key,
    "aws_s3_bucket_policy": bucket_policy,
    "aws_s3_bucket_acl": bucket_acl,
    "aws_s3_bucket_public_access_block": bucket_public_access_block,
    "aws_s3_bucket_server_side_encryption_configuration": bucket_encryption,
    "aws_s3_bucket_versioning": bucket_versioning,
    "aws_s3_bucket_logging": bucket_logging,
    "aws_secretsmanager_secret_rotation": secret_rotation,
    "aws_appautoscaling_target": appautoscaling_target,
    "google_cloud_run_service_iam_member": _invoker("gcp.run.service", "service", _RUN_INVOKER),
    "google_cloud_run_service_iam_binding": _invoker("gcp.run.service", "service", _RUN_INVOKER),
    "google_cloud_run_v2_service_iam_member": _invoker("gcp.run.service", "name", _RUN_INVOKER),
    "google_cloud_run_v2_service_iam_binding": _invoker("gcp.run.service", "name", _RUN_INVOKER),
    "google_cloudfunctions_function_iam_member": _invoker(
        "gcp.functions.function", "cloud_function", _FN_INVOKER
    ),
    "google_cloudfunctions_function_iam_binding": _invoker(
        "gcp.functions.function", "cloud_function", _FN_INVOKER
    ),
    "google_cloudfunctions2_function_iam_member": _invoker(
        "gcp.functions.function", "cloud_function", _FN2_INVOKER
    ),
    "google_cloudfunctions2_function_iam_binding": _invoker(
        "gcp.functions.function", "cloud_function", _FN2_INVOKER
    ),
    "google_project_iam_member": project_iam,
    "google_project_iam_binding": project_iam,
}


def _condition(tf: TfResource) -> Any:
    """An IAM member/binding resource's condition block as {title, expression}, or None."""
    cond = tf.config.get("condition")
    cond = cond[0] if isinstance(cond, list) and cond else cond
    if cond is None or cond == []:
        return None
    if isinstance(cond, dict):
        return {"title": cond.get("title"), "expression": cond.get("expression")}
    return Unresolved(f"condition of {tf.address}")


def iam_members_folder(rtype: str, target_key: str) -> Callable[[TfResource, Index], None]:
    """A folder for `<resource>_iam_member` / `_iam_binding`: each member and its role go onto
    the target's `iam_members`; anything not a literal member string becomes Unresolved."""

    def fold(tf: TfResource, idx: Index) -> None:
        target = idx.find(rtype, tf.config.get(target_key))
        if target is None or not isinstance(target.resource.attrs.get("iam_members"), list):
            return
        role = tf.config.get("role")
        if not isinstance(role, str):
            role = Unresolved(f"role of {tf.address}")
        members = _members(tf)
        if isinstance(members, Unresolved):
            _append(target, "iam_members", Unresolved(f"members of {tf.address}"), tf)
            return
        cond = _condition(tf)
        for m in members:
            if m is None or not isinstance(m, str | Unresolved):
                m = Unresolved(f"member of {tf.address}")
            entry = {"role": role, "member": m}
            if cond is not None:  # only where written: a conditional grant is not an unconditional one
                entry["condition"] = cond
            _append(target, "iam_members", entry, tf)
            n = len(target.resource.attrs["iam_members"]) - 1
            for k, v in (("role", role), ("member", m)):
                if isinstance(v, Unresolved):
                    target.resource.provenance[f"iam_members[{n}].{k}"] = "unresolved"

    return fold
