"""Modules: what a directory declares (`ModuleDef`), and one instance of it with its
inputs (`ModuleInstance`), which resolves names for the evaluator and expands resources
into `TfResource` records.

Everything is lazy and memoised per instance: a local, a variable or a resource attribute
is evaluated at most once, when first needed, and a cycle among them yields `Unresolved`
instead of recursing forever."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tree_sitter import Node

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.model import TfResource, uid_for

from .body import Attr, Block, Body, ParsedFile
from .evaluator import Evaluator, Step, invalid
from .functions import is_known
from .policy_doc import render_policy_document
from .suppressions import suppressions_for

MAX_MODULE_DEPTH = 20
MAX_INSTANCES = 10_000  # per block: a count of a million is a typo or an attack, not a fleet
RESOURCE_META = frozenset(
    {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
)
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@dataclass
class ModuleDef:
    """The declarations of one module directory, merged over its files."""

    dir: Path
    files: list[ParsedFile]
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attr] = field(default_factory=dict)
    resources: dict[tuple[str, str, str], Block] = field(default_factory=dict)  # (mode, type, name)
    resource_types: set[str] = field(default_factory=set)
    modules: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    providers: dict[str, Block] = field(default_factory=dict)  # "aws" or "aws.<alias>" -> block
    suppressions: dict[str, list] = field(default_factory=dict)  # file -> [(line, Suppression)]

    @classmethod
    def build(cls, directory: Path, files: list[ParsedFile]) -> ModuleDef:
        m = cls(directory, files)
        for f in files:
            m.suppressions[f.path] = f.suppressions
            for b in f.body.blocks:
                if not b.file:
                    b.file = f.path
                n = len(b.labels)
                if b.type == "resource" and n == 2:
                    m.resources.setdefault(("managed", b.labels[0], b.labels[1]), b)
                    m.resource_types.add(b.labels[0])
                elif b.type == "data" and n == 2:
                    m.resources.setdefault(("data", b.labels[0], b.labels[1]), b)
                elif b.type == "variable" and n == 1:
                    m.variables.setdefault(b.labels[0], b)
                elif b.type == "locals":
                    for name, attr in b.body.attrs.items():
                        m.locals.setdefault(name, attr)
                elif b.type == "module" and n == 1:
                    m.modules.setdefault(b.labels[0], b)
                elif b.type == "output" and n == 1:
                    m.outputs.setdefault(b.labels[0], b)
                elif b.type == "provider" and n == 1:
                    alias = b.body.attrs.get("alias")
                    name = constant(alias.expr) if alias is not None else None
                    key = f"{b.labels[0]}.{name}" if isinstance(name, str) and name else b.labels[0]
                    m.providers.setdefault(key, b)
        return m

    def local_sources(self) -> list[tuple[str, Path]]:
        """(module name, resolved directory) of every local module call."""
        out = []
        for name, block in self.modules.items():
            src = literal_source(block)
            if src is not None and is_local_source(src):
                out.append((name, (self.dir / src).resolve()))
        return out


def literal_source(block: Block) -> str | None:
    attr = block.body.attrs.get("source")
    if attr is None:
        return None
    v = Evaluator(_NO_NAMES).eval(attr.expr, {})
    return v if isinstance(v, str) else None


def is_local_source(src: str) -> bool:
    return src.startswith(("./", "../", ".\\", "..\\")) or src in (".", "..")


class _NoNames:
    """A scope where no name resolves: for tfvars and module sources, which are literals."""

    def lookup(self, root: str, steps: list[Step], text: str, env: dict) -> tuple[Any, int]:
        return Unresolved(text), len(steps)

    def read_file(self, path: str) -> Any:
        return Unresolved(f"file({path})")


_NO_NAMES = _NoNames()


def constant(expr: Any) -> Any:
    return Evaluator(_NO_NAMES).eval(expr, {})


def index_label(key: Any) -> str:
    """An instance key as Terraform prints it: [0] or ["name"]."""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


def _has_unresolved(v: Any) -> bool:
    if isinstance(v, Unresolved):
        return True
    if isinstance(v, dict):
        return any(_has_unresolved(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_unresolved(x) for x in v)
    return False


def _steps_text(steps: list[Step]) -> str:
    out = ""
    for kind, key in steps:
        if kind == "attr":
            out += f".{key}" if out else str(key)
        else:
            out += index_label(key) if isinstance(key, int | str) else "[?]"
    return out


class Host:
    """What instances need from the loader: file reading, module definitions, errors."""

    root: Path  # the scan root

    def module_def(self, directory: Path) -> ModuleDef | None: ...
    def read_text(self, path: Path) -> str | None: ...
    def error(self, reason: str, file: str | None, unscanned: str) -> None: ...


Instance = tuple[str, Any, dict]  # (name with index, key or None, env)


class ModuleInstance:
    def __init__(
        self,
        host: Host,
        mdef: ModuleDef,
        path: str,
        root_rel: str,
        root_dir: Path,
        inputs: dict[str, Callable[[], Any]] | None = None,
        tfvars: dict[str, Any] | None = None,
        ancestry: tuple[Path, ...] = (),
        parent: ModuleInstance | None = None,
        provider_map: dict[str, str] | None = None,
    ):
        self.host = host
        self.mdef = mdef
        self.path = path  # "" or "module.a" or "module.a[0].module.b"
        self.root_rel = root_rel
        self.root_dir = root_dir
        self.inputs = inputs or {}
        self.tfvars = tfvars or {}
        self.ancestry = (*ancestry, mdef.dir)
        # Provider configurations come from the caller: the default (unaliased) ones
        # implicitly, or exactly those a `providers = {...}` argument maps (provider_map).
        self.parent = parent
        self.provider_map = provider_map
        self.ev = Evaluator(self)
        self._memo: dict[tuple, Any] = {}
        self._busy: set[tuple] = set()
        self._children: dict[tuple[str, Any], tuple[ModuleInstance | None, str | None]] = {}
        self._instances: dict[tuple, list[Instance]] = {}
        rel = os.path.relpath(mdef.dir, root_dir)
        self._path_module = Path(rel).as_posix()

    # ------------------------------------------------------------------ memo
    def _once(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return Unresolved(f"cycle: {'.'.join(str(k) for k in key)}")
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        self._memo[key] = value
        return value

    # ------------------------------------------------------------------ names
    def var(self, name: str) -> Any:
        return self._once(("var", name), lambda: self._var(name))

    def _var(self, name: str) -> Any:
        if name in self.inputs:
            return self.inputs[name]()
        if name in self.tfvars:
            return self.tfvars[name]
        block = self.mdef.variables.get(name)
        if block is not None and "default" in block.body.attrs:
            return self.ev.eval(block.body.attrs["default"].expr, {})
        return Unresolved(f"var.{name}")

    def local(self, name: str) -> Any:
        attr = self.mdef.locals.get(name)
        if attr is None:
            return invalid(f"local.{name}")
        value = self._once(("local", name), lambda: self.ev.eval(attr.expr, {}))
        if isinstance(value, Unresolved) and value.expr.startswith("cycle: "):
            return Unresolved(f"local.{name}")
        return value

    def lookup(self, root: str, steps: list[Step], text: str, env: dict) -> tuple[Any, int]:
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        if root == "var" and first is not None:
            return self.var(first), 1
        if root == "local" and first is not None:
            return self.local(first), 1
        if root in ("each", "count"):
            return Unresolved(f"{root}.{first}" if first else root), len(steps)
        if root == "path" and first in ("module", "root", "cwd"):
            return (self._path_module if first == "module" else "."), 1
        if root == "terraform" and first == "workspace":
            return "default", 1
        if root == "module" and first is not None:
            return self._module_ref(first, steps[1:], text)
        if root == "data" and len(steps) >= 2 and steps[1][0] == "attr" and first is not None:
            value, used = self._resource_ref("data", first, steps[1:], text)
            return value, used + 1
        if root in self.mdef.resource_types:
            return self._resource_ref("managed", root, steps, text)
        return Unresolved(text), len(steps)

    # ------------------------------------------------------------------ instances
    def instances(self, mode: str, rtype: str, name: str, block: Block) -> list[Instance]:
        key = (mode, rtype, name)
        if key not in self._instances:
            self._instances[key] = self._expand(block, name)
        return self._instances[key]

    def _expand(self, block: Block, label: str, env: dict | None = None) -> list[Instance]:
        env = env or {}
        attrs = block.body.attrs
        if "count" in attrs:
            n = self.ev.eval(attrs["count"].expr, env)
            if isinstance(n, str) and n.isdigit():
                n = int(n)
            if isinstance(n, bool) or not isinstance(n, int | float):
                return [(label, None, {"count": {"index": Unresolved("count.index")}})]
            if n > MAX_INSTANCES:
                self.host.error(
                    f"count {n} is over the {MAX_INSTANCES}-instance limit; the first "
                    f"{MAX_INSTANCES} are scanned",
                    block.file,
                    f"instances of {label} beyond the limit",
                )
            return [(f"{label}[{i}]", i, {"count": {"index": i}}) for i in range(min(int(n), MAX_INSTANCES))]
        if "for_each" in attrs:
            coll = self.ev.eval(attrs["for_each"].expr, env)
            unknown = [
                (label, None, {"each": {"key": Unresolved("each.key"), "value": Unresolved("each.value")}})
            ]
            if isinstance(coll, dict):
                items = sorted(coll.items())
            elif isinstance(coll, list) and all(isinstance(x, str) for x in coll):
                items = [(x, x) for x in sorted(set(coll))]
            else:
                return unknown
            return [
                (f"{label}{index_label(k)}", k, {"each": {"key": k, "value": v}})
                for k, v in items[:MAX_INSTANCES]
            ]
        return [(label, None, {})]

    def address(self, mode: str, rtype: str, name: str) -> str:
        local = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
        return f"{self.path}.{local}" if self.path else local

    # ------------------------------------------------------------------ references
    def _resource_ref(self, mode: str, rtype: str, steps: list[Step], text: str) -> tuple[Any, int]:
        if not steps or steps[0][0] != "attr":
            return Unresolved(text), len(steps)
        name = steps[0][1]
        block = self.mdef.resources.get((mode, rtype, name))
        if block is None:
            return invalid(text), len(steps)
        used = 1
        instances = self.instances(mode, rtype, name, block)
        expanded = "count" in block.body.attrs or "for_each" in block.body.attrs
        if expanded:
            if used < len(steps) and steps[used][0] == "index":
                key = steps[used][1]
                used += 1
                if not is_known(key):
                    return Unresolved(text), len(steps)
                match = [i for i in instances if i[1] == key or (i[1] is not None and str(i[1]) == str(key))]
                if not match and len(instances) == 1 and instances[0][1] is None:
                    match = instances  # count/for_each unknown: the one plain instance stands for all
                if not match:
                    return invalid(text), len(steps)
                inst = match[0]
            else:
                return Unresolved(text), len(steps)  # the whole collection of instances
        else:
            inst = instances[0]
        inst_name, _, env = inst
        address = self.address(mode, rtype, inst_name)
        uid = uid_for(self.root_rel, address)
        if used >= len(steps):
            return Ref(uid, ""), used
        kind, attr = steps[used]
        if kind != "attr":
            return Unresolved(text), len(steps)
        if mode == "data" and rtype == "aws_iam_policy_document" and attr == "json":
            doc = self._once(
                ("policy", address), lambda: render_policy_document(self.config(block, env, address)[0])
            )
            return doc, used + 1
        if attr in block.body.attrs and attr not in RESOURCE_META:
            v = self.attr_value(address, block, attr, env)
            if not _has_unresolved(v):
                return v, used + 1
        elif any(
            b.type == attr or (b.type == "dynamic" and b.labels[:1] == [attr]) for b in block.body.blocks
        ):
            config = self.config(block, env, address)[0]
            v = config.get(attr)
            if not _has_unresolved(v):
                return v, used + 1
        if mode == "data":
            return Unresolved(text), len(steps)
        return Ref(uid, _steps_text(steps[used:])), len(steps)

    def attr_value(self, address: str, block: Block, attr: str, env: dict) -> Any:
        return self._once(("attr", address, attr), lambda: self.ev.eval(block.body.attrs[attr].expr, env))

    def _module_ref(self, name: str, steps: list[Step], text: str) -> tuple[Any, int]:
        block = self.mdef.modules.get(name)
        if block is None:
            return invalid(text), len(steps) + 1
        used = 1
        key = None
        if "count" in block.body.attrs or "for_each" in block.body.attrs:
            if not steps or steps[0][0] != "index" or not is_known(steps[0][1]):
                return Unresolved(text), len(steps) + 1
            key = steps[0][1]
            used += 1
        rest = steps[used - 1 :]
        if not rest:
            return Unresolved(text), used
        if rest[0][0] != "attr":
            return Unresolved(text), len(steps) + 1
        child = self.child(name, key)
        if child is None:
            return Unresolved(text), len(steps) + 1
        return child.output(rest[0][1], text), used + 1

    def output(self, name: str, text: str) -> Any:
        block = self.mdef.outputs.get(name)
        if block is None or "value" not in block.body.attrs:
            return invalid(text)
        return self._once(("output", name), lambda: self.ev.eval(block.body.attrs["value"].expr, {}))

    def read_file(self, path: str) -> Any:
        p = Path(path)
        candidates = [p] if p.is_absolute() else [self.root_dir / p, self.mdef.dir / p]
        for c in candidates:
            text = self.host.read_text(c)
            if text is not None:
                return text
        return Unresolved(f"file({path})")

    # ------------------------------------------------------------------ child modules
    def module_instances(self, name: str) -> list[Instance]:
        key = ("module", "module", name)
        if key not in self._instances:
            self._instances[key] = self._expand(self.mdef.modules[name], name)
        return self._instances[key]

    def child(self, name: str, key: Any) -> ModuleInstance | None:
        return self._child(name, key)[0]

    def _child(self, name: str, key: Any) -> tuple[ModuleInstance | None, str | None]:
        ck = (name, key if key is None or isinstance(key, int | str) else str(key))
        if ck in self._children:
            return self._children[ck]
        self._children[ck] = (None, "module cycle")  # guards re-entry while building
        result = self._make_child(name, key)
        self._children[ck] = result
        return result

    def _make_child(self, name: str, key: Any) -> tuple[ModuleInstance | None, str | None]:
        block = self.mdef.modules[name]
        src = literal_source(block)
        if src is None:
            return None, "module has no literal source"
        if not is_local_source(src):
            return None, f"remote module source not fetched: {src}"
        directory = (self.mdef.dir / src).resolve()
        if not directory.is_relative_to(self.host.root):
            return None, f"local module source outside the scanned tree: {src}"
        if directory in self.ancestry:
            return None, f"module cycle: {src} is already being evaluated"
        if len(self.ancestry) > MAX_MODULE_DEPTH:
            return None, f"modules nested deeper than {MAX_MODULE_DEPTH}"
        mdef = self.host.module_def(directory)
        if mdef is None:
            return None, f"local module source not found or unreadable: {src}"
        inst = [i for i in self.module_instances(name) if i[1] == key] or self.module_instances(name)[:1]
        label, _, env = inst[0] if inst else (name, None, {})
        inputs = {
            arg: (lambda a=attr: self.ev.eval(a.expr, env))
            for arg, attr in block.body.attrs.items()
            if arg not in MODULE_META
        }
        path = f"{self.path}.module.{label}" if self.path else f"module.{label}"
        child = ModuleInstance(
            self.host,
            mdef,
            path,
            self.root_rel,
            self.root_dir,
            inputs,
            None,
            self.ancestry,
            parent=self,
            provider_map=provider_map(block.body.attrs.get("providers")),
        )
        return child, None

    # ------------------------------------------------------------------ expansion
    def expand(self, out: list[TfResource]) -> None:
        """Every resource and data source of this instance and of its module calls."""
        for (mode, rtype, name), block in self.mdef.resources.items():
            sups = suppressions_for(
                self.mdef.suppressions.get(block.file, []), block.start_line, block.end_line
            )
            try:
                instances = self.instances(mode, rtype, name, block)
            except Exception as e:  # an evaluator bug costs this block, not the scan
                self.host.error(
                    f"cannot evaluate count/for_each: {type(e).__name__}: {e}",
                    block.file,
                    f"resource {self.address(mode, rtype, name)}",
                )
                continue
            defaults = self.resource_default_tags(rtype, block)
            for inst_name, _, env in instances:
                address = self.address(mode, rtype, inst_name)
                try:
                    config, lines = self.config(block, env, address)
                except Exception as e:
                    self.host.error(
                        f"cannot evaluate: {type(e).__name__}: {e}", block.file, f"resource {address}"
                    )
                    continue
                out.append(
                    TfResource(
                        mode=mode,
                        type=rtype,
                        name=inst_name,
                        module=self.path,
                        config=config,
                        file=block.file,
                        start_line=block.start_line,
                        end_line=block.end_line,
                        lines=lines,
                        suppressions=list(sups),
                        root=self.root_rel,
                        dialect="terraform",
                        default_tags=defaults,
                    )
                )
        for name, block in self.mdef.modules.items():
            for _, key, _ in self.module_instances(name):
                child, reason = self._child(name, key)
                if child is None:
                    if reason:
                        self.host.error(reason, block.file, f"resources of module {name}")
                    continue
                child.expand(out)

    # ------------------------------------------------------------------ provider default tags
    def resource_default_tags(self, rtype: str, block: Block) -> Any:
        """The tags (AWS `default_tags`) or labels (Google `default_labels`) that the
        resource's provider configuration adds: a dict, Unresolved, or None."""
        attr = block.body.attrs.get("provider")
        key = traversal_text(attr.expr) if attr is not None else None
        if not key:
            key = rtype.split("_", 1)[0]
        if key.split(".", 1)[0] not in DEFAULT_TAGS_OF:
            return None
        return self.provider_default_tags(key)

    def provider_default_tags(self, key: str) -> Any:
        block = self.mdef.providers.get(key)
        if block is not None:
            return self._once(("provider", key), lambda: self._default_tags(key, block))
        if self.parent is None:
            return None
        if self.provider_map is None:
            # without a `providers` argument only default configurations are inherited
            return None if "." in key else self.parent.provider_default_tags(key)
        mapped = self.provider_map.get(key)
        return self.parent.provider_default_tags(mapped) if mapped else None

    def _default_tags(self, key: str, block: Block) -> Any:
        config = self._body(block.body, {}, "", {})
        return DEFAULT_TAGS_OF[key.split(".", 1)[0]](config)

    def config(self, block: Block, env: dict, address: str) -> tuple[dict, dict[str, int]]:
        return self._once(("config", address), lambda: self._config(block, env, address))

    def _config(self, block: Block, env: dict, address: str) -> tuple[dict, dict[str, int]]:
        lines: dict[str, int] = {}
        config: dict[str, Any] = {}
        for name, attr in block.body.attrs.items():
            if name in RESOURCE_META:
                continue
            config[name] = self.attr_value(address, block, name, env)
            if attr.line is not None:
                lines[name] = attr.line
            _value_lines(attr.expr, name, lines)
        self._blocks(block.body, env, "", config, lines, top=True)
        return config, lines

    def _body(self, body: Body, env: dict, prefix: str, lines: dict[str, int]) -> dict:
        out: dict[str, Any] = {}
        for name, attr in body.attrs.items():
            out[name] = self.ev.eval(attr.expr, env)
            if attr.line is not None:
                lines[prefix + name] = attr.line
            _value_lines(attr.expr, prefix + name, lines)
        self._blocks(body, env, prefix, out, lines, top=False)
        return out

    def _blocks(
        self, body: Body, env: dict, prefix: str, out: dict, lines: dict[str, int], top: bool
    ) -> None:
        for blk in body.blocks:
            if top and blk.type in RESOURCE_META:
                continue
            if blk.type == "dynamic" and blk.labels:
                self._dynamic(blk, env, prefix, out, lines)
                continue
            items = out.setdefault(blk.type, [])
            if not isinstance(items, list):
                continue  # an attribute of the same name, or an unknown dynamic block
            p = f"{prefix}{blk.type}[{len(items)}]"
            if blk.start_line is not None:
                lines[p] = blk.start_line
            items.append(self._body(blk.body, env, p + ".", lines))

    def _dynamic(self, blk: Block, env: dict, prefix: str, out: dict, lines: dict[str, int]) -> None:
        label = blk.labels[0]
        fe = blk.body.attrs.get("for_each")
        content = next((b for b in blk.body.blocks if b.type == "content"), None)
        if fe is None or content is None:
            return
        iterator = label
        if "iterator" in blk.body.attrs:
            it = blk.body.attrs["iterator"].expr
            iterator = it.text.decode() if isinstance(it, Node) else str(getattr(it, "value", label))
        coll = self.ev.eval(fe.expr, env)
        if isinstance(coll, dict):
            pairs = sorted(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            out[label] = coll if isinstance(coll, Unresolved) else Unresolved(f"dynamic {label}")
            if blk.start_line is not None:
                lines[prefix + label] = blk.start_line
            return
        items = out.setdefault(label, [])
        if not isinstance(items, list):
            return
        for k, v in pairs:
            inner = {**env, iterator: {"key": k, "value": v}}
            p = f"{prefix}{label}[{len(items)}]"
            if content.start_line is not None:
                lines[p] = content.start_line
            items.append(self._body(content.body, inner, p + ".", lines))


def _aws_default_tags(config: dict) -> Any:
    blocks = config.get("default_tags")
    if isinstance(blocks, Unresolved):
        return blocks
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict):
        return blocks[0].get("tags")
    return None


