"""Execution-role checks for compute that carries an AWS identity (notebooks, models,
functions): follow the ``execution_role`` relation and ask whether the role is admin."""

from __future__ import annotations

from rules.helpers.iam import principal_admin
from rules.sdk import Verdict, fail, ok, unknown
from scanner.model.resource import Resource


def execution_role_admin_verdict(r: Resource, inv, role_attr: str) -> Verdict:
    """Fail if an execution role in the inventory is an administrator; unknown if its
    policies cannot be read, or the role reference itself is unresolved. A role that is not
    part of the scan leaves nothing to check, so it passes."""
    roles = inv.related(r, "execution_role")
    if not roles:
        r.a.get(role_attr)  # raises UnresolvedAccess when the role ARN is unresolved
        return ok()
    unreadable = False
    for role in roles:
        a = principal_admin(role, inv)
        if a.hits:
            return fail("execution role " + a.hits[0].reason, at=role_attr)
        unreadable |= bool(a.unresolved)
    return unknown("execution role policies are unresolved", at=role_attr) if unreadable else ok()
