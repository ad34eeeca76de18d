"""IAM: one paginated GetAccountAuthorizationDetails (users, groups, roles, customer-managed
policies) and ListAccessKeys per user (an unreadable key list is `Unread`, not "no keys").
AWS-managed policies are referenced by ARN only."""

from __future__ import annotations

from scanner.normalize.aws import Unread

from ..context import Ctx
from ..faults import CallFailed

_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def collect(ctx: Ctx) -> None:
    got: dict[str, list] = {k: [] for k in _LISTS}
    token = None
    pages = 0
    while True:
        params = {"Filter": ["User", "Role", "Group", "LocalManagedPolicy"]}
        if token:
            params["Marker"] = token
        try:
            page = ctx.call("iam", "GetAccountAuthorizationDetails", **params) or {}
        except CallFailed as e:
            if not pages or e.kind == "region":
                raise
            # what the earlier pages held is kept; the error names the rest
            ctx.truncated(e, pages, sum(map(len, got.values())), "IAM users, groups, roles and policies")
            break
        pages += 1
        for k in _LISTS:
            got[k].extend(page.get(k) or [])
        token = page.get("Marker") if page.get("IsTruncated") else None
        if not token:
            break
    profiles: dict[str, dict] = {}
    for r in got["RoleDetailList"]:
        ctx.emit("iam.role", r)
        for p in r.get("InstanceProfileList") or []:
            profiles.setdefault(p["Arn"], p)
    for p in profiles.values():
        ctx.emit("iam.instance_profile", p)
    for g in got["GroupDetailList"]:
        ctx.emit("iam.group", g)
    for p in got["Policies"]:
        ctx.emit("iam.policy", p)
    # Attached and inline policies, groups and boundaries come with the listing above: the
    # access keys are the only per-user read. One that fails hands over `Unread`, never 0.
    for u in got["UserDetailList"]:
        keys = ctx.read(
            f"access keys of IAM user {u['UserName']}",
            lambda name=u["UserName"]: list(
                ctx.pages("iam", "ListAccessKeys", "AccessKeyMetadata", UserName=name)
            ),
        )
        ctx.emit("iam.user", u, access_keys=keys if isinstance(keys, Unread) else len(keys))
