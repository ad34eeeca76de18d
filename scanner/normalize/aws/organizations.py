"""Organizations service control policies from DescribePolicy plus ListTargetsForPolicy:
the document normalized like every IAM policy, and the accounts, OUs and root it is
attached to (read by the privilege graph). An OU target carries `accounts`, every account
under the OU (from the collector's walk of the OU tree), when that walk read the whole tree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import LiveBuilder, Normalized, policy_doc

if TYPE_CHECKING:
    from . import Raw


def policy(raw: Raw) -> Normalized:
    s = raw.data["PolicySummary"]
    b = LiveBuilder(
        "aws.organizations.policy", s["Arn"], s["Name"], raw.account, None, "organizations:DescribePolicy"
    )
    b.put("arn", s["Arn"])
    b.put("type", s.get("Type"))
    b.put("policy", policy_doc(raw.data.get("Content")))
    targets = raw.extra.get("targets")
    members = raw.extra.get("ou_accounts")  # OU id -> accounts under it; None: not read
    b.put(
        "targets",
        None if targets is None else [_target(t, members) for t in targets],
    )
    if targets is None:
        b.res.provenance["targets"] = "unresolved"
    return b.finish()


def _target(t: dict, members: dict | None) -> dict:
    out = {"id": t.get("TargetId"), "type": t.get("Type"), "name": t.get("Name")}
    if t.get("Type") == "ORGANIZATIONAL_UNIT" and isinstance(members, dict):
        # every account under the OU, directly or in nested OUs (absent: not known)
        accounts = members.get(t.get("TargetId"))
        if isinstance(accounts, list):
            out["accounts"] = list(accounts)
    return out


NORMALIZERS = {"organizations.policy": policy}
