"""The privilege graph as GraphML (for Gephi, yEd, Neo4j's importer) or JSON. Attribute
values are flattened to strings and numbers, which GraphML requires."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from scanner.graph.model import Edge, Node, PrivilegeGraph

FORMATS = ("graphml", "json")


def node_dict(n: Node) -> dict:
    d = {"id": n.id, "kind": n.kind, "type": n.type, "label": n.label, "provider": n.provider}
    if n.scope:
        d["scope"] = n.scope
    if n.sensitive:
        d["sensitive"] = n.sensitive
    if n.location is not None:
        d["file"] = n.location.file
        if n.location.start_line is not None:
            d["line"] = n.location.start_line
    return d


def edge_dict(e: Edge) -> dict:
    d = {
        "source": e.src,
        "target": e.dst,
        "technique": e.technique,
        "permissions": list(e.permissions),
        "confidence": e.confidence,
        "conditions": list(e.conditions),
        "granted_by": list(e.granted_by),
    }
    if e.location is not None:
        d["file"] = e.location.file
        if e.location.start_line is not None:
            d["line"] = e.location.start_line
    if e.note:
        d["note"] = e.note
    return d


def to_json(graph: PrivilegeGraph) -> str:
    nodes = sorted((node_dict(n) for n in graph.nodes()), key=lambda d: d["id"])
    edges = sorted(
        (edge_dict(e) for e in graph.edges()), key=lambda d: (d["source"], d["target"], d["technique"])
    )
    return json.dumps(
        {"format": "mlposture-privilege-graph", "version": 1, "nodes": nodes, "edges": edges}, indent=1
    )


def _flat(d: dict) -> dict:
    return {
        k: "; ".join(v) if isinstance(v, list) else v
        for k, v in d.items()
        if k not in ("id", "source", "target")
    }


def to_graphml(graph: PrivilegeGraph) -> str:
    """GraphML written here: networkx 2.6's writer (pinned by Checkov) fails on NumPy 2."""
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    nodes = [_flat(node_dict(n)) | {"id": n.id} for n in graph.nodes()]
    edges = [_flat(edge_dict(e)) | {"source": e.src, "target": e.dst} for e in graph.edges()]
    keys: dict[tuple[str, str], str] = {}
    for domain, items in (("node", nodes), ("edge", edges)):
        for item in items:
            for k, v in item.items():
                if k in ("id", "source", "target") or (domain, k) in keys:
                    continue
                kid = keys[(domain, k)] = f"{domain[0]}_{k}"
                typ = "int" if isinstance(v, int) else "string"
                ET.SubElement(root, "key", {"id": kid, "for": domain, "attr.name": k, "attr.type": typ})
    g = ET.SubElement(root, "graph", id="mlposture", edgedefault="directed")
    for item in sorted(nodes, key=lambda d: d["id"]):
        el = ET.SubElement(g, "node", id=item["id"])
        _data(el, "node", item, keys)
    for item in sorted(edges, key=lambda d: (d["source"], d["target"], d["technique"])):
        el = ET.SubElement(g, "edge", source=item["source"], target=item["target"])
        _data(el, "edge", item, keys)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _data(el: ET.Element, domain: str, item: dict, keys: dict) -> None:
    for k, v in item.items():
        if k in ("id", "source", "target") or v is None:
            continue
        ET.SubElement(el, "data", key=keys[(domain, k)]).text = str(v)


def export(graph: PrivilegeGraph, fmt: str) -> str:
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "json":
        return to_json(graph)
    raise ValueError(f"unknown graph format {fmt!r}; choose from {', '.join(FORMATS)}")
