"""Path search over the privilege graph, and the findings it yields.

For every target (an ``ADMIN@`` sink, a sensitive data node) one breadth-first search runs
backwards from it, giving every node's distance to the target; the distinct shortest paths
from a start are then walked along edges that go one step closer. That is what
`networkx.all_shortest_paths` computes per pair, but shared by all starts, so finding all
paths costs one search per target instead of one per (start, target) pair. Paths per
finding are bounded (`MAX_PATHS`).

One finding per start (a principal, or INTERNET) and target, listing every distinct
shortest path as `PathStep`s in `Finding.path` (each path begins again at the start node).
Trivial paths are left out: a principal that is admin by its own policies, or that reads
data its own policy grants (one step), is by design; the static IAM rules judge those.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scanner.graph.model import (
    CONFIDENCES,
    INTERNET,
    Edge,
    Node,
    PrivilegeGraph,
    is_hub,
    is_stand_in,
    weakest,
)
from scanner.graph.path_rules import GRAPH_RULES
from scanner.model.finding import Evidence, Finding, FindingResource, Location, PathStep, fingerprint
from scanner.model.inventory import Inventory

MAX_PATHS = 10  # shortest paths listed per finding
MAX_DEPTH = 12  # longer chains are not followed
MAX_LISTED = 20  # data assets named beyond the listed paths of a stand-in finding
DIRECT_ADMIN = "aws-admin-access"


@dataclass
class Path:
    nodes: list[str]
    edges: list[Edge]  # the best edge of each hop

    @property
    def confidence(self) -> str:
        return weakest(e.confidence for e in self.edges)


_RANK = {c: i for i, c in enumerate(CONFIDENCES)}


def _pair_rank(datas: dict) -> int:
    return min(_RANK[d["edge"].confidence] for d in datas.values())


def best_edge(graph: PrivilegeGraph, u: str, v: str, level: int = len(CONFIDENCES) - 1) -> Edge:
    """Of the techniques that join u to v (at most `level` uncertain), the most certain, then
    the first by id."""
    edges = [d["edge"] for d in graph.g.get_edge_data(u, v).values() if _RANK[d["edge"].confidence] <= level]
    return min(edges, key=lambda e: (_RANK[e.confidence], e.technique))


def distances_to(
    graph: PrivilegeGraph, target: str, level: int = len(CONFIDENCES) - 1, skip: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Hops from every node that can reach `target` over edges at most `level` uncertain
    (0: certain edges only), by a backward BFS that never passes the nodes in `skip`."""
    dist = {target: 0}
    queue = deque([target])
    pred = graph.g._pred  # plain dicts: networkx's views cost more than the search itself
    while queue:
        v = queue.popleft()
        d = dist[v] + 1
        if d > MAX_DEPTH:
            continue
        for u, datas in pred[v].items():
            if u not in dist and u not in skip and _pair_rank(datas) <= level:
                dist[u] = d
                queue.append(u)
    return dist


class Distances:
    """Distances to one target at every confidence level, computed when first asked, and
    each node's successors one step closer (shared by every start whose paths pass it)."""

    def __init__(
        self, graph: PrivilegeGraph, target: str, best: dict | None = None, skip: frozenset[str] = frozenset()
    ):
        self.graph, self.target, self.skip = graph, target, skip
        self._by_level: dict[int, dict[str, int]] = {}
        self._next: dict[tuple[str, int], list[str]] = {}
        self.best: dict[tuple[str, str, int], Edge] = {} if best is None else best

    def level(self, level: int) -> dict[str, int]:
        if level not in self._by_level:
            self._by_level[level] = distances_to(self.graph, self.target, level, self.skip)
        return self._by_level[level]

    def closer(self, node: str, level: int) -> list[str]:
        """The successors of `node` one hop nearer the target over edges at most `level`
        uncertain, sorted (paths come out in a stable order)."""
        key = (node, level)
        hit = self._next.get(key)
        if hit is None:
            dist = self.level(level)
            want = dist[node] - 1
            succ = self.graph.g._succ[node]
            hit = self._next[key] = sorted(
                n for n, datas in succ.items() if dist.get(n) == want and _pair_rank(datas) <= level
            )
        return hit

    def edge(self, u: str, v: str, level: int) -> Edge:
        key = (u, v, level)
        hit = self.best.get(key)
        if hit is None:
            hit = self.best[key] = best_edge(self.graph, u, v, level)
        return hit

    def reaches(self, start: str) -> bool:
        return start in self.level(len(CONFIDENCES) - 1)


