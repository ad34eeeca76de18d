"""GCP IAM over the inventory: every grant (organization, folder, project and resource
bindings), its role expanded to permissions, its condition decided three-valued, and the
question the technique catalogue asks: may this member use permission P on this target, and
how sure is that?

A grant on a project covers the project's resources; one on a resource (a bucket, a service
account, a secret) covers that resource only; an organization grant is taken to cover every
project of the scan, a folder grant any of them but only `conditional` (the scan does not
say which projects sit in the folder)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.graph import gcp_roles
from scanner.graph.gcp_roles import RolePermissions
from scanner.graph.model import Node, PrivilegeGraph
from scanner.model.finding import Location
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved

BINDING = "gcp.iam.project_binding"
CUSTOM_ROLE = "gcp.iam.custom_role"
SA = "gcp.iam.service_account"
PUBLIC = ("allUsers", "allAuthenticatedUsers")
# "serviceAccount:${google_service_account.x.email}" as the HCL front-end leaves a reference
_SA_REF = re.compile(
    r"((?:module\.[\w-]+\.)*google_service_account\.[\w-]+(?:\[[^\]]*\])?)\.(?:email|member)"
)
_SA_EMAIL_PROJECT = re.compile(r"@([a-z0-9-]+)\.iam\.gserviceaccount\.com$")


# ------------------------------------------------------------------ conditions
@dataclass(frozen=True, slots=True)
class Verdict:
    value: bool | None  # None: the scanner cannot decide
    why: str = ""


_TIME_ATOM = re.compile(r"""^request\.time\s*(<=|<|>=|>)\s*timestamp\(\s*["']([^"']+)["']\s*\)$""")


def _split(expr: str, op: str) -> list[str]:
    """Split at top-level `op` (outside parentheses and quotes)."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(expr):
        ch = expr[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and expr.startswith(op, i):
            parts.append(expr[start:i])
            start = i + len(op)
            i += len(op)
            continue
        i += 1
    parts.append(expr[start:])
    return [p.strip() for p in parts]


def _strip_parens(expr: str) -> str:
    """Drop parentheses that enclose the whole expression."""
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and i < len(expr) - 1:
                return expr  # "(a) && (b)": the first group closes early
        expr = expr[1:-1].strip()
    return expr


def evaluate_condition(expr: str, now: datetime) -> bool | None:
    """CEL, three-valued: request.time comparisons with timestamps are decided, `true` and
    `false` too; anything else (resource.name, request.auth, api attributes) is None."""
    expr = _strip_parens(expr.strip())
    ors = _split(expr, "||")
    if len(ors) > 1:
        vals = [evaluate_condition(p, now) for p in ors]
        return True if True in vals else False if all(v is False for v in vals) else None
    ands = _split(expr, "&&")
    if len(ands) > 1:
        vals = [evaluate_condition(p, now) for p in ands]
        return False if False in vals else True if all(v is True for v in vals) else None
    if expr in ("true", "false"):
        return expr == "true"
    m = _TIME_ATOM.match(expr)
    if not m:
        return None
    try:
        at = datetime.fromisoformat(m.group(2).replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    op = m.group(1)
    return {"<": now < at, "<=": now <= at, ">": now > at, ">=": now >= at}[op]


def condition_verdict(cond: Any, now: datetime) -> Verdict:
    if cond is None:
        return Verdict(True)
    if isinstance(cond, Unresolved | Ref) or not isinstance(cond, dict):
        return Verdict(None, "condition not known")
    expr = cond.get("expression")
    if not isinstance(expr, str):
        return Verdict(None, "condition expression not known")
    return Verdict(evaluate_condition(expr, now), expr)


# ------------------------------------------------------------------ grants
@dataclass(frozen=True, slots=True)
class Grant:
    """One role granted to one member at one scope."""

    member: str  # a member string ("user:a@x", "allUsers") or, for a reference, a resource uid
    role: RolePermissions
    scope: str  # organization | folder | project | resource
    scope_id: Any  # org/folder/project id (None = the provider's project), or the resource uid
    project: str | None  # the project of a resource grant's resource
    condition: Verdict
    granted_by: str  # binding uid, or "<resource uid>#iam_members[i]"
    location: Location | None
    custom_role: str | None = None  # uid of the custom role granted, for iam.roles.update


def _location(r: Resource, attr: str | None) -> Location | None:
    if r.source.file is None:
        return None
    if attr is None:
        return Location(r.source.file, r.source.start_line, r.source.end_line)
    line = r.line_of(attr)
    return Location(r.source.file, line, line)


def resolve_role(inv: Inventory, role: Any) -> tuple[RolePermissions, str | None]:
    """The permissions of a role (predefined, or custom from the scan) and the custom role's uid."""
    target = None
    if isinstance(role, Ref):
        target = inv.resources.get(role.uid)
    elif isinstance(role, str) and not role.startswith("roles/"):
        target = inv.get(role)
    if target is not None and target.type == CUSTOM_ROLE:
        perms = target.attrs.get("permissions")
        if isinstance(perms, list):
            return gcp_roles.custom(str(target.attrs.get("role_id") or target.name), perms), target.uid
        return gcp_roles.unknown(target.name), target.uid
    if isinstance(role, str):
        return gcp_roles.lookup(role), None
    return gcp_roles.unknown(getattr(role, "expr", "") or "unresolved role"), None


def _members(inv: Inventory, source: Resource, members: Any) -> list[str]:
    """Member strings; a reference to one of the scan's service accounts becomes its uid;
    an unknown member is dropped (it cannot be a node), which the report lists as a gap."""
    out: list[str] = []
    for m in members if isinstance(members, list) else [members]:
        if isinstance(m, str):
            if not m.startswith("deleted:"):
                out.append(m)
        elif isinstance(m, Ref) and (sa := inv.resources.get(m.uid)) is not None:
            out.append(sa.uid)
        elif isinstance(m, Unresolved) and (hit := _SA_REF.search(m.expr)):
            found = [
                r.uid for r in inv.of_type(SA) if r.uid.endswith(("." + hit.group(1), ":" + hit.group(1)))
            ]
            if len(found) == 1:
                out.append(found[0])
    return out


_PROJECT_PATH = re.compile(r"^projects/([a-z0-9-]+)/")


def project_of(r: Resource) -> str | None:
    """The resource's project: its own, a service account's email domain, or the projects/<p>/
    prefix of a path it is written under (a KMS key's key ring)."""
    if r.account:
        return r.account
    email = r.attrs.get("email") if r.type == SA else None
    if isinstance(email, str) and (m := _SA_EMAIL_PROJECT.search(email)):
        return m.group(1)
    for key in ("key_ring", "name"):
        v = r.attrs.get(key)
        if isinstance(v, str) and (m := _PROJECT_PATH.match(v)):
            return m.group(1)
    return None


def grants(inv: Inventory, now: datetime | None = None) -> list[Grant]:
    """Every grant of the scan. Expired conditions drop the grant here."""
    now = now or datetime.now(UTC)
    out: list[Grant] = []

    def add(members, role, scope, scope_id, project, cond, by, loc):
        verdict = condition_verdict(cond, now)
        if verdict.value is False:
            return  # an expired (or otherwise false) condition grants nothing
        perms, custom = resolve_role(inv, role)
        for m in members:
            out.append(Grant(m, perms, scope, scope_id, project, verdict, by, loc, custom))

    for b in inv.of_type(BINDING):
        sid = b.attrs.get("scope_id")
        scope_id = sid if isinstance(sid, str) else None if sid is None else Unresolved("scope")
        if b.attrs.get("scope") == "project" and scope_id is None:
            scope_id = b.account
        members = _members(inv, b, b.attrs.get("members"))
        add(
            members,
            b.attrs.get("role"),
            b.attrs.get("scope", "project"),
            scope_id,
            None,
            b.attrs.get("condition"),
            b.uid,
            _location(b, None),
        )
    for r in inv.resources.values():
        if r.provider != "gcp":
            continue
        entries = r.attrs.get("iam_members")
        for i, e in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(e, dict):
                continue
            where = f"iam_members[{i}]"
            add(
                _members(inv, r, e.get("member")),
                e.get("role"),
                "resource",
                r.uid,
                project_of(r),
                e.get("condition"),
                f"{r.uid}#{where}",
                _location(r, where),
            )
    return out


# ------------------------------------------------------------------ checking
@dataclass(frozen=True, slots=True)
class Target:
    """What a permission is used on: a project, or a resource (in a project)."""

    kind: str  # project | resource | organization
    project: str | None = None
    uid: str | None = None


@dataclass(frozen=True, slots=True)
class Use:
    """How sure a member may use one permission on one target, and where that was granted."""

    permission: str
    confidence: str
    conditions: tuple[str, ...]
    grant: Grant


def _scope_confidence(g: Grant, t: Target) -> tuple[str, str] | None:
    if g.scope == "resource":
        return ("certain", "") if t.kind == "resource" and g.scope_id == t.uid else None
    if t.kind in ("organization", "folder"):  # a permission on the level itself, granted there
        if g.scope != t.kind:
            return None
        return ("certain", "") if t.kind == "organization" else ("conditional", "folder grant")
    if g.scope == "organization":
        return "certain", ""
    if g.scope == "folder":
        return "conditional", "which projects sit in the folder is not in the scan"
    if isinstance(g.scope_id, Unresolved):
        return "conditional", "the granted project is not known"
    if g.scope_id == t.project:
        return "certain", ""
    if g.scope_id is None or t.project is None:
        return "conditional", "project from the provider configuration"
    return None


def check(member_grants: list[Grant], permission: str, target: Target) -> Use | None:
    """The most certain use of `permission` on `target` that the grants allow, or None."""
    best: Use | None = None
    for g in member_grants:
        if not g.role.allows(permission):
            continue
        scope = _scope_confidence(g, target)
        if scope is None:
            continue
        conds: list[str] = []
        if scope[0] != "certain":
            conds.append(scope[1])
        if g.condition.value is None:
            conds.append(f"IAM condition: {g.condition.why}")
        if not g.role.known:
            conds.append(f"role {g.role.name} is not in the role catalogue")
        use = Use(permission, "conditional" if conds else "certain", tuple(conds), g)
        if use.confidence == "certain":
            return use
        best = best or use
    return best


def by_member(all_grants: list[Grant]) -> dict[str, list[Grant]]:
    out: dict[str, list[Grant]] = defaultdict(list)
    for g in all_grants:
        out[g.member].append(g)
    return out


# Cloud Storage's convenience members: "projectEditor:p1" in a bucket's policy stands for
# whoever holds roles/editor on project p1 (new buckets get such bindings by default)
CONVENIENCE = {
    "roles/owner": "projectOwner",
    "roles/editor": "projectEditor",
    "roles/viewer": "projectViewer",
}


def effective(member: str, index: dict[str, list[Grant]]) -> list[Grant]:
    """A member's grants plus what allUsers and allAuthenticatedUsers are granted, and what a
    convenience member stands for: the bindings to "projectEditor:P" where the member is
    granted roles/editor on project P without a condition (likewise owner and viewer)."""
    own = index.get(member, ())
    out = list(own)
    for g in own:
        conv = CONVENIENCE.get(g.role.name)
        if conv and g.scope == "project" and isinstance(g.scope_id, str) and g.condition.value is True:
            out += index.get(f"{conv}:{g.scope_id}", ())
    if member != "allUsers":
        out += index.get("allUsers", ())
        if member != "allAuthenticatedUsers":
            out += index.get("allAuthenticatedUsers", ())
    return out


# ------------------------------------------------------------------ member nodes
def member_node(graph: PrivilegeGraph, member: str) -> str:
    """The node of a member: a service account of the scan by uid or email, else a
    ``gcp:member:<member>`` node (created on first use)."""
    found = graph.resolve(member)
    if found is not None:
        return found
    if member.startswith("serviceAccount:") and (found := graph.resolve(member.split(":", 1)[1])):
        return found
    node_id = f"gcp:member:{member}"
    if not graph.has(node_id):
        email = member.split(":", 1)[1] if ":" in member else ""
        m = _SA_EMAIL_PROJECT.search(email)
        graph.add_node(Node(node_id, "principal", "gcp.member", member, "gcp", m.group(1) if m else None))
    return node_id


def workload_identity_grant(
    inv: Inventory, graph: PrivilegeGraph, gsa_node: str, namespace: str, name: str
) -> tuple[str, Location | None] | None:
    """The grant that lets the KSA <namespace>/<name> mint tokens for the Google service account
    `gsa_node` (roles/iam.workloadIdentityUser, or any role with getAccessToken), if the scan has one."""
    wanted = re.compile(
        r"^serviceAccount:[\w.:-]+\.svc\.id\.goog\[" + re.escape(f"{namespace}/{name}") + r"\]$"
    )
    sa = inv.resources.get(gsa_node)
    target = Target("resource", project_of(sa) if sa else None, gsa_node)
    cached = graph.state.get("gcp.grants") if hasattr(graph, "state") else None
    for g in cached if cached is not None else grants(inv):
        if not (wanted.match(g.member) and g.condition.value is True and g.role.known):
            continue
        if _scope_confidence(g, target) == ("certain", "") and g.role.allows(
            "iam.serviceAccounts.getAccessToken"
        ):
            return g.granted_by, g.location
    return None
