"""Evaluate HCL expressions (tree-sitter nodes or `.tf.json` values) into Python values.

Values are str, int/float, bool, None, list, dict, `Unresolved` (cannot be known before
apply, or the scanner cannot tell) and `Ref` (another resource's computed attribute).
Anything built from an unknown part is unknown itself, except where Terraform would still
know the answer (`false && x`, `length([x, y])`, a conditional on a known condition).

What names mean (var, local, resources, modules) is the `Scope`'s business; this module
knows only the language."""

from __future__ import annotations

import re
from typing import Any, Protocol

from tree_sitter import Node

from scanner.model.resource import Ref, Unresolved

from .body import JsonExpr
from .functions import FUNCTIONS, INVALID, call_function, is_known, to_str

# Steps of a traversal: ("attr", name) or ("index", key).
Step = tuple[str, Any]


def _known_prefix(pieces: list[str], values: list[Any]) -> str:
    """The literal text of a quoted template before its first unknown interpolation, known
    interpolations before it included; "" when that cannot be told."""
    out = []
    for i, v in enumerate(values):
        out.append(_unescape(pieces[2 * i]))
        if not is_known(v):
            return "".join(out)
        s = to_str(v)
        if s is None:
            return ""
        out.append(s)
    return ""


def _ref_parts(pieces: list[str], values: list[Any], heredoc: bool) -> tuple:
    """A template whose only unknown interpolations are resource references (a `Ref`, or a
    template of them such as a module output), as literal strings and `Ref`s; () when any
    other part is unknown. Its text alone cannot say which resource
    `${module.shared.bucket_arn}` is, so the privilege graph resolves these parts instead."""
    out: list = []

    def add(x: Any) -> None:
        if isinstance(x, str) and out and isinstance(out[-1], str):
            out[-1] += x
        elif x != "":
            out.append(x)

    unescape = _unescape_heredoc if heredoc else _unescape
    for i, v in enumerate(values):
        add(unescape(pieces[2 * i]))
        if isinstance(v, Ref):
            add(v)
        elif isinstance(v, Unresolved) and v.parts:
            for part in v.parts:
                add(part)
        else:
            text = to_str(v)
            if text is None:
                return ()
            add(text)
    add(unescape(pieces[-1]))
    return tuple(out)


class Scope(Protocol):
    def lookup(self, root: str, steps: list[Step], text: str, env: dict) -> tuple[Any, int]:
        """Resolve a reference `root.steps...`; returns the value and how many steps it used."""
        ...

    def read_file(self, path: str) -> Any: ...


def invalid(text: str) -> Unresolved:
    """An expression Terraform itself would reject (missing key, bad index): `try` and `can`
    treat it as an error, everything else as unknown."""
    return Unresolved(f"{INVALID}{text}")


