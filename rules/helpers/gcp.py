"""GCP identity helpers: public IAM members and default service accounts."""

from __future__ import annotations

import re

from rules.sdk import Verdict, fail, ok, unknown
from scanner.model.resource import Resource, Unresolved, cannot_be

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
# Compute Engine default SA (Cloud Run, Workbench, Functions v2) and App Engine default SA
# (Functions v1): both hold the project Editor role unless it was removed.
_DEFAULT_SA = re.compile(
    r"^(?:serviceAccount:)?(?:\d+-compute@developer|[^@]+@appspot)\.gserviceaccount\.com$"
)


def is_default_service_account(sa: str) -> bool:
    return bool(_DEFAULT_SA.match(sa.strip()))


def public_member_verdict(r: Resource, attr: str = "invoker_members") -> Verdict:
    """Fail when a public member holds the invoker role; unknown when a member is unreadable."""
    members = r.attrs.get(attr) or []
    if isinstance(members, Unresolved):
        return unknown(f"{attr} is unresolved", at=attr)
    for i, m in enumerate(members):
        if isinstance(m, str) and m.strip() in PUBLIC_MEMBERS:
            return fail(f"{m.strip()} may invoke it", at=f"{attr}[{i}]")
    if any(isinstance(m, Unresolved) and not cannot_be(m, PUBLIC_MEMBERS) for m in members):
        return unknown("an invoker member is unresolved", at=attr)
    return ok()


def default_sa_verdict(r: Resource, attr: str = "service_account") -> Verdict:
    sa = r.a.get(attr)  # raises UnresolvedAccess when unresolved
    if sa is None:
        return fail("runs as the default service account (none is set)", at=attr)
    if isinstance(sa, str) and is_default_service_account(sa):
        return fail("runs as the default compute service account", at=attr)
    return ok()


def public_iam_member_verdict(r: Resource, what: str) -> Verdict:
    """FAIL when `allUsers` or `allAuthenticatedUsers` holds a role in the resource's
    `iam_members`; UNKNOWN when a member could not be resolved and none is public."""
    members = r.attrs.get("iam_members") or []
    if isinstance(members, Unresolved):
        return unknown("iam_members is unresolved", at="iam_members")
    unresolved = False
    for i, m in enumerate(members):
        member = m.get("member") if isinstance(m, dict) else m
        if isinstance(member, str) and member.strip() in PUBLIC_MEMBERS:
            role = m.get("role") if isinstance(m, dict) else None
            role_text = role if isinstance(role, str) else "an unresolved role"
            return fail(f"{member.strip()} holds {role_text}", at=f"iam_members[{i}].member")
        unresolved = unresolved or (isinstance(member, Unresolved) and not cannot_be(member, PUBLIC_MEMBERS))
    if unresolved:
        return unknown(f"a {what} IAM member is unresolved", at="iam_members")
    return ok()
