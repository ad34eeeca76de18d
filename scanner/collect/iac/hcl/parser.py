"""Parse Terraform files into `Body` trees: HCL with tree-sitter (compiled once per
process), `.tf.json` with the JSON syntax rules of Terraform, best effort."""

from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache

import tree_sitter_hcl
from tree_sitter import Language, Node, Parser

from .body import Attr, Block, Body, JsonExpr, ParsedFile
from .suppressions import find_suppressions


class HclSyntaxError(ValueError):
    pass


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_hcl.language()))


def parse_hcl_bytes(data: bytes) -> Node:
    """The root node of `data`; raises HclSyntaxError naming the first bad line."""
    tree = _parser().parse(data)
    root = tree.root_node
    if root.has_error:
        bad = _first_error(root)
        line = bad.start_point[0] + 1 if bad is not None else 1
        what = "missing " + bad.type if bad is not None and bad.is_missing else "syntax error"
        raise HclSyntaxError(f"{what} at line {line}")
    return root


def _first_error(node: Node) -> Node | None:
    for child in node.children:
        if child.type == "ERROR" or child.is_missing:
            return child
        if child.has_error:
            found = _first_error(child)
            if found is not None:
                return found
    return node if node.type == "ERROR" else None


def _label(node: Node) -> str:
    if node.type == "identifier":
        return node.text.decode()
    # string_lit: quoted_template_start, template_literal?, quoted_template_end
    return "".join(c.text.decode() for c in node.children if c.type == "template_literal")


def body_from_node(node: Node | None, file: str) -> Body:
    body = Body()
    if node is None:
        return body
    for child in node.children:
        t = child.type
        if t == "attribute":
            name = child.children[0].text.decode()
            expr = next(c for c in reversed(child.children) if c.type == "expression")
            body.attrs[name] = Attr(name, expr, child.start_point[0] + 1)
        elif t == "block":
            body.blocks.append(_block(child, file))
    return body


def _block(node: Node, file: str) -> Block:
    labels: list[str] = []
    inner = None
    btype = ""
    for i, c in enumerate(node.children):
        if i == 0:
            btype = c.text.decode()
        elif c.type in ("string_lit", "identifier"):
            labels.append(_label(c))
        elif c.type == "body":
            inner = c
    return Block(
        btype, labels, body_from_node(inner, file), node.start_point[0] + 1, node.end_point[0] + 1, file
    )


def parse_hcl(data: bytes, path: str) -> ParsedFile:
    text = data.decode("utf-8")  # UnicodeDecodeError is the caller's to report
    root = parse_hcl_bytes(data)
    body_node = next((c for c in root.children if c.type == "body"), None)
    return ParsedFile(path, body_from_node(body_node, path), find_suppressions(text))


# --------------------------------------------------------------------------- JSON syntax

# Block types whose JSON form nests labels as object keys, and how many labels they take.
_JSON_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def parse_json(data: bytes, path: str) -> ParsedFile:
    text = data.decode("utf-8")
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise HclSyntaxError(f"invalid JSON: {e}") from None
    if not isinstance(doc, dict):
        raise HclSyntaxError("a .tf.json file must hold a JSON object")
    finder = _LineFinder(text)
    body = Body()
    for btype, content in doc.items():
        if btype == "//":
            continue
        if btype == "locals":
            for item in content if isinstance(content, list) else [content]:
                if isinstance(item, dict):
                    body.blocks.append(
                        Block("locals", [], _json_body(item, finder), finder.line(btype), None, path)
                    )
            continue
        depth = _JSON_LABELS.get(btype)
        if depth is None:
            if isinstance(content, dict):  # terraform {...} and the like: unlabelled
                body.blocks.append(
                    Block(btype, [], _json_body(content, finder), finder.line(btype), None, path)
                )
            continue
        for labels, inner in _unnest(content, depth):
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, dict):
                    line = finder.line(labels[-1])
                    body.blocks.append(Block(btype, labels, _json_body(item, finder), line, None, path))
    return ParsedFile(path, body, find_suppressions(text))


def _unnest(content, depth: int, labels: tuple = ()):
    if depth == 0:
        yield list(labels), content
        return
    if isinstance(content, dict):
        for k, v in content.items():
            yield from _unnest(v, depth - 1, (*labels, k))


def _is_block(v) -> bool:
    """Without a provider schema, JSON cannot tell a nested block from a map attribute;
    a nested object that itself holds objects or lists is taken for a block."""
    if isinstance(v, dict):
        return any(isinstance(x, dict | list) for x in v.values())
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) and _is_block(x) for x in v)


def _json_body(d: dict, finder: _LineFinder) -> Body:
    body = Body()
    for k, v in d.items():
        if k == "//":
            continue
        line = finder.line(k)
        if k == "dynamic" and isinstance(v, dict):
            for label, inner in v.items():
                for item in inner if isinstance(inner, list) else [inner]:
                    if isinstance(item, dict):
                        body.blocks.append(Block("dynamic", [label], _json_body(item, finder), line, None))
        elif k not in ("count", "for_each") and _is_block(v):
            for item in v if isinstance(v, list) else [v]:
                body.blocks.append(Block(k, [], _json_body(item, finder), line, None))
        else:
            body.attrs[k] = Attr(k, JsonExpr(v, line), line)
    return body


class _LineFinder:
    """Best-effort line numbers for JSON keys: the next occurrence of the key after the
    last one found, so keys that repeat are found in document order."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self._nl = [m.start() for m in re.finditer("\n", text)]

    def line(self, key: str) -> int | None:
        i = self.text.find(json.dumps(key), self.pos)
        if i < 0:
            i = self.text.find(json.dumps(key))
            if i < 0:
                return None
        else:
            self.pos = i + 1
        return bisect.bisect_left(self._nl, i) + 1