def get_step(value: Any, step: Step, text: str) -> Any:
    kind, key = step
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, Ref):
        suffix = f".{key}" if kind == "attr" else f"[{key!r}]" if isinstance(key, str) else f"[{key}]"
        return Ref(value.uid, f"{value.attr}{suffix}" if value.attr else suffix.lstrip("."))
    if isinstance(key, Unresolved | Ref):
        return key if isinstance(key, Unresolved) else Unresolved(text)
    if isinstance(value, dict):
        k = key if isinstance(key, str) else to_str(key)
        return value[k] if k in value else invalid(text)
    if isinstance(value, list | tuple) and kind == "index":
        try:
            i = int(key)
        except (TypeError, ValueError):
            return invalid(text)
        return value[i] if 0 <= i < len(value) else invalid(text)
    return invalid(text)


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))|\$\$\{|%%\{", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    def sub(m: re.Match) -> str:
        s = m.group(0)
        if s == "$${":
            return "${"
        if s == "%%{":
            return "%{"
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        return _SIMPLE_ESCAPES.get(m.group(3), s)

    return _ESCAPE.sub(sub, raw) if ("\\" in raw or "$${" in raw or "%%{" in raw) else raw


def _unescape_heredoc(raw: str) -> str:
    return raw.replace("$${", "${").replace("%%{", "%{")


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        f = float(text)
        return int(f) if f.is_integer() and "e" not in text.lower() and "." not in text else f


class _Fail(Exception):
    pass


class Evaluator:
    def __init__(self, scope: Scope):
        self.scope = scope

    # ------------------------------------------------------------------ entry points
    def eval(self, expr: Any, env: dict) -> Any:
        if isinstance(expr, JsonExpr):
            return self._json(expr.value, env)
        if isinstance(expr, Node):
            try:
                return self._node(expr, env)
            except RecursionError:
                return Unresolved("expression nested too deeply")
        return expr

    # ------------------------------------------------------------------ JSON syntax
    def _json(self, v: Any, env: dict) -> Any:
        if isinstance(v, str):
            if "${" not in v and "%{" not in v:
                return v
            node = _template_node(v)
            return self._node(node, env) if node is not None else Unresolved(v)
        if isinstance(v, list):
            return [self._json(x, env) for x in v]
        if isinstance(v, dict):
            return {k: self._json(x, env) for k, x in v.items() if k != "//"}
        return v

    # ------------------------------------------------------------------ HCL syntax
    def _node(self, n: Node, env: dict) -> Any:
        handler = _HANDLERS.get(n.type)
        if handler is None:
            return Unresolved(n.text.decode(errors="replace"))
        return handler(self, n, env)

    def _expression(self, n: Node, env: dict) -> Any:
        kids = n.children
        if len(kids) == 1:
            return self._node(kids[0], env)
        if kids[0].type == "(":
            value = self._node(kids[1], env)
            post = kids[3:]
        elif kids[0].type == "variable_expr":
            return self._traversal(n, kids, env)
        else:
            value = self._node(kids[0], env)
            post = kids[1:]
        return self._postfix(value, post, n, env)

    def _postfix(self, value: Any, post: list[Node], whole: Node, env: dict) -> Any:
        text = None
        for p in post:
            if p.type == "splat":
                return self._splat(value, p, whole, env)
            step = self._step(p, env)
            if step is None:
                continue
            text = text or whole.text.decode(errors="replace")
            value = get_step(value, step, text)
        return value

    def _step(self, p: Node, env: dict) -> Step | None:
        if p.type == "get_attr":
            return ("attr", p.children[-1].text.decode())
        if p.type == "index":
            inner = p.children[0]
            if inner.type == "legacy_index":
                return ("index", int(inner.text.decode().lstrip(".")))
            expr = next((c for c in inner.children if c.type == "expression"), None)
            return ("index", self._node(expr, env)) if expr is not None else None
        return None

    def _splat(self, value: Any, splat: Node, whole: Node, env: dict) -> Any:
        if isinstance(value, Unresolved):
            return value
        if isinstance(value, Ref):
            return Unresolved(whole.text.decode(errors="replace"))
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        rest = splat.children[0].children[1:]
        return [self._postfix(item, rest, whole, env) for item in items]

    def _traversal(self, n: Node, kids: list[Node], env: dict) -> Any:
        root = kids[0].text.decode()
        steps: list[Step] = []
        cut = len(kids)
        for i, p in enumerate(kids[1:], start=1):
            if p.type == "splat":
                cut = i
                break
            step = self._step(p, env)
            if step is not None:
                steps.append(step)
        text = n.text.decode(errors="replace")
        if root in env:
            value, used = env[root], 0
        else:
            value, used = self.scope.lookup(root, steps, text, env)
        for step in steps[used:]:
            value = get_step(value, step, text)
        if cut < len(kids):
            return self._splat(value, kids[cut], n, env)
        return value

    def _variable(self, n: Node, env: dict) -> Any:
        name = n.text.decode()
        if name in env:
            return env[name]
        value, _ = self.scope.lookup(name, [], name, env)
        return value

    def _literal(self, n: Node, env: dict) -> Any:
        c = n.children[0]
        t = c.type
        if t == "numeric_lit":
            return _number(c.text.decode())
        if t == "bool_lit":
            return c.text.decode() == "true"
        if t == "null_lit":
            return None
        if t == "string_lit":
            inner = c.children
            if len(inner) <= 2:
                return ""
            raw = c.text[inner[0].end_byte - c.start_byte : inner[-1].start_byte - c.start_byte]
            return _unescape(raw.decode())
        return Unresolved(n.text.decode(errors="replace"))

    def _template_expr(self, n: Node, env: dict) -> Any:
        return self._node(n.children[0], env)

    def _quoted_template(self, n: Node, env: dict) -> Any:
        kids = n.children
        return self._template(
            n, kids[0].end_byte, kids[-1].start_byte, kids[1:-1], env, heredoc=False, strip=False
        )

    def _heredoc(self, n: Node, env: dict) -> Any:
        kids = n.children
        strip = kids[0].text.decode() == "<<-"
        opening, closing = kids[1], kids[-1]
        src = n.text
        base = n.start_byte
        start = src.find(b"\n", opening.end_byte - base)
        start = base + (start + 1 if start >= 0 else opening.end_byte - base)
        end = src.rfind(b"\n", 0, closing.start_byte - base)
        end = base + end + 1 if end >= 0 else start
        parts = [k for k in kids[2:-1] if start <= k.start_byte < end]
        return self._template(n, start, max(start, end), parts, env, heredoc=True, strip=strip)

    def _template(
        self, n: Node, start: int, end: int, parts: list[Node], env: dict, heredoc: bool, strip: bool
    ) -> Any:
        src = n.text
        base = n.start_byte
        dynamic = [p for p in parts if p.type in ("template_interpolation", "template_directive")]
        if not dynamic:
            raw = src[start - base : end - base].decode()
            text = _unescape_heredoc(raw) if heredoc else _unescape(raw)
            return _dedent(text) if strip else text
        # A template that is one interpolation and nothing else yields the value itself.
        if (
            len(dynamic) == 1
            and dynamic[0].type == "template_interpolation"
            and not heredoc
            and dynamic[0].start_byte == start
            and dynamic[0].end_byte == end
        ):
            return self._interpolation(dynamic[0], env)
        values = []
        pieces: list[str] = []
        pos = start
        for i, p in enumerate(dynamic):
            pieces.append(src[pos - base : p.start_byte - base].decode())
            pieces.append(f"\x00{i}\x00")
            pos = p.end_byte
            if p.type == "template_directive":
                return Unresolved(n.text.decode(errors="replace"))
            values.append(self._interpolation(p, env))
        pieces.append(src[pos - base : end - base].decode())
        if any(not is_known(v) for v in values):
            return Unresolved(
                n.text.decode(errors="replace"),
                "" if heredoc else _known_prefix(pieces, values),
                () if strip else _ref_parts(pieces, values, heredoc),
            )
        strings = []
        for v in values:
            s = to_str(v)
            if s is None:
                return invalid(n.text.decode(errors="replace"))
            strings.append(s)
        raw = "".join(pieces)
        raw = _unescape_heredoc(raw) if heredoc else _unescape(raw)
        if strip:
            raw = _dedent(raw)
        chunks = raw.split("\x00")
        # chunks alternate: literal, index, literal, index, ..., literal
        out = []
        for i, chunk in enumerate(chunks):
            out.append(strings[int(chunk)] if i % 2 else chunk)
        return "".join(out)

    def _interpolation(self, p: Node, env: dict) -> Any:
        expr = next((c for c in p.children if c.type == "expression"), None)
        return self._node(expr, env) if expr is not None else None

    def _collection(self, n: Node, env: dict) -> Any:
        c = n.children[0]
        if c.type == "tuple":
            return [self._node(x, env) for x in c.children if x.type == "expression"]
        out: dict[str, Any] = {}
        for elem in c.named_children:
            if elem.type != "object_elem":
                continue
            # object_elem is: key expression, "=" or ":", value expression (comments aside)
            key_node, value_node = elem.child(0), elem.child(2)
            if value_node is None or value_node.type != "expression":
                exprs = [x for x in elem.children if x.type == "expression"]
                key_node, value_node = exprs[0], exprs[1]
            key = self.object_key(key_node, env)
            if not isinstance(key, str):
                return Unresolved(n.text.decode(errors="replace"))
            out[key] = self._node(value_node, env)
        return out

    def object_key(self, k: Node, env: dict) -> Any:
        """Object keys: a bare name is a literal string, anything else is evaluated."""
        kids = k.children
        if len(kids) == 1 and kids[0].type == "variable_expr":
            return kids[0].text.decode()
        v = self._node(k, env)
        if isinstance(v, bool) or v is None:
            return to_str(v) if isinstance(v, bool) else Unresolved(k.text.decode())
        return to_str(v) if isinstance(v, int | float) else v

    def _function(self, n: Node, env: dict) -> Any:
        name = n.children[0].text.decode()
        text = n.text.decode(errors="replace")
        args_node = next((c for c in n.children if c.type == "function_arguments"), None)
        arg_nodes = [c for c in args_node.children if c.type == "expression"] if args_node else []
        expand = args_node is not None and any(c.type == "ellipsis" for c in args_node.children)
        if name not in FUNCTIONS:
            return Unresolved(text)
        if name in ("try", "can"):
            return call_function(name, [lambda a=a: self._node(a, env) for a in arg_nodes], text, self.scope)
        args = [self._node(a, env) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if not isinstance(last, list):
                return Unresolved(text)
            args.extend(last)
        return call_function(name, args, text, self.scope)

    def _conditional(self, n: Node, env: dict) -> Any:
        exprs = [c for c in n.children if c.type == "expression"]
        cond = self._node(exprs[0], env)
        if isinstance(cond, bool):
            return self._node(exprs[1] if cond else exprs[2], env)
        if isinstance(cond, str) and cond in ("true", "false"):
            return self._node(exprs[1] if cond == "true" else exprs[2], env)
        if is_known(cond):
            return invalid(n.text.decode(errors="replace"))
        return Unresolved(n.text.decode(errors="replace"))

    def _operation(self, n: Node, env: dict) -> Any:
        op = n.children[0]
        text = n.text.decode(errors="replace")
        if op.type == "unary_operation":
            sym = op.children[0].type
            v = self._node(op.children[1], env)
            if not is_known(v):
                return v if isinstance(v, Unresolved) else Unresolved(text)
            if sym == "!":
                return (not v) if isinstance(v, bool) else invalid(text)
            return -v if isinstance(v, int | float) and not isinstance(v, bool) else invalid(text)
        left_n, sym_n, right_n = op.children[0], op.children[1], op.children[2]
        sym = sym_n.type
        left = self._node(left_n, env)
        if sym in ("&&", "||"):
            # Terraform evaluates both sides, but a known side can still decide the result.
            right = self._node(right_n, env)
            for side in (left, right):
                if side is (sym == "||"):
                    return side
            if isinstance(left, bool) and isinstance(right, bool):
                return (left and right) if sym == "&&" else (left or right)
            return Unresolved(text) if not (is_known(left) and is_known(right)) else invalid(text)
        right = self._node(right_n, env)
        if not (is_known(left) and is_known(right)):
            return Unresolved(text)
        return _binary(sym, left, right, text)

    def _for(self, n: Node, env: dict) -> Any:
        f = n.children[0]
        text = n.text.decode(errors="replace")
        intro = next(c for c in f.children if c.type == "for_intro")
        names = [c.text.decode() for c in intro.children if c.type == "identifier"]
        coll = self._node(next(c for c in intro.children if c.type == "expression"), env)
        body = [c for c in f.children if c.type == "expression"]
        cond_node = next((c for c in f.children if c.type == "for_cond"), None)
        cond_expr = next(c for c in cond_node.children if c.type == "expression") if cond_node else None
        grouping = any(c.type == "ellipsis" for c in f.children)
        if isinstance(coll, dict):
            pairs = sorted(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            return coll if isinstance(coll, Unresolved) else Unresolved(text)
        is_object = f.type == "for_object_expr"
        out_list: list = []
        out_map: dict = {}
        for k, v in pairs:
            inner = dict(env)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = k, v
            else:
                inner[names[0]] = v
            if cond_expr is not None:
                c = self._node(cond_expr, inner)
                if not isinstance(c, bool):
                    return Unresolved(text)
                if not c:
                    continue
            if is_object:
                key = self._node(body[0], inner)
                if isinstance(key, int | float) and not isinstance(key, bool):
                    key = to_str(key)
                if not isinstance(key, str):
                    return Unresolved(text)
                val = self._node(body[1], inner)
                if grouping:
                    out_map.setdefault(key, []).append(val)
                else:
                    out_map[key] = val
            else:
                out_list.append(self._node(body[0], inner))
        return out_map if is_object else out_list


def _binary(sym: str, a: Any, b: Any, text: str) -> Any:
    if sym == "==":
        return _equal(a, b)
    if sym == "!=":
        return not _equal(a, b)
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return invalid(text)
    try:
        if sym == "+":
            return a + b
        if sym == "-":
            return a - b
        if sym == "*":
            return a * b
        if sym == "/":
            r = a / b
            return int(r) if r.is_integer() else r
        if sym == "%":
            return a % b
        if sym == "<":
            return a < b
        if sym == ">":
            return a > b
        if sym == "<=":
            return a <= b
        if sym == ">=":
            return a >= b
    except (ZeroDivisionError, OverflowError):
        return invalid(text)
    return invalid(text)


def _num(v: Any) -> int | float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        try:
            return _number(v)
        except ValueError:
            return None
    return None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _dedent(text: str) -> str:
    """`<<-` heredocs: remove the smallest indentation of the non-blank lines."""
    lines = text.split("\n")
    indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip(" \t")]
    cut = min(indents) if indents else 0
    return "\n".join(ln[cut:] if ln.strip(" \t") else ln.lstrip(" \t") for ln in lines)


_TEMPLATE_CACHE: dict[str, Node | None] = {}
_WHOLE_INTERPOLATION = re.compile(r"\$\{([^{}]*)\}", re.S)


def _template_node(s: str) -> Node | None:
    """A `.tf.json` string that holds `${...}`, parsed as an HCL heredoc body (no escapes)."""
    if s in _TEMPLATE_CACHE:
        return _TEMPLATE_CACHE[s]
    from .parser import HclSyntaxError, parse_hcl_bytes

    marker = "EOT_MLPOSTURE"
    whole = _WHOLE_INTERPOLATION.fullmatch(s)
    # "${expr}" alone yields the value of expr itself, not its string form.
    src = f"v = ({whole.group(1)})\n" if whole else f"v = <<{marker}\n{s}\n{marker}\n"
    node = None
    try:
        root = parse_hcl_bytes(src.encode())
        attr = root.children[0].children[0]
        node = next(c for c in attr.children if c.type == "expression")
    except (HclSyntaxError, IndexError, StopIteration):
        node = None
    if node is not None and not whole:
        node = _StrippedHeredoc(node)
    _TEMPLATE_CACHE[s] = node
    return node


class _StrippedHeredoc:
    """Evaluates a wrapped JSON template, dropping the newline the heredoc adds."""

    type = "json_template"

    def __init__(self, node: Node):
        self.node = node


def _json_template(self: Evaluator, n: _StrippedHeredoc, env: dict) -> Any:
    v = self._node(n.node, env)
    if isinstance(v, Unresolved) and v.parts and isinstance(v.parts[-1], str) and v.parts[-1].endswith("\n"):
        last = v.parts[-1][:-1]
        return Unresolved(v.expr, v.prefix, v.parts[:-1] + ((last,) if last else ()))
    return v[:-1] if isinstance(v, str) and v.endswith("\n") else v


_HANDLERS = {
    "expression": Evaluator._expression,
    "literal_value": Evaluator._literal,
    "template_expr": Evaluator._template_expr,
    "quoted_template": Evaluator._quoted_template,
    "heredoc_template": Evaluator._heredoc,
    "collection_value": Evaluator._collection,
    "function_call": Evaluator._function,
    "conditional": Evaluator._conditional,
    "operation": Evaluator._operation,
    "for_expr": Evaluator._for,
    "variable_expr": Evaluator._variable,
    "json_template": _json_template,
}
