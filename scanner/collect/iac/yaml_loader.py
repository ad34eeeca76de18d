"""Safe YAML (and JSON) loading for untrusted IaC: line numbers on every mapping and list,
CloudFormation short-form tags, and hard limits against alias bombs and deep nesting.

PyYAML's SafeLoader shares aliased nodes instead of copying them, so a "billion laughs"
document loads quickly and explodes only when something walks it. We therefore count the
size each node would have once aliases were expanded, while composing, and refuse the
document as soon as that passes `max_nodes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml import SafeLoader
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # libyaml's scanner and parser (C), with PyYAML's own composer on top
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None


if CParser is not None:

    class _FastSafeBase(Composer, CParser, SafeConstructor, Resolver):
        """SafeLoader's behaviour with the scanner and parser in C. Composer comes first in
        the MRO so composing stays in Python, where the limits below hook in; CParser's own
        C composer is never used. Scanning and parsing were four fifths of a load."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _BASE = _FastSafeBase
else:  # pragma: no cover
    _BASE = SafeLoader


class YamlLimitError(ValueError):
    """The document breaks a safety limit (alias expansion, depth)."""


class YamlDuplicateKeyError(ValueError):
    """A mapping names a key twice (only with reject_duplicate_keys): `duplicates` holds
    (key, first line, repeated line) for every one in the document, 1-based."""

    def __init__(self, duplicates: list[tuple[str, int, int]]):
        self.duplicates = duplicates
        super().__init__(
            "; ".join(f"key {k!r} on line {second} repeats line {first}" for k, first, second in duplicates)
        )


@dataclass(frozen=True)
class YamlLimits:
    # Nodes per document, after alias expansion. Also a time bound: composing (in Python,
    # for the hooks) runs at about 150k nodes a second here, so a hostile document costs at
    # most a second or two; real manifests and templates, even whole CRD bundles, stay far
    # below this.
    max_nodes: int = 200_000
    max_depth: int = 200
    max_aliases: int = 10_000


class LineDict(dict):
    """A mapping that knows where it stands: `start_line`, `end_line` (1-based) and the
    line of each key in `key_lines`."""

    __slots__ = ("start_line", "end_line", "key_lines")


class LineList(list):
    __slots__ = ("start_line", "end_line")


CFN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!ToJsonString": "Fn::ToJsonString",
    "!Length": "Fn::Length",
    "!ForEach": "Fn::ForEach",
}


def _make_loader(limits: YamlLimits, cfn: bool, reject_duplicate_keys: bool = False):
    class Loader(_BASE):
        def __init__(self, stream):
            super().__init__(stream)
            self.duplicates: list[tuple[str, int, int]] = []
            self._sizes: dict[int, int] = {}
            self._depth = 0
            self._aliases = 0
            self._composed = 0  # nodes composed so far in this document: refuse early, not after

        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                self._aliases += 1
                if self._aliases > limits.max_aliases:
                    raise YamlLimitError(f"more than {limits.max_aliases} aliases")
            self._composed += 1
            if self._composed > limits.max_nodes:
                raise YamlLimitError(f"more than {limits.max_nodes} nodes")
            self._depth += 1
            if self._depth > limits.max_depth:
                raise YamlLimitError(f"nesting deeper than {limits.max_depth} levels")
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            return node

        def _size(self, node) -> int:
            return self._sizes.get(id(node), 1)

        def compose_sequence_node(self, anchor):
            node = super().compose_sequence_node(anchor)
            self._account(node, sum(self._size(n) for n in node.value))
            return node

        def compose_mapping_node(self, anchor):
            node = super().compose_mapping_node(anchor)
            self._account(node, sum(self._size(k) + self._size(v) for k, v in node.value))
            return node

        def _account(self, node, inner: int) -> None:
            size = 1 + inner
            if size > limits.max_nodes:
                raise YamlLimitError(f"document expands to more than {limits.max_nodes} nodes (alias bomb?)")
            self._sizes[id(node)] = size

        def construct_mapping(self, node, deep=False):
            if reject_duplicate_keys and isinstance(node, MappingNode):
                self._note_duplicates(node)
            if isinstance(node, MappingNode):
                self.flatten_mapping(node)
            d = LineDict()
            d.start_line = node.start_mark.line + 1
            d.end_line = node.end_mark.line + (0 if node.end_mark.column == 0 else 1)
            d.key_lines = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    key = str(key)
                d[key] = self.construct_object(value_node, deep=True)
                d.key_lines[key] = key_node.start_mark.line + 1
            return d

        def _note_duplicates(self, node) -> None:
            # Own keys only, before merge keys are flattened in: overriding a merged key is legal.
            seen: dict[tuple[str, str], int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                line, k = key_node.start_mark.line + 1, (key_node.tag, key_node.value)
                if k in seen:
                    self.duplicates.append((key_node.value, seen[k], line))
                else:
                    seen[k] = line

        def construct_sequence_lines(self, node):
            seq = LineList(self.construct_object(c, deep=True) for c in node.value)
            seq.start_line = node.start_mark.line + 1
            seq.end_line = node.end_mark.line + 1
            return seq

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", Loader.construct_sequence_lines)
    # Timestamps stay strings: a date in a manifest is data, not a datetime to re-serialize.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_str)

    if cfn:

        def construct_cfn(loader, tag_suffix, node):
            tag = "!" + tag_suffix
            fn = CFN_TAGS.get(tag)
            if fn is None:
                raise yaml.constructor.ConstructorError(None, None, f"unknown tag {tag}", node.start_mark)
            if isinstance(node, ScalarNode):
                val = loader.construct_scalar(node)
                if fn == "Fn::GetAtt" and isinstance(val, str):
                    val = val.split(".", 1)
            elif isinstance(node, SequenceNode):
                val = loader.construct_sequence_lines(node)
            else:
                val = loader.construct_mapping(node)
            out = LineDict({fn: val})
            out.start_line = node.start_mark.line + 1
            out.end_line = node.end_mark.line + 1
            out.key_lines = {fn: node.start_mark.line + 1}
            return out

        Loader.add_multi_constructor("!", construct_cfn)
    return Loader


_LOADERS: dict[tuple, type] = {}


def _loader(limits: YamlLimits, cfn: bool, reject_duplicate_keys: bool = False):
    key = (limits, cfn, reject_duplicate_keys)
    if key not in _LOADERS:
        _LOADERS[key] = _make_loader(limits, cfn, reject_duplicate_keys)
    return _LOADERS[key]


def load_all(
    text: str, *, cfn: bool = False, limits: YamlLimits = YamlLimits(), reject_duplicate_keys: bool = False
) -> list:
    """Every document of a YAML stream (JSON is accepted too). Raises yaml.YAMLError on
    syntax errors and YamlLimitError on limit breaches. Duplicate keys are last-wins, as in
    PyYAML, unless reject_duplicate_keys: then YamlDuplicateKeyError lists them all."""
    loader = _loader(limits, cfn, reject_duplicate_keys)(text)
    try:
        docs = []
        while loader.check_data():
            loader._composed = 0  # the node limit is per document
            docs.append(loader.get_data())
        if loader.duplicates:
            raise YamlDuplicateKeyError(loader.duplicates)
        return docs
    finally:
        loader.dispose()


def load_one(
    text: str, *, cfn: bool = False, limits: YamlLimits = YamlLimits(), reject_duplicate_keys: bool = False
):
    docs = load_all(text, cfn=cfn, limits=limits, reject_duplicate_keys=reject_duplicate_keys)
    return docs[0] if docs else None