def shortest_paths(
    graph: PrivilegeGraph, start: str, target: str, dists: Distances | None = None, limit: int = MAX_PATHS
) -> list[Path]:
    """Up to `limit` distinct shortest paths from start to target over the most certain
    edges that connect them: shortest certain paths when there are any, else shortest
    paths with conditional edges, else with requires-resource edges."""
    dists = dists or Distances(graph, target)
    for level in range(len(CONFIDENCES)):
        dist = dists.level(level)
        if start in dist:
            break
    else:
        return []
    out: list[Path] = []

    def walk(node: str, trail: list[str]) -> Iterator[list[str]]:
        if node == target:
            yield trail
            return
        for nxt in dists.closer(node, level):
            yield from walk(nxt, [*trail, nxt])

    for nodes in walk(start, [start]):
        edges = [dists.edge(a, b, level) for a, b in zip(nodes, nodes[1:], strict=False)]
        out.append(Path(nodes, edges))
        if len(out) >= limit:
            break
    out.sort(key=lambda p: _RANK[p.confidence])
    return out


# --------------------------------------------------------------------------- findings


def is_start(n: Node) -> bool:
    return n.id == INTERNET or (n.kind == "principal" and not n.type.endswith("group"))


def targets(graph: PrivilegeGraph) -> list[Node]:
    return [n for n in graph.nodes() if n.kind == "sink" or (n.kind == "data" and n.sensitive)]


def _admin_by_design(graph: PrivilegeGraph, start: str) -> bool:
    return any(DIRECT_ADMIN in keys for keys in graph.g._succ[start].values())


def find_paths(graph: PrivilegeGraph, inv: Inventory | None = None) -> list[Finding]:
    """Every privilege-path finding of the graph."""
    starts = [n for n in graph.nodes() if is_start(n)]
    start_of = {n.id: n for n in starts}
    by_design = {n.id for n in starts if _admin_by_design(graph, n.id)}
    # (start, provider, scope) -> confidence of its admin finding there: admin of one account
    # or project says nothing about data in another cloud
    admin_reached: dict[tuple[str, str, str | None], str] = {}
    findings: list[Finding] = []
    sinks = [t for t in targets(graph) if t.kind == "sink"]
    data = [t for t in targets(graph) if t.kind == "data"]
    # Data paths through a hub ("an existing function not in the scan", "every role that
    # trusts the account") are reported once per start and hub, listing the data beyond it,
    # not once per start and data asset: whoever enters a hub reaches all that lies beyond
    # it, so per-asset findings would grow with principals x data.
    hubs = frozenset(n.id for n in graph.nodes() if is_hub(n.id))
    hop_edges: dict[tuple[str, str, int], Edge] = {}  # a hop's best edge is the same for every target
    notes: dict[int, str] = {}
    for target in sinks + data:  # sinks first: a start that reaches admin gets no data findings
        dists = Distances(graph, target.id, hop_edges, hubs if target.kind == "data" else frozenset())
        dist = dists.level(len(CONFIDENCES) - 1)
        for sid in dist:  # the starts that reach it (not every start for every target)
            s = start_of.get(sid)
            if s is None or s.id == target.id or s.id in by_design:
                continue
            if target.kind == "data":
                if admin_reached.get((s.id, target.provider, target.scope)) == "certain":
                    continue
                if dist[s.id] == 1 and s.id != INTERNET:
                    continue  # its own policy grants the read: by design
            paths = shortest_paths(graph, s.id, target.id, dists)
            if not paths:
                continue
            f = _finding(graph, inv, s, target, paths, notes)
            findings.append(f)
            if target.kind == "sink":
                key = (s.id, target.provider, target.scope)
                best = f.confidence
                if key not in admin_reached or CONFIDENCES.index(best) < CONFIDENCES.index(
                    admin_reached[key]
                ):
                    admin_reached[key] = best
    findings += _hub_findings(graph, inv, hubs, start_of, by_design, admin_reached, hop_edges, notes)
    findings.sort(key=lambda f: (f.resource.uid, f.rule_id, f.evidence.path))
    return findings


