"""Organizations: the service control policies (SCPs) the account can read, with their
documents and targets, for the privilege graph (an SCP caps every principal below its
targets), and the OU tree walked from the root (ListRoots, ListOrganizationalUnitsForParent,
ListAccountsForParent) so that each OU target names the accounts under it, directly or in
nested OUs. Only the management account or a delegated administrator can read them: a
member account's AccessDenied, or an account in no Organization, is noted, not an error.
OU membership that could not be read (or was listed only in part) is left out: the graph
then keeps an OU's SCPs conditional, as it does without the walk."""

from __future__ import annotations

from ..context import Ctx
from ..faults import CallFailed

ORG = "organizations"
# What an account that cannot read SCPs answers: not a fault of the scan.
NOT_READABLE = ("AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied")


def _not_readable(e: CallFailed) -> bool:
    return e.kind == "denied" or any(code in e.detail for code in NOT_READABLE)


def collect(ctx: Ctx) -> None:
    try:
        summaries = list(ctx.pages(ORG, "ListPolicies", "Policies", Filter="SERVICE_CONTROL_POLICY"))
    except CallFailed as e:
        if _not_readable(e):
            ctx.notes.append(
                f"{ctx.where}: service control policies not read (a member account, or no Organization: "
                f"{e.detail.split(':')[0]}); the privilege graph assumes no SCP limits this account"
            )
            return
        raise
    members = _ou_accounts(ctx)
    for got in ctx.map(lambda s: _policy(ctx, s), summaries):
        if got:
            ctx.emit("organizations.policy", got[0], targets=got[1], ou_accounts=members)


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


def _ou_accounts(ctx: Ctx) -> dict[str, list[str]] | None:
    """OU id -> the ids of every account under it (directly or in nested OUs), sorted; None
    when the tree could not be read completely (denied: a note; any other failure, or a
    listing cut short: an error). A partial tree is never handed on: an account missing from
    it would read as "not in that OU" and drop the OU's SCPs."""
    errors = len(ctx.errors)
    try:
        roots = [r["Id"] for r in ctx.pages(ORG, "ListRoots", "Roots", what="Organization roots")]
        parent: dict[str, str | None] = dict.fromkeys(roots)  # OU (or root) -> its parent
        direct: dict[str, list[str]] = {}
        level = roots
        while level:
            current, level = level, []
            for p, (accounts, ous) in zip(
                current, ctx.map(lambda p: _children(ctx, p), current), strict=True
            ):
                direct[p] = accounts
                for ou in ous:
                    if ou not in parent:  # a cycle would be AWS's bug: never loop on it
                        parent[ou] = p
                        level.append(ou)
    except CallFailed as e:
        if _not_readable(e):
            ctx.notes.append(
                f"{ctx.where}: OU membership not read ({e.detail.split(':')[0]}); SCPs attached to "
                "OUs stay conditional in the privilege graph"
            )
        else:
            ctx.failed(e, "OU membership of the Organization (SCPs attached to OUs stay conditional)")
        return None
    if len(ctx.errors) > errors:  # a listing stopped after its first page: the tree is partial
        return None
    under: dict[str, set[str]] = {p: set(a) for p, a in direct.items()}
    for node in reversed(list(parent)):  # children were added after their parents
        up = parent[node]
        if up is not None:
            under[up] |= under[node]
    return {ou: sorted(accts) for ou, accts in under.items() if ou.startswith("ou-")}


def _children(ctx: Ctx, parent_id: str) -> tuple[list[str], list[str]]:
    accounts = [
        a["Id"]
        for a in ctx.pages(
            ORG, "ListAccountsForParent", "Accounts", what=f"accounts under {parent_id}", ParentId=parent_id
        )
    ]
    ous = [
        o["Id"]
        for o in ctx.pages(
            ORG,
            "ListOrganizationalUnitsForParent",
            "OrganizationalUnits",
            what=f"OUs under {parent_id}",
            ParentId=parent_id,
        )
    ]
    return accounts, ous
