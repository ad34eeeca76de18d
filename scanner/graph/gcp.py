"""GCP contributor to the privilege graph: IAM members and service accounts as principals,
Cloud Run, Cloud Functions and Vertex AI workloads as compute, buckets, secrets, keys,
datasets and model registries as data, `ADMIN@gcp:<project>` as the sink, and the edges of
rules/techniques/gcp.yaml, evaluated per member over all of its grants (`gcp_iam`).

A member's grants include what allUsers and allAuthenticatedUsers are granted; `INTERNET`
reaches those two members, so a public invoker or a public bucket shows as a path from the
internet. Unknown roles and undecidable conditions make edges `conditional`; an expired
condition grants nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from scanner.graph import gcp_iam
from scanner.graph.gcp_iam import Grant, Target, Use, check, effective, member_node, project_of
from scanner.graph.model import (
    INTERNET,
    Edge,
    Node,
    PrivilegeGraph,
    Technique,
    admin_node,
    load_techniques,
    weakest,
)
from scanner.model.finding import Location
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

SA = "gcp.iam.service_account"
COMPUTE = (
    "gcp.run.service",
    "gcp.run.job",
    "gcp.functions.function",
    "gcp.vertex.endpoint",
    "gcp.vertex.workbench_instance",
    "gcp.vertex.notebook_runtime",
    "gcp.vertex.custom_job",
    "gcp.vertex.pipeline_job",
    "gcp.vertex.notebook_runtime_template",
)
DATA = {
    "gcp.storage.bucket": "bucket (training data, model artifacts)",
    "gcp.secretmanager.secret": "secret",
    "gcp.kms.crypto_key": "encryption key",
    "gcp.vertex.dataset": "training dataset",
    "gcp.vertex.featurestore": "feature store",
    "gcp.vertex.feature_online_store": "feature store",
    "gcp.vertex.model": "model registry entry",
    "gcp.artifactregistry.repository": "artifact registry (images, packages, models)",
}
_OPEN_INGRESS = {"all", "ALLOW_ALL"}


def _label(r: Resource) -> str:
    if r.type == SA and isinstance(r.attrs.get("email"), str):
        return r.attrs["email"]
    return f"{r.type.split('.', 1)[1]} {r.name}"


def _loc(r: Resource, attr: str | None = None) -> Location | None:
    if r.source.file is None:
        return None
    line = r.line_of(attr) if attr else r.source.start_line
    return Location(r.source.file, line, line if attr else r.source.end_line)


@dataclass
class _View:
    """What add_nodes learned, for add_edges."""

    grants: list[Grant]
    index: dict[str, list[Grant]]
    projects: set[str | None]


def _projects(inv: Inventory, grants: list[Grant]) -> set[str | None]:
    # an organization or folder grant is in no project of its own
    out = {project_of(r) for r in inv.resources.values() if r.provider == "gcp" and r.type != gcp_iam.BINDING}
    out |= {g.scope_id for g in grants if g.scope == "project"}
    return {p for p in out if p is None or isinstance(p, str)}  # an unresolved project is no sink


# ------------------------------------------------------------------ nodes
def add_nodes(inv: Inventory, graph: PrivilegeGraph) -> None:
    gcp = [r for r in inv.resources.values() if r.provider == "gcp"]
    if not gcp:
        return
    grants = gcp_iam.grants(inv)
    view = _View(grants, gcp_iam.by_member(grants), _projects(inv, grants))
    graph.state["gcp"] = view
    graph.state["gcp.grants"] = grants
    for r in gcp:
        if r.type == SA:
            graph.add_node(Node(r.uid, "principal", SA, _label(r), "gcp", project_of(r), _loc(r)))
            email = r.attrs.get("email")
            if isinstance(email, str):
                graph.alias(email, r.uid)
                graph.alias(f"serviceAccount:{email}", r.uid)
        elif r.type in COMPUTE:
            graph.add_node(Node(r.uid, "compute", r.type, _label(r), "gcp", project_of(r), _loc(r)))
        elif r.type in DATA:
            graph.add_node(
                Node(r.uid, "data", r.type, _label(r), "gcp", project_of(r), _loc(r), DATA[r.type])
            )
    for p in view.projects:
        label = f"owner of project {p}" if p else "owner of the provider's default project"
        graph.add_node(Node(admin_node("gcp", p), "sink", "gcp.admin", label, "gcp", p))
    for m in view.index:
        member_node(graph, m)
    for r in inv.of_type("gcp.run.service", "gcp.functions.function"):
        for m in r.attrs.get("invoker_members") if isinstance(r.attrs.get("invoker_members"), list) else []:
            if isinstance(m, str):
                member_node(graph, m)
    if any(graph.has(f"gcp:member:{m}") for m in gcp_iam.PUBLIC) or any(_public_endpoints(inv)):
        graph.add_node(Node(INTERNET, "source", "internet", "the internet", ""))


def _public_endpoints(inv: Inventory):
    for e in inv.of_type("gcp.vertex.endpoint"):
        if not e.attrs.get("network") and e.attrs.get("private_service_connect") is not True:
            yield e


# ------------------------------------------------------------------ techniques
@cache
def _techniques(kind: str) -> tuple[Technique, ...]:
    return tuple(t for t in load_techniques().values() if t.provider == "gcp" and t.extra.get("kind") == kind)


def _edge(src: str, dst: str, tech: str, uses: list[Use], note: str = "") -> Edge:
    by: list[str] = []
    for u in uses:
        if u.grant.granted_by not in by:
            by.append(u.grant.granted_by)
    conds = tuple(dict.fromkeys(c for u in uses for c in u.conditions))
    return Edge(
        src,
        dst,
        tech,
        permissions=tuple(u.permission for u in uses),
        confidence=weakest(u.confidence for u in uses),
        conditions=conds,
        granted_by=tuple(by),
        location=uses[0].grant.location,
        note=note,
    )


def _uses(tech: Technique, grants: list[Grant], targets: dict[str, Target]) -> list[Use] | None:
    """A use for every permission of the technique, each on the target its template names."""
    out = []
    for p in tech.permissions:
        t = targets.get(p.resource)
        use = check(grants, p.action, t) if t is not None else None
        if use is None:
            return None
        out.append(use)
    return out


def _add(graph: PrivilegeGraph, edge: Edge) -> None:
    if edge.src != edge.dst and graph.has(edge.src) and graph.has(edge.dst):
        graph.add_edge(edge)


def _sa_targets(inv: Inventory, graph: PrivilegeGraph) -> list[tuple[str, Target]]:
    out = [(r.uid, Target("resource", project_of(r), r.uid)) for r in inv.of_type(SA)]
    for n in graph.nodes("principal"):  # service accounts named in grants but not in the scan
        if (
            n.type == "gcp.member"
            and n.label.startswith("serviceAccount:")
            and ".svc.id.goog[" not in n.label
        ):
            out.append((n.id, Target("resource", n.scope, n.id)))
    return out


def _runs_as(inv: Inventory, graph: PrivilegeGraph, r: Resource) -> str | None:
    for rel in inv.outgoing(r.uid, "runs_as"):
        found = graph.resolve(rel.dst)
        if found is None and "@" in rel.dst:
            found = member_node(graph, f"serviceAccount:{rel.dst}")
        if found is not None:
            return found
    return None


def _principal_edges(
    inv: Inventory, graph: PrivilegeGraph, view: _View, member: str, sa_targets: list[tuple[str, Target]]
) -> None:
    src = member_node(graph, member)
    grants = effective(member, view.index)
    for tech in _techniques("project-admin"):
        for p in view.projects:
            if uses := _uses(tech, grants, {"{project}": Target("project", p)}):
                _add(graph, _edge(src, admin_node("gcp", p), tech.id, uses))
    for tech in _techniques("org-admin"):
        level = "organization" if "organizations" in tech.permissions[0].action else "folder"
        if uses := _uses(tech, grants, {f"{{{level}}}": Target(level)}):
            for p in view.projects:
                _add(graph, _edge(src, admin_node("gcp", p), tech.id, uses))
    _custom_role_edges(inv, graph, view, src, grants)
    for kind in ("sa", "create"):
        for tech in _techniques(kind):
            for node, t in sa_targets:
                targets = {"{target}": t, "{project}": Target("project", t.project)}
                if node != src and (uses := _uses(tech, grants, targets)):
                    _add(graph, _edge(src, node, tech.id, uses))
    for tech in _techniques("existing"):
        for r in inv.of_type(*tech.requires_resource):
            sa = _runs_as(inv, graph, r)
            if sa is None or sa == src:
                continue
            sa_project = graph.node(sa).scope if graph.has(sa) else None
            targets = {
                "{resource}": Target("resource", project_of(r), r.uid),
                "{target}": Target("resource", sa_project, sa),
            }
            if uses := _uses(tech, grants, targets):
                _add(graph, _edge(src, r.uid, tech.id, uses, f"then runs as {graph.node(sa).label}"))
    for tech in _techniques("data"):
        for r in inv.of_type(*tech.requires_resource):
            if uses := _uses(tech, grants, {"{resource}": Target("resource", project_of(r), r.uid)}):
                _add(graph, _edge(src, r.uid, tech.id, uses))


def _custom_role_edges(
    inv: Inventory, graph: PrivilegeGraph, view: _View, src: str, grants: list[Grant]
) -> None:
    """iam.roles.update on a custom role the member itself holds at project or org level."""
    for tech in _techniques("custom-role"):
        for g in grants:
            role = inv.resources.get(g.custom_role) if g.custom_role else None
            if role is None or g.scope not in ("project", "organization"):
                continue
            rid = role.attrs.get("role_id")
            where = (
                Target("organization")
                if isinstance(rid, str) and rid.startswith("organizations/")
                else Target("project", project_of(role))
            )
            uses = _uses(tech, grants, {"{role}": where})
            if not uses:
                continue
            # the holding grant's own doubts (its condition) weaken the edge too
            held = gcp_iam.Use("(holds the role)", _grant_confidence(g), _grant_doubts(g), g)
            edge = _edge(
                src,
                src,
                tech.id,
                [*uses, held],
                f"custom role {rid if isinstance(rid, str) else role.name}, held by the member",
            )
            projects = view.projects if g.scope == "organization" else {g.scope_id}
            for p in projects:
                if p is None or isinstance(p, str):
                    _add(graph, replace(edge, dst=admin_node("gcp", p), permissions=edge.permissions[:-1]))


def _grant_doubts(g: Grant) -> tuple[str, ...]:
    return (f"IAM condition: {g.condition.why}",) if g.condition.value is None else ()


def _grant_confidence(g: Grant) -> str:
    return "certain" if g.condition.value is True else "conditional"


# ------------------------------------------------------------------ edges
def add_edges(inv: Inventory, graph: PrivilegeGraph) -> None:
    view: _View | None = graph.state.get("gcp")
    if view is None:
        return
    for r in inv.resources.values():
        if r.provider == "gcp" and r.type in COMPUTE and graph.has(r.uid):
            sa = _runs_as(inv, graph, r)
            if sa is not None:
                _add(graph, Edge(r.uid, sa, "gcp-runs-as", location=_loc(r, "service_account")))
    for m in gcp_iam.PUBLIC:
        if graph.has(f"gcp:member:{m}") and graph.has(INTERNET):
            _add(graph, Edge(INTERNET, f"gcp:member:{m}", "gcp-all-users"))
    _invokers(inv, graph)
    for e in _public_endpoints(inv):
        _add(
            graph,
            Edge(
                INTERNET,
                e.uid,
                "gcp-vertex-public-endpoint",
                ("aiplatform.endpoints.predict",),
                "conditional",
                ("callers need aiplatform.endpoints.predict",),
                (e.uid,),
                _loc(e),
                "no private network or Private Service Connect",
            ),
        )
    sa_targets = _sa_targets(inv, graph)
    for member in sorted(view.index):
        _principal_edges(inv, graph, view, member, sa_targets)


def _invokers(inv: Inventory, graph: PrivilegeGraph) -> None:
    for r in inv.of_type("gcp.run.service", "gcp.functions.function"):
        ingress = r.attrs.get("ingress", r.attrs.get("ingress_settings"))
        members = r.attrs.get("invoker_members")
        for i, m in enumerate(members if isinstance(members, list) else []):
            if not isinstance(m, str):
                continue
            conf, conds = "certain", ()
            if ingress not in _OPEN_INGRESS:
                conf, conds = "conditional", (f"ingress {ingress!s} limits callers",)
            v1_function = r.type == "gcp.functions.function" and r.attrs.get("generation") == "v1"
            perm = "cloudfunctions.functions.invoke" if v1_function else "run.routes.invoke"
            _add(
                graph,
                Edge(
                    member_node(graph, m),
                    r.uid,
                    "gcp-invoke",
                    (perm,),
                    conf,
                    conds,
                    (f"{r.uid}#invoker_members[{i}]",),
                    _loc(r, f"invoker_members[{i}]"),
                ),
            )