class _Forward:
    """Forward searches from hubs, sharing what does not depend on the hub: each node's
    successors sorted once (not once per search), the set of sensitive data nodes, and the
    search per member set (hubs with the same members, such as every user for access keys
    and for login profiles, reach the same assets the same way: only the first hop differs)."""

    def __init__(self, graph: PrivilegeGraph):
        self.graph = graph
        self._succ = graph.g._succ
        self._sorted: dict[str, list[str]] = {}
        self.sensitive = {n.id for n in graph.nodes("data") if n.sensitive}
        self._searches: dict[tuple[str, ...], list[list[str]]] = {}
        self._useful: set[str] | None = None

    def useful(self) -> set[str]:
        """The nodes from which some sensitive data node can be reached (once per graph): a
        search never enters the others, which lead to no asset. Skipping them changes no
        parent: a node on a path to data is useful, and so is every node before it."""
        if self._useful is None:
            pred = self.graph.g._pred
            seen = set(self.sensitive)
            todo = list(seen)
            while todo:
                for u in pred[todo.pop()]:
                    if u not in seen:
                        seen.add(u)
                        todo.append(u)
            self._useful = seen
        return self._useful

    def successors(self, u: str) -> list[str]:
        hit = self._sorted.get(u)
        if hit is None:
            hit = self._sorted[u] = sorted(self._succ[u])
        return hit

    def reach(self, source: str) -> list[list[str]]:
        """One shortest path from `source` to every sensitive data node it reaches, as its
        nodes (nearest first, then by id), over edges of any confidence."""
        first = self.successors(source)
        key = tuple(first)
        hit = self._searches.get(key)
        if hit is not None and any(source in nodes for nodes in hit):
            hit = None  # another hub's search passed through this one: not the same search
        if hit is None:
            hit = self._searches[key] = self._search(source, first)
        return [[source, *nodes[1:]] for nodes in hit]

    def _search(self, source: str, first: list[str]) -> list[list[str]]:
        """A BFS by layers (the order a FIFO queue gives), each node's successors in id order,
        so each node's parent is the first that finds it."""
        parent: dict[str, str | None] = {source: None}
        found: list[tuple[int, str]] = []
        sensitive, sorted_, succ, useful = self.sensitive, self._sorted, self._succ, self.useful()
        layer, depth = [source], 0
        while layer and depth < MAX_DEPTH:
            depth += 1
            below: list[str] = []
            for u in layer:
                nxt = first if u == source else sorted_.get(u)
                if nxt is None:
                    nxt = sorted_[u] = sorted(succ[u])
                for v in nxt:
                    if v not in parent and v in useful:
                        parent[v] = u
                        below.append(v)
                        if v in sensitive:
                            found.append((depth, v))
            layer = below
        out = []
        for _, t in sorted(found):
            nodes = [t]
            while parent[nodes[-1]] is not None:
                nodes.append(parent[nodes[-1]])
            nodes.reverse()
            out.append(nodes)
        return out


@dataclass
class _HubReach:
    """A start reaching the sensitive data beyond a hub: what its finding would list."""

    start: Node
    hub: str
    head: Path  # the start's shortest path to the hub
    reached: list[list[str]]  # one path from the hub to each asset (nodes), nearest first
    assets: frozenset[str]  # the assets, shared by every start with the same `reached`
    rank: int  # the finding's confidence (0 = certain)