DEFAULT_TAGS_OF: dict[str, Callable[[dict], Any]] = {
    "aws": _aws_default_tags,
    "google": lambda config: config.get("default_labels"),
    "google-beta": lambda config: config.get("default_labels"),
}


def traversal_text(expr: Any) -> str | None:
    """A bare reference such as `aws.east` (the `provider` meta-argument and the keys and
    values of a module's `providers` map), as text."""
    if isinstance(expr, Node):
        text = expr.text.decode()
    elif isinstance(getattr(expr, "value", None), str):
        text = expr.value
    else:
        return None
    text = text.strip().strip('"')
    return text if re.fullmatch(r"[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)?", text) else None


def provider_map(attr: Attr | None) -> dict[str, str] | None:
    """A module call's `providers = { aws = aws.east, aws.west = aws }` as {child: parent}."""
    if attr is None:
        return None
    expr = attr.expr
    if isinstance(expr, Node):
        pairs = re.findall(r"([A-Za-z][\w.-]*)\s*[=:]\s*([A-Za-z][\w.-]*)", expr.text.decode())
    elif isinstance(getattr(expr, "value", None), dict):
        pairs = [(k, v) for k, v in expr.value.items() if isinstance(v, str)]
    else:
        return {}
    return {k.strip('"'): v.strip('"') for k, v in pairs}


