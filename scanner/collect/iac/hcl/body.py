"""A dialect-neutral view of a parsed Terraform file: bodies of attributes and blocks.

HCL files keep tree-sitter nodes as attribute expressions; `.tf.json` files keep plain
JSON values (`JsonExpr`). The evaluator accepts either, so the rest of the front-end
never needs to know which syntax a module was written in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class JsonExpr:
    """An expression from a `.tf.json` file: a JSON value whose strings may be templates."""

    value: Any
    line: int | None = None


@dataclass(slots=True)
class Attr:
    name: str
    expr: Any  # tree_sitter.Node or JsonExpr
    line: int | None


@dataclass(slots=True)
class Body:
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    start_line: int | None
    end_line: int | None
    file: str = ""  # relative to the scan root


@dataclass
class ParsedFile:
    path: str  # relative to the scan root, POSIX
    body: Body
    suppressions: list = field(default_factory=list)  # [(line, Suppression)]