def _hub_findings(
    graph: PrivilegeGraph,
    inv: Inventory | None,
    hubs: Iterable[str],
    start_of: dict[str, Node],
    by_design: set[str],
    admin_reached: dict,
    hop_edges: dict,
    notes: dict[int, str],
) -> list[Finding]:
    """One finding per start and hub it reaches, listing the sensitive data beyond the hub:
    the path to the hub joined to one shortest path from it to each asset. A start in a
    cluster of hubs that reach one another (a large account's "any role", "any user" and
    stand-in hubs) would get one finding per hub listing the same assets: a hub's finding is
    left out where another of the same start lists every asset it lists, at least as surely,
    through a hub no farther away."""
    forward = _Forward(graph)
    listed: dict[int, tuple[Path, str, list[PathStep]]] = {}  # id(tail) -> path, text, steps
    reach: list[_HubReach] = []
    for hub in sorted(hubs):
        reach += _hub_reach(graph, hub, start_of, by_design, admin_reached, hop_edges, notes, forward, listed)
    assets_of: dict[int, list[Path]] = {}  # id(reached) -> its assets (nodes only), shared
    out = []
    for r in _most_telling(reach):
        h = r.head
        # the listed tails recur in every finding of the hub: rendered once (steps are
        # shared, never changed after)
        h_text, h_steps = _describe(graph, h), _steps(graph, h, notes)[:-1]
        joined, rendered = [], []
        for nodes in r.reached[:MAX_PATHS]:
            p, text, steps = listed[id(nodes)]
            joined.append(Path(h.nodes + p.nodes[1:], h.edges + p.edges))
            rendered.append((f"{h_text} {text}", h_steps + steps))
        if id(r.reached) not in assets_of:
            assets_of[id(r.reached)] = [Path(nodes, []) for nodes in r.reached]
        assets = assets_of[id(r.reached)]
        hub = _node(graph, r.hub)
        out.append(_finding(graph, inv, r.start, hub, joined, notes, assets=assets, rendered=rendered))
    return out


def _hub_reach(
    graph: PrivilegeGraph,
    hub: str,
    start_of: dict[str, Node],
    by_design: set[str],
    admin_reached: dict,
    hop_edges: dict,
    notes: dict[int, str],
    forward: _Forward,
    listed: dict[int, tuple[Path, str, list[PathStep]]],
) -> list[_HubReach]:
    """What each start that reaches `hub` reaches beyond it."""
    dists = Distances(graph, hub, hop_edges)
    dist = dists.level(len(CONFIDENCES) - 1)
    starts = [start_of[sid] for sid in dist if sid in start_of and sid != hub and sid not in by_design]
    if not starts:
        return []
    tails = forward.reach(hub)  # node lists; edges only for the paths a finding lists
    if not tails:
        return []
    # entering a hub of data straight from one's own policies is a direct read: by design
    direct = not is_stand_in(hub) and all(len(nodes) == 2 for nodes in tails)
    # the starts certainly admin somewhere: their data there is not listed again (the
    # assets left are worked out once per set of such scopes, not once per start)
    admin_of: dict[str, set] = defaultdict(set)
    for (sid, provider, scope), conf in admin_reached.items():
        if conf == "certain":
            admin_of[sid].add((provider, scope))
    scope_of = [(n.provider, n.scope) for nodes in tails for n in (_node(graph, nodes[-1]),)]
    left: dict[frozenset, list[list[str]]] = {frozenset(): tails}
    assets: dict[int, tuple[frozenset[str], int]] = {}  # id(reached) -> its assets, best tail rank
    out = []
    for s in starts:
        if direct and dist[s.id] == 1 and s.id != INTERNET:
            continue
        key = frozenset(admin_of.get(s.id, ()))
        if key not in left:
            left[key] = [nodes for nodes, sc in zip(tails, scope_of, strict=True) if sc not in key]
        reached = left[key]
        head = shortest_paths(graph, s.id, hub, dists, limit=1)
        if not reached or not head:
            continue
        if id(reached) not in assets:
            for nodes in reached[:MAX_PATHS]:
                if id(nodes) not in listed:
                    edges = [best_edge(graph, a, b) for a, b in zip(nodes, nodes[1:], strict=False)]
                    p = Path(nodes, edges)
                    listed[id(nodes)] = (p, _describe_on(graph, p), _steps(graph, p, notes))
            best = min(_RANK[listed[id(nodes)][0].confidence] for nodes in reached[:MAX_PATHS])
            assets[id(reached)] = (frozenset(nodes[-1] for nodes in reached), best)
        got, best = assets[id(reached)]
        # the finding's confidence: its best listed path, each as sure as its weakest hop
        rank = max(_RANK[head[0].confidence], best)
        out.append(_HubReach(s, hub, head[0], reached, got, rank))
    return out


