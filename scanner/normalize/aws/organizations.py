"""Organizations service control policies from DescribePolicy plus ListTargetsForPolicy:
the document normalized like every IAM policy, and the accounts, OUs and root it is
attached to (read by the privilege graph)."""

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
    b.put(
        "targets",
        None
        if targets is None
        else [{"id": t.get("TargetId"), "type": t.get("Type"), "name": t.get("Name")} for t in targets],
    )
    if targets is None:
        b.res.provenance["targets"] = "unresolved"
    return b.finish()


NORMALIZERS = {"organizations.policy": policy}
