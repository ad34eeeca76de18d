"""Questions asked of a built graph: who can perform an action on a resource (directly by
their policies, or by first becoming someone who can), and how one node reaches another."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.graph.aws_access import Access, grant_of
from scanner.graph.aws_eval import evaluate
from scanner.graph.aws_resolve import resolve_refs
from scanner.graph.model import INTERNET, Node, PrivilegeGraph
from scanner.graph.paths import MAX_PATHS, Distances, Path, shortest_paths


class QueryError(ValueError):
    """A name that matches no node, or several."""


@dataclass
class Allowed:
    principal: str  # node id
    arn: str
    confidence: str  # certain | conditional
    undecided: tuple[str, ...] = ()
    granted_by: list[str] = field(default_factory=list)
    via: str | None = None  # for --transitive: the allowed principal this one can become


def find_node(graph: PrivilegeGraph, name: str, kinds: tuple[str, ...] = ()) -> Node:
    """A node by id, alias (ARN, email) or unique label."""
    nid = graph.resolve(name)
    if nid is None:
        hits = [n for n in graph.nodes() if n.label == name and (not kinds or n.kind in kinds)]
        if len(hits) > 1:
            raise QueryError(f"{name!r} names {len(hits)} nodes: {', '.join(sorted(h.id for h in hits))}")
        if not hits:
            raise QueryError(f"no node named {name!r} in the graph")
        return hits[0]
    return graph.node(nid)


def targets_named(graph: PrivilegeGraph, name: str) -> list[Node]:
    """``admin`` (every ADMIN sink), ``data`` (every sensitive data node), or one node."""
    if name == "admin":
        return [n for n in graph.nodes() if n.kind == "sink"]
    if name == "data":
        return [n for n in graph.nodes() if n.kind == "data" and n.sensitive]
    return [find_node(graph, name)]


def paths_between(graph: PrivilegeGraph, start: str, target: str, limit: int = MAX_PATHS) -> list[Path]:
    return shortest_paths(graph, start, target, Distances(graph, target), limit)


def _resource_policy(graph: PrivilegeGraph, resource: str):
    """The resource policy of the resource an ARN names, when it is in the scan."""
    st = graph.state.get("aws")
    if st is None:
        return None
    nid = graph.resolve(resource)
    if nid is None and resource.startswith("arn:aws:s3:::"):  # an object: its bucket
        nid = graph.resolve(resource.split("/", 1)[0])
    r = st.inv.get(nid) if nid else None
    if r is None:
        return None
    policy = r.attrs.get("policy")
    return resolve_refs(policy, st.inv, st.arns, r.uid) if policy else None


def who_can(graph: PrivilegeGraph, action: str, resource: str, transitive: bool = False) -> list[Allowed]:
    """AWS principals whose policies (identity, boundary, the SCPs of their account and the
    resource's own policy) allow `action` on `resource`, certainly or conditionally; with
    `transitive`, also those that can become one of them through the graph."""
    st = graph.state.get("aws")
    if st is None:
        return []
    access = Access()
    rp = _resource_policy(graph, resource)
    out: list[Allowed] = []
    for p in st.principals.values():
        res = evaluate(
            action,
            resource,
            p.compiled,
            boundary=p.boundary.compiled if p.boundary else None,
            scps=p.scps or None,
            resource_policy=rp,
            principal=p.arn,
            context=access.context(p),
            infer_region=True,
        )
        g = grant_of(res)
        if g is None:
            continue
        labels = [ref.label for ref in access.granting(p, action, resource)]
        if not labels and rp is not None:
            labels = ["the resource policy"]
        out.append(Allowed(p.uid, p.arn, g.confidence, g.undecided, labels))
    if transitive:
        direct = {a.principal for a in out}
        seen = set(direct)
        for a in list(out):
            dist = Distances(graph, a.principal).level(2)
            for nid in sorted(dist):
                if nid in seen:
                    continue
                n = graph.node(nid)
                if n.kind == "principal" or nid == INTERNET:
                    seen.add(nid)
                    (path,) = shortest_paths(graph, nid, a.principal, limit=1) or [None]
                    conf = path.confidence if path else "conditional"
                    out.append(Allowed(nid, nid, conf, (), [], via=a.principal))
    out.sort(key=lambda a: (a.via is not None, a.principal))
    return out