def _most_telling(reach: list[_HubReach]) -> list[_HubReach]:
    """`reach` less each entry that another of the same start makes redundant: one that
    lists every asset it lists (a superset), at least as surely, through a hub no farther
    away; of equals, the first hub by id is kept."""
    by_start: dict[str, list[_HubReach]] = defaultdict(list)
    for r in reach:
        by_start[r.start.id].append(r)
    subset: dict[tuple[int, int], bool] = {}  # asset sets are shared: compared once per pair

    def covers(o: _HubReach, r: _HubReach) -> bool:
        """o lists all r lists, as surely, from no farther, and is more telling or first."""
        if o.rank > r.rank or len(o.head.edges) > len(r.head.edges):
            return False
        pair = (id(r.assets), id(o.assets))
        if pair not in subset:
            subset[pair] = r.assets <= o.assets
        if not subset[pair]:
            return False
        return (o.rank, len(o.head.edges), len(r.assets) - len(o.assets), o.hub) < (
            r.rank,
            len(r.head.edges),
            0,
            r.hub,
        )

    out = []
    for rs in by_start.values():
        out += [r for r in rs if not any(o is not r and covers(o, r) for o in rs)]
    return out


def _rule_id(start: Node, target: Node) -> str:
    internet = start.id == INTERNET
    if target.kind == "sink":
        return "internet-path-admin" if internet else "privilege-path-admin"
    return "internet-path-data" if internet else "privilege-path-data"


def severity_of(rule_id: str, confidence: str) -> str:
    """Admin: critical when certain, else high. Data: high when certain, else medium; from the
    internet one step worse. (Lateral movement alone would be medium; it is not reported.)"""
    certain = confidence == "certain"
    if rule_id.endswith("-admin"):
        return "critical" if certain else "high"
    if rule_id.startswith("internet-"):
        return "critical" if certain else "high"
    return "high" if certain else "medium"


def _node(graph: PrivilegeGraph, node_id: str) -> Node:
    """`graph.node` without networkx's view objects (hundreds of thousands of calls)."""
    return graph.g._node[node_id]["node"]


def _label(graph: PrivilegeGraph, node_id: str) -> str:
    n = _node(graph, node_id)
    return n.label if n.id == node_id and n.label else node_id


def _describe(graph: PrivilegeGraph, p: Path) -> str:
    first = _label(graph, p.nodes[0])
    return f"{first} {_describe_on(graph, p)}" if p.edges else first


def _describe_on(graph: PrivilegeGraph, p: Path) -> str:
    """The path's description after its first node."""
    return " ".join(
        f"-[{e.technique}]-> {_label(graph, nxt)}" for e, nxt in zip(p.edges, p.nodes[1:], strict=True)
    )


def _steps(graph: PrivilegeGraph, p: Path, notes: dict[int, str] | None = None) -> list[PathStep]:
    """The path as steps; `notes` caches each edge's note (edges recur across findings)."""
    notes = {} if notes is None else notes
    steps = []
    for i, nid in enumerate(p.nodes):
        node = _node(graph, nid)
        if i < len(p.edges):
            e = p.edges[i]
            note = notes.get(id(e))  # edges live as long as the graph: ids are stable
            if note is None:
                note = notes[id(e)] = "; ".join(x for x in (e.note, _granted(e), _conf(e)) if x)
            steps.append(
                PathStep(nid, node.type, e.technique, list(e.permissions), e.location or node.location, note)
            )
        else:
            steps.append(PathStep(nid, node.type, None, [], node.location, node.sensitive or ""))
    return steps


