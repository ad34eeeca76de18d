"""Static resolution of CloudFormation intrinsic functions.

What a template fixes is resolved (parameter defaults, mappings, literal `Fn::Sub`
variables, conditions over those); what only a deployment knows (account, region,
imports, AZs, attributes of created resources) stays `Unresolved`, and a reference to a
resource of the same template becomes `Ref(uid, attr)` so the link is kept. Cycles
(conditions that name each other, resources that reference each other) terminate: each
is reported once as an error and its references resolve to `Unresolved`.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from scanner.model.resource import Ref, Unresolved

MAX_DEPTH = 100


class _NoValue:
    """`Ref: AWS::NoValue`: the enclosing key or list item is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
PSEUDO_UNRESOLVED = {
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
}

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def short(v: Any, limit: int = 160) -> str:
    """A compact, bounded text of an expression for an `Unresolved` reason."""
    try:
        text = json.dumps(v, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = str(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_intrinsic(v: Any) -> bool:
    if not isinstance(v, Mapping) or len(v) != 1:
        return False
    (k,) = v.keys()
    return k == "Ref" or (isinstance(k, str) and k.startswith("Fn::"))


def concrete(v: Any) -> bool:
    """True when a value holds no Unresolved and no Ref anywhere."""
    if isinstance(v, Unresolved | Ref) or v is NO_VALUE:
        return False
    if isinstance(v, Mapping):
        return all(concrete(x) for x in v.values())
    if isinstance(v, list | tuple):
        return all(concrete(x) for x in v)
    return True


def scalar_text(v: Any) -> str | None:
    """How CloudFormation renders a scalar inside a string, or None if it is not one."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | str):
        return str(v)
    return None


class Resolver:
    """Resolves intrinsics of one template. `errors` collects (reason, unscanned) pairs for
    the caller to turn into ScanErrors."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        mappings: Mapping[str, Any],
        conditions: Mapping[str, Any],
        resource_uids: Mapping[str, str],
        cyclic: Mapping[str, frozenset[str]] | None = None,
        on_error: Callable[[str, str], None] | None = None,
    ):
        self.parameters = parameters  # name -> resolved value (scrubbed default or Unresolved)
        self.mappings = mappings
        self.conditions = conditions
        self.resource_uids = resource_uids  # logical id -> uid (generated SAM ids included)
        self.cyclic = cyclic or {}  # logical id -> the ids it must not reference (a cycle)
        self.on_error = on_error or (lambda reason, unscanned: None)
        self.current: str | None = None  # the logical id whose properties are being resolved
        self._cond_memo: dict[str, bool | None] = {}
        self._cond_stack: list[str] = []
        self._reported: set[frozenset[str]] = set()

    # -- values -------------------------------------------------------------------------
    def resolve(self, v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return Unresolved(f"expression nested deeper than {MAX_DEPTH} levels")
        if isinstance(v, Mapping):
            if is_intrinsic(v):
                ((fn, arg),) = v.items()
                return self._intrinsic(fn, arg, depth + 1)
            out = {}
            for k, x in v.items():
                r = self.resolve(x, depth + 1)
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(v, list | tuple):
            return [r for x in v if (r := self.resolve(x, depth + 1)) is not NO_VALUE]
        return v

    def resolve_top(self, v: Any) -> Any:
        r = self.resolve(v)
        return None if r is NO_VALUE else r

    def _intrinsic(self, fn: str, arg: Any, depth: int) -> Any:
        handler = _HANDLERS.get(fn)
        if handler is None:
            return Unresolved(f"{fn} {short(arg)}")
        return handler(self, arg, depth)

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unresolved(f"Ref {short(name)}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in PSEUDO_UNRESOLVED or name.startswith("AWS::"):
            return Unresolved(f"Ref {name}")
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resource_uids:
            return self._resource_ref(name, "Ref")
        return Unresolved(f"Ref {name} (not a parameter or resource of this template)")

    def _resource_ref(self, logical_id: str, attr: str) -> Any:
        if self.current is not None and logical_id in self.cyclic.get(self.current, ()):
            return Unresolved(f"circular reference {self.current} -> {logical_id}")
        return Ref(self.resource_uids[logical_id], attr)

    def get_att(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list | tuple) or len(arg) != 2:
            return Unresolved(f"Fn::GetAtt {short(arg)}")
        lid, attr = arg[0], self.resolve(arg[1], depth)
        if not isinstance(lid, str) or not isinstance(attr, str):
            return Unresolved(f"Fn::GetAtt {short(arg)}")
        if lid in self.resource_uids:
            return self._resource_ref(lid, attr)
        return Unresolved(f"Fn::GetAtt {lid}.{attr} (no such resource)")

    # -- Fn::Sub ------------------------------------------------------------------------
    def sub(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            template, variables = arg, {}
        elif isinstance(arg, list | tuple) and len(arg) == 2 and isinstance(arg[1], Mapping):
            template, variables = arg[0], arg[1]
        else:
            return Unresolved(f"Fn::Sub {short(arg)}")
        template = self.resolve(template, depth)
        if not isinstance(template, str):
            return Unresolved(f"Fn::Sub {short(arg)}")
        unknown = False
        prefix: str | None = None

        def value_of(name: str) -> str | None:
            if name in variables:
                return scalar_text(self.resolve(variables[name], depth))
            if "." in name:  # ${Resource.Attr}: known only after deployment
                return None
            r = self.ref(name)
            return None if r is NO_VALUE else scalar_text(r)

        pieces: list[str] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            pieces.append(template[pos : m.start()])
            pos = m.end()
            name = m.group(1)
            if name.startswith("!"):  # ${!Literal} is written as ${Literal}
                pieces.append("${" + name[1:] + "}")
                continue
            v = value_of(name.strip())
            if v is None:
                if not unknown:
                    unknown, prefix = True, "".join(pieces)
                pieces.append(m.group(0))
                continue
            pieces.append(v)
        pieces.append(template[pos:])
        return Unresolved(template, prefix or "") if unknown else "".join(pieces)

    # -- conditions ---------------------------------------------------------------------
    def condition(self, name: Any) -> bool | None:
        """True, False, or None when the template alone cannot decide."""
        if not isinstance(name, str) or name not in self.conditions:
            return None
        if name in self._cond_memo:
            return self._cond_memo[name]
        if name in self._cond_stack:
            cycle = self._cond_stack[self._cond_stack.index(name) :] + [name]
            key = frozenset(cycle)
            if key not in self._reported:
                self._reported.add(key)
                self.on_error(
                    f"circular condition: {' -> '.join(cycle)}",
                    f"conditions {', '.join(sorted(key))} (left unresolved)",
                )
            for c in cycle:
                self._cond_memo[c] = None
            return None
        self._cond_stack.append(name)
        try:
            value = self.eval_condition(self.conditions[name], 0)
        finally:
            self._cond_stack.pop()
        self._cond_memo.setdefault(name, value)
        return self._cond_memo[name]

    def eval_condition(self, expr: Any, depth: int) -> bool | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, bool):
            return expr
        if isinstance(expr, str) and expr.lower() in ("true", "false"):
            return expr.lower() == "true"
        if not isinstance(expr, Mapping) or len(expr) != 1:
            return None
        ((fn, arg),) = expr.items()
        if fn == "Condition":
            return self.condition(arg)
        if not isinstance(arg, list | tuple):
            return None
        if fn == "Fn::Equals" and len(arg) == 2:
            a, b = (self.resolve(x, depth + 1) for x in arg)
            if not (concrete(a) and concrete(b)):
                return None
            return _cfn_text(a) == _cfn_text(b)
        if fn == "Fn::Not" and len(arg) == 1:
            v = self.eval_condition(arg[0], depth + 1)
            return None if v is None else not v
        if fn in ("Fn::And", "Fn::Or"):
            vals = [self.eval_condition(x, depth + 1) for x in arg]
            decisive = fn == "Fn::Or"  # Or is decided by any True, And by any False
            if decisive in vals:
                return decisive
            return None if None in vals else not decisive
        return None

    def if_(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list | tuple) or len(arg) != 3:
            return Unresolved(f"Fn::If {short(arg)}")
        c = self.condition(arg[0])
        if c is not None:
            return self.resolve(arg[1] if c else arg[2], depth)
        a, b = self.resolve(arg[1], depth), self.resolve(arg[2], depth)
        if a == b and concrete(a):  # both branches agree: the condition does not matter
            return a
        return Unresolved(f"Fn::If {short(arg[0])} (condition not decidable statically)")


def _cfn_text(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return [_cfn_text(x) for x in v]
    t = scalar_text(v)
    return t if t is not None else v


# -- the other functions ---------------------------------------------------------------
def _join(r: Resolver, arg: Any, depth: int) -> Any:
    if not isinstance(arg, list | tuple) or len(arg) != 2:
        return Unresolved(f"Fn::Join {short(arg)}")
    delim, items = r.resolve(arg[0], depth), r.resolve(arg[1], depth)
    if isinstance(delim, str) and isinstance(items, list):
        parts = [scalar_text(x) for x in items]
        if all(p is not None for p in parts):
            return delim.join(parts)  # type: ignore[arg-type]
        first = parts.index(None)
        head = items[first]
        prefix = delim.join([*parts[:first], ""]) + (head.prefix if isinstance(head, Unresolved) else "")  # type: ignore[list-item]
        return Unresolved(f"Fn::Join {short(arg)}", prefix)
    return Unresolved(f"Fn::Join {short(arg)}")


def _select(r: Resolver, arg: Any, depth: int) -> Any:
    if not isinstance(arg, list | tuple) or len(arg) != 2:
        return Unresolved(f"Fn::Select {short(arg)}")
    idx, items = r.resolve(arg[0], depth), r.resolve(arg[1], depth)
    try:
        i = int(idx)
    except (TypeError, ValueError):
        return Unresolved(f"Fn::Select {short(arg)}")
    if isinstance(items, list) and 0 <= i < len(items):
        return items[i]
    return Unresolved(f"Fn::Select {short(arg)}")


def _split(r: Resolver, arg: Any, depth: int) -> Any:
    if not isinstance(arg, list | tuple) or len(arg) != 2:
        return Unresolved(f"Fn::Split {short(arg)}")
    delim, text = r.resolve(arg[0], depth), r.resolve(arg[1], depth)
    if isinstance(delim, str) and delim and isinstance(text, str):
        return text.split(delim)
    return Unresolved(f"Fn::Split {short(arg)}")


def _find_in_map(r: Resolver, arg: Any, depth: int) -> Any:
    if not isinstance(arg, list | tuple) or len(arg) not in (3, 4):
        return Unresolved(f"Fn::FindInMap {short(arg)}")
    keys = [r.resolve(x, depth) for x in arg[:3]]
    texts = [scalar_text(k) for k in keys]
    if None not in texts:
        cur: Any = r.mappings
        for k in texts:
            cur = cur.get(k) if isinstance(cur, Mapping) else None
        if cur is not None:
            return r.resolve(cur, depth)
    if len(arg) == 4 and isinstance(arg[3], Mapping) and "DefaultValue" in arg[3]:
        return r.resolve(arg[3]["DefaultValue"], depth)
    return Unresolved(f"Fn::FindInMap {short(arg)}")


def _base64(r: Resolver, arg: Any, depth: int) -> Any:
    v = r.resolve(arg, depth)
    if isinstance(v, str):
        return base64.b64encode(v.encode("utf-8")).decode("ascii")
    return Unresolved(f"Fn::Base64 {short(arg)}")


def _to_json(r: Resolver, arg: Any, depth: int) -> Any:
    v = r.resolve(arg, depth)
    if concrete(v):
        return json.dumps(v, separators=(",", ":"))
    return Unresolved(f"Fn::ToJsonString {short(arg)}")


def _length(r: Resolver, arg: Any, depth: int) -> Any:
    v = r.resolve(arg, depth)
    return len(v) if isinstance(v, list) else Unresolved(f"Fn::Length {short(arg)}")


_HANDLERS: dict[str, Callable[[Resolver, Any, int], Any]] = {
    "Ref": lambda r, a, d: r.ref(r.resolve(a, d) if isinstance(a, Mapping) else a),
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::If": Resolver.if_,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::ToJsonString": _to_json,
    "Fn::Length": _length,
    "Fn::ImportValue": lambda r, a, d: Unresolved(f"Fn::ImportValue {short(r.resolve(a, d))}"),
    "Fn::GetAZs": lambda r, a, d: Unresolved("Fn::GetAZs"),
}


# -- resource dependency cycles ----------------------------------------------------------
def references(v: Any, ids: Mapping[str, Any] | set[str]) -> set[str]:
    """Logical ids of resources that an expression references (Ref, GetAtt, Sub)."""
    out: set[str] = set()
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, Mapping):
            if len(x) == 1:
                ((k, a),) = x.items()
                if k == "Ref" and isinstance(a, str) and a in ids:
                    out.add(a)
                elif k == "Fn::GetAtt":
                    lid = (
                        a.split(".", 1)[0]
                        if isinstance(a, str)
                        else (a[0] if isinstance(a, list | tuple) and a else None)
                    )
                    if isinstance(lid, str) and lid in ids:
                        out.add(lid)
                elif k == "Fn::Sub":
                    text = a if isinstance(a, str) else (a[0] if isinstance(a, list | tuple) and a else None)
                    local = (
                        set(a[1])
                        if isinstance(a, list | tuple) and len(a) == 2 and isinstance(a[1], Mapping)
                        else set()
                    )
                    if isinstance(text, str):
                        for m in _SUB_VAR.finditer(text):
                            name = m.group(1).strip().split(".", 1)[0]
                            if name in ids and name not in local:
                                out.add(name)
            stack.extend(x.values())
        elif isinstance(x, list | tuple):
            stack.extend(x)
    return out


def find_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components that are cycles (Tarjan, iterative), each in a
    stable order starting at its smallest id."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph.get(node, ()):
                    out.append(sorted(comp))
    return sorted(out)