def _value_lines(expr: Any, path: str, lines: dict[str, int]) -> None:
    """Lines of the keys and items of an object or tuple written in place, so a finding on
    `environment[0].variables.TOKEN` points at the TOKEN line."""
    if not isinstance(expr, Node) or expr.child_count != 1:
        return
    coll = expr.children[0]
    if coll.type != "collection_value":
        return
    c = coll.children[0]
    if c.type == "tuple":
        if c.start_point[0] == c.end_point[0]:
            return  # a one-line list: its own line is precise enough
        items = [x for x in c.children if x.type == "expression"]
        for i, item in enumerate(items):
            p = f"{path}[{i}]"
            lines[p] = item.start_point[0] + 1
            _value_lines(item, p, lines)
        return
    for elem in c.children:
        if elem.type != "object_elem":
            continue
        key_node = elem.children[0]
        key = _literal_key(key_node)
        if key is None:
            continue
        p = f"{path}.{key}"
        lines[p] = elem.start_point[0] + 1
        value = next((x for x in elem.children[1:] if x.type == "expression"), None)
        if value is not None:
            _value_lines(value, p, lines)


def _literal_key(key_node: Node) -> str | None:
    kids = key_node.children
    if len(kids) != 1:
        return None
    k = kids[0]
    if k.type == "variable_expr":
        return k.text.decode()
    if k.type == "literal_value" and k.children[0].type == "string_lit":
        return "".join(c.text.decode() for c in k.children[0].children if c.type == "template_literal")
    return None
