"""Organizations: the service control policies (SCPs) the account can read, with their
documents and targets, for the privilege graph (an SCP caps every principal below its
targets). Only the management account or a delegated administrator can read them: a
member account's AccessDenied, or an account in no Organization, is noted, not an error."""

from __future__ import annotations

from ..context import Ctx
from ..faults import CallFailed

ORG = "organizations"
# What an account that cannot read SCPs answers: not a fault of the scan.
NOT_READABLE = ("AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied")


def collect(ctx: Ctx) -> None:
    try:
        summaries = list(ctx.pages(ORG, "ListPolicies", "Policies", Filter="SERVICE_CONTROL_POLICY"))
    except CallFailed as e:
        if e.kind == "denied" or any(code in e.detail for code in NOT_READABLE):
            ctx.notes.append(
                f"{ctx.where}: service control policies not read (a member account, or no Organization: "
                f"{e.detail.split(':')[0]}); the privilege graph assumes no SCP limits this account"
            )
            return
        raise
    for got in ctx.map(lambda s: _policy(ctx, s), summaries):
        if got:
            ctx.emit("organizations.policy", got[0], targets=got[1])


def _policy(ctx: Ctx, summary: dict):
    pid = summary["Id"]
    d = ctx.attempt(f"service control policy {pid}", ctx.call, ORG, "DescribePolicy", PolicyId=pid)
    if not d:
        return None
    targets = ctx.attempt(
        f"targets of service control policy {pid}",
        lambda: list(ctx.pages(ORG, "ListTargetsForPolicy", "Targets", PolicyId=pid)),
    )
    # None: the targets could not be read (an error says so); [] would mean attached nowhere
    return d["Policy"], targets
