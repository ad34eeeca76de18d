"""The privilege graph's vocabulary: nodes, edges, techniques, and the graph that holds
them. Provider modules (`scanner.graph.aws`, `.gcp`, `.k8s`, `.exposure`) contribute
nodes and edges in two phases through `PrivilegeGraph`; `scanner.graph.build` runs them;
`scanner.graph.paths` turns the graph into path findings.

Node ids:
- a resource in the inventory: its uid (so findings point at real resources);
- a principal that is not a resource (an AWS service principal, a GCP member, a K8s user
  or group): ``<provider>:<kind>:<name>``, e.g. ``aws:service:lambda.amazonaws.com``,
  ``gcp:member:allUsers``, ``k8s:<cluster>:group:system:masters``;
- the source ``INTERNET`` and the sinks ``ADMIN@<provider>:<scope>`` (`admin_node`).

Phases: every contributor first adds its nodes and aliases (an ARN, a GCP service account
email, ``<cluster>/<ns>/<sa>``), then its edges, so a contributor can resolve a node that
another one owns (IRSA: a K8s service account to an AWS role known by ARN).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

from scanner.model.finding import Location

INTERNET = "INTERNET"

NODE_KINDS = ("principal", "compute", "data", "source", "sink")
# Worst last: a path is as weak as its weakest edge.
CONFIDENCES = ("certain", "conditional", "requires-resource")


# Hubs: one node where a principal would otherwise get an edge to each of many targets alike.
# A stand-in ("some existing resource of a kind, not in the scan") leads to every role such a
# resource could run as; an "every" hub ("every role that trusts account A", "every sensitive
# S3 bucket of account A") to each target that one shared grant reaches. A principal gets one
# edge into the hub only when that grant decides every member alike, so P + N edges stand for
# P x N, and paths through a hub are reported once per start and hub (`scanner.graph.paths`).
STAND_IN = ":unscanned:"
EVERY = ":every:"


def is_stand_in(node_id: str) -> bool:
    return STAND_IN in node_id


def is_hub(node_id: str) -> bool:
    return STAND_IN in node_id or EVERY in node_id


def admin_node(provider: str, scope: str | None) -> str:
    """The sink for full control of an AWS account, a GCP project or a K8s cluster."""
    return f"ADMIN@{provider}:{scope or 'unknown'}"


def weakest(confidences) -> str:
    """The confidence of a path: its weakest edge."""
    return max(confidences, key=CONFIDENCES.index, default="certain")


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # one of NODE_KINDS
    type: str  # resource type, or e.g. aws.service_principal, gcp.member, k8s.user, k8s.group
    label: str
    provider: str  # aws | gcp | k8s | "" for INTERNET
    scope: str | None = None  # account, project or cluster
    location: Location | None = None  # where it is declared (IaC file and line), if known
    sensitive: str | None = None  # for data nodes: why it matters (training data, model, secret, key)


@dataclass(frozen=True, slots=True)
class Edge:
    """`src` can become, act as, or reach `dst` by `technique`."""

    src: str
    dst: str
    technique: str  # a technique id from rules/techniques/*.yaml
    permissions: tuple[str, ...] = ()  # the actions / permissions / RBAC verbs used
    confidence: str = "certain"  # one of CONFIDENCES
    conditions: tuple[str, ...] = ()  # undecided condition keys or unresolved expressions
    # where each permission was granted: a policy ARN or uid, a binding, "file:line"
    granted_by: tuple[str, ...] = ()
    location: Location | None = None  # the file and line of the grant, when from IaC
    note: str = ""


@dataclass(frozen=True, slots=True)
class Permission:
    action: str  # an AWS action, a GCP permission, or a K8s "verb resource[/subresource]"
    resource: str = "*"  # a template: "*", "{principal}", "{target}", "{resource}"


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    provider: str
    title: str
    description: str
    permissions: tuple[Permission, ...]
    yields: str  # admin | principal | compute | data | code-exec
    trusted_service: str | None = None  # the service the passed role must trust
    requires_resource: tuple[str, ...] = ()  # resource types, any of which must exist
    references: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


_TECHNIQUES_DIR = Path(__file__).resolve().parents[2] / "rules" / "techniques"


@cache
def load_techniques() -> dict[str, Technique]:
    """The technique catalogue, from rules/techniques/*.yaml (data, not code)."""
    import yaml

    out: dict[str, Technique] = {}
    known = {
        "id",
        "provider",
        "title",
        "description",
        "permissions",
        "yields",
        "trusted_service",
        "requires_resource",
        "references",
    }
    for path in sorted(_TECHNIQUES_DIR.glob("*.yaml")):
        for t in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if t["id"] in out:
                raise ValueError(f"{path.name}: duplicate technique id {t['id']}")
            perms = tuple(
                Permission(p) if isinstance(p, str) else Permission(p["action"], p.get("resource", "*"))
                for p in t.get("permissions") or []
            )
            out[t["id"]] = Technique(
                id=t["id"],
                provider=t["provider"],
                title=t["title"],
                description=t.get("description", ""),
                permissions=perms,
                yields=t["yields"],
                trusted_service=t.get("trusted_service"),
                requires_resource=tuple(t.get("requires_resource") or ()),
                references=tuple(t.get("references") or ()),
                extra={k: v for k, v in t.items() if k not in known},
            )
    return out


class PrivilegeGraph:
    """A networkx MultiDiGraph of `Node`s and `Edge`s (several techniques may join the
    same pair), plus an alias index (ARN, email, ``cluster/ns/name`` -> node id)."""

    def __init__(self) -> None:
        self.g = nx.MultiDiGraph()
        self._alias: dict[str, str] = {}
        # per-build scratch space for contributors (what add_nodes learned, for add_edges)
        self.state: dict[str, Any] = {}

    # -- nodes ------------------------------------------------------------------------
    def add_node(self, node: Node) -> None:
        if node.id not in self.g:
            self.g.add_node(node.id, node=node)

    def has(self, node_id: str) -> bool:
        return node_id in self.g

    def node(self, node_id: str) -> Node:
        return self.g.nodes[node_id]["node"]

    def nodes(self, kind: str | None = None) -> Iterator[Node]:
        for _, data in self.g.nodes(data=True):
            n = data["node"]
            if kind is None or n.kind == kind:
                yield n

    def alias(self, name: str, node_id: str) -> None:
        """Another name for a node: an ARN, a service account email, ``cluster/ns/sa``."""
        self._alias.setdefault(name, node_id)

    def resolve(self, name: str) -> str | None:
        """The node id for a node id or an alias; None when unknown."""
        if name in self.g:
            return name
        return self._alias.get(name)

    # -- edges ------------------------------------------------------------------------
    def add_edge(self, edge: Edge) -> None:
        """Add an edge; of two edges with the same ends and technique, the more certain wins."""
        if edge.src not in self.g or edge.dst not in self.g:
            raise KeyError(f"edge {edge.technique}: unknown node {edge.src!r} or {edge.dst!r}")
        key = edge.technique
        old = self.g.get_edge_data(edge.src, edge.dst, key)
        if old is not None and CONFIDENCES.index(old["edge"].confidence) <= CONFIDENCES.index(
            edge.confidence
        ):
            return
        self.g.add_edge(edge.src, edge.dst, key=key, edge=edge)

    def edges_from(self, node_id: str) -> Iterator[Edge]:
        for _, _, data in self.g.out_edges(node_id, data=True):
            yield data["edge"]

    def edges(self) -> Iterator[Edge]:
        for _, _, data in self.g.edges(data=True):
            yield data["edge"]


class Contributor(Protocol):
    """A provider module: `add_nodes` for every contributor runs before any `add_edges`."""

    def add_nodes(self, inv: Any, graph: PrivilegeGraph) -> None: ...

    def add_edges(self, inv: Any, graph: PrivilegeGraph) -> None: ...