def _granted(e: Edge) -> str:
    return f"granted by {', '.join(e.granted_by[:3])}" if e.granted_by else ""


def _conf(e: Edge) -> str:
    if e.confidence == "certain":
        return ""
    why = f" ({', '.join(e.conditions[:5])})" if e.conditions else ""
    return f"{e.confidence}{why}"


def _resource_node(graph: PrivilegeGraph, start: Node, first: Path) -> Node:
    """The node a finding is about: the start, or for INTERNET the exposed entry point."""
    return _node(graph, first.nodes[1]) if start.id == INTERNET else start


def _finding(
    graph: PrivilegeGraph,
    inv: Inventory | None,
    start: Node,
    target: Node,
    paths: list[Path],
    notes: dict[int, str] | None = None,
    assets: list[Path] | None = None,
    rendered: list[tuple[str, list[PathStep]]] | None = None,
) -> Finding:
    """The finding for `start` reaching `target` by `paths`; with `assets`, `target` is a
    stand-in and `assets` one path to each sensitive data node beyond it (`paths` the first
    of them, joined to the path to the stand-in). `rendered`: each path's description and
    steps, when the caller has them."""
    rule_id = _rule_id(start, target if assets is None else _node(graph, assets[0].nodes[-1]))
    meta = GRAPH_RULES[rule_id]
    confidence = min((p.confidence for p in paths), key=_RANK.__getitem__)
    about = _resource_node(graph, start, paths[0])
    r = inv.get(about.id) if inv is not None else None
    if r is not None:
        res = FindingResource(r.uid, r.type, r.name, r.provider, r.account, r.region)
    else:
        res = FindingResource(about.id, about.type, about.label, about.provider, about.scope)
    location = None
    if start.id == INTERNET and paths[0].edges[0].location is not None:
        location = paths[0].edges[0].location
    elif about.location is not None:
        location = about.location
    if location is not None:
        location = Location(location.file, location.start_line, location.end_line)
    hops = len(paths[0].edges)
    who = "the internet" if start.id == INTERNET else f'{start.type.split(".")[-1]} "{start.label}"'
    described = [r[0] for r in rendered] if rendered else [_describe(graph, p) for p in paths]
    if assets is None:
        what = target.label if target.kind == "sink" else f"{target.label} ({target.sensitive})"
        more = (
            f" ({len(paths)} shortest paths{'+' if len(paths) >= MAX_PATHS else ''})"
            if len(paths) > 1
            else ""
        )
        message = f"{who} can reach {what} in {hops} step{'s' if hops > 1 else ''}{more}: {described[0]}"
    else:
        n = len(assets)
        verb = "could" if confidence == "requires-resource" else "can"
        message = (
            f"{who} {verb} reach {n} sensitive data asset{'s' if n > 1 else ''} through {target.label}"
            f", e.g. in {hops} step{'s' if hops > 1 else ''}: {described[0]}"
        )
        if n > len(paths):
            more = n - len(paths)
            named = [_label(graph, p.nodes[-1]) for p in assets[len(paths) : len(paths) + MAX_LISTED]]
            described.append(f"and {more} more: {', '.join(named)}{', ...' if more > MAX_LISTED else ''}")
    if confidence != "certain":
        message += f" [{confidence}]"
    steps: list[PathStep] = []
    for i, p in enumerate(paths):
        steps.extend(rendered[i][1] if rendered else _steps(graph, p, notes))
    return Finding(
        fingerprint=fingerprint(rule_id, start.id, target.id),
        rule_id=rule_id,
        title=meta.title,
        severity=severity_of(rule_id, confidence),
        status="fail",
        category=meta.category,
        resource=res,
        message=message,
        evidence=Evidence(f"path:{target.id}", described),
        source=r.source.kind if r is not None else "iac",
        location=location,
        path=steps,
        confidence=confidence,
        remediation=dict(meta.remediation),
        references=list(meta.references),
    )
