"""Terraform built-in functions, over the evaluator's values.

Most functions need every argument known; a call with an unknown argument is unknown.
Structural ones (concat, merge, length, jsonencode ...) accept partly known arguments,
because their result keeps the known parts visible: `jsonencode` of a policy with one
computed ARN returns the structure itself rather than losing the whole document."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from typing import Any

from scanner.model.resource import Ref, Unresolved

INVALID = "invalid: "  # prefix of Unresolved.expr for expressions Terraform would reject


class _Invalid(Exception):
    pass


def is_known(v: Any) -> bool:
    if isinstance(v, Unresolved | Ref):
        return False
    if isinstance(v, dict):
        return all(is_known(x) for x in v.values())
    if isinstance(v, list | tuple):
        return all(is_known(x) for x in v)
    return True


def is_invalid(v: Any) -> bool:
    return isinstance(v, Unresolved) and v.expr.startswith(INVALID)


def to_str(v: Any) -> str | None:
    """Terraform's automatic conversion to string, or None where it has none."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return None


def _s(v: Any) -> str:
    s = to_str(v)
    if s is None:
        raise _Invalid
    return s


def _list(v: Any) -> list:
    if isinstance(v, list):
        return v
    raise _Invalid


def _map(v: Any) -> dict:
    if isinstance(v, dict):
        return v
    raise _Invalid


def _int(v: Any) -> int:
    if isinstance(v, bool):
        raise _Invalid
    if isinstance(v, int | float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(float(v))
        except ValueError:
            raise _Invalid from None
    raise _Invalid


def _tonumber(v: Any) -> Any:
    if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
        return v
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            raise _Invalid from None
        return int(f) if f.is_integer() and re.fullmatch(r"-?\d+", v.strip()) else f
    raise _Invalid


def _json_ready(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: _json_ready(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_ready(x) for x in v]
    return v


def _jsonencode(v: Any) -> Any:
    if not is_known(v):
        return v  # the structure, with its unknown parts: see the module doc
    return json.dumps(_json_ready(v), separators=(",", ":"), sort_keys=True)


def _jsondecode(s: Any) -> Any:
    try:
        return json.loads(_s(s))
    except ValueError:
        raise _Invalid from None


def _yamlencode(v: Any) -> Any:
    import yaml

    return yaml.safe_dump(_json_ready(v), sort_keys=True, default_flow_style=False)


def _b64decode(s: Any) -> str:
    try:
        return base64.b64decode(_s(s), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _Invalid from None


def _format(fmt: Any, *args: Any) -> str:
    fmt = _s(fmt)
    it = iter(args)

    def sub(m: re.Match) -> str:
        verb = m.group(2)
        if verb == "%":
            return "%"
        try:
            v = next(it)
        except StopIteration:
            raise _Invalid from None
        if verb == "d":
            return str(_int(v))
        if verb == "q":
            return json.dumps(_s(v))
        if verb in ("f", "g", "e"):
            return ("%" + m.group(1) + verb) % float(_tonumber(v))
        if verb == "v" and not isinstance(v, str | int | float | bool):
            return json.dumps(v, separators=(",", ":"))
        return _s(v)

    return re.sub(r"%([-+ #0-9.]*)([%sdqvfge])", sub, fmt)


def _replace(s: Any, sub: Any, rep: Any) -> str:
    s, sub, rep = _s(s), _s(sub), _s(rep)
    if len(sub) > 1 and sub.startswith("/") and sub.endswith("/"):
        try:
            return re.sub(sub[1:-1], re.sub(r"\$\{?(\d+)\}?", r"\\\1", rep), s)
        except re.error:
            raise _Invalid from None
    return s.replace(sub, rep)


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, Unresolved | Ref):
        return Unresolved("lookup on unknown map")
    m = _map(m)
    k = _s(key)
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise _Invalid


def _element(lst: Any, idx: Any) -> Any:
    lst = _list(lst)
    if not lst:
        raise _Invalid
    return lst[_int(idx) % len(lst)]


def _merge(*maps: Any) -> Any:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        if isinstance(m, Unresolved | Ref):
            return Unresolved("merge with an unknown map")
        out.update(_map(m))
    return out


def _concat(*lists: Any) -> Any:
    out: list = []
    for lst in lists:
        if isinstance(lst, Unresolved | Ref):
            return Unresolved("concat with an unknown list")
        out.extend(_list(lst))
    return out


def _length(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return Unresolved("length of an unknown value")
    if isinstance(v, str | list | dict):
        return len(v)
    raise _Invalid


def _flatten(v: Any) -> Any:
    out: list = []
    for x in _list(v):
        if isinstance(x, Unresolved | Ref):
            return Unresolved("flatten with an unknown element")
        if isinstance(x, list):
            f = _flatten(x)
            if isinstance(f, Unresolved):
                return f
            out.extend(f)
        else:
            out.append(x)
    return out


def _toset(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return v
    items = _list(v)
    if not is_known(items):
        return items
    out = _distinct(items)
    return sorted(out) if all(isinstance(x, str) for x in out) else out


def _distinct(v: Any) -> list:
    out: list = []
    for x in _list(v):
        if x not in out:
            out.append(x)
    return out


def _coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unresolved | Ref):
            return Unresolved("coalesce with an unknown argument")
        if a is not None and a != "":
            return a
    raise _Invalid


def _compact(v: Any) -> Any:
    out = []
    for x in _list(v):
        if isinstance(x, Unresolved | Ref):
            return Unresolved("compact with an unknown element")
        if x is not None and x != "":
            out.append(x)
    return out


def _tolist(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return v
    return list(_list(v))


def _tomap(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return v
    return dict(_map(v))


def _keys(v: Any) -> list:
    return sorted(_map(v))


def _values(v: Any) -> list:
    m = _map(v)
    return [m[k] for k in sorted(m)]


def _contains(lst: Any, v: Any) -> bool:
    return v in _list(lst)


def _substr(s: Any, offset: Any, length: Any) -> str:
    s, o, n = _s(s), _int(offset), _int(length)
    if o < 0:
        o += len(s)
    return s[o:] if n < 0 else s[o : o + n]


def _file(scope: Any, path: Any) -> Any:
    return scope.read_file(_s(path))


# name -> (function, accepts partly known arguments)
FUNCTIONS: dict[str, tuple[Callable[..., Any], bool]] = {
    "jsonencode": (_jsonencode, True),
    "jsondecode": (_jsondecode, False),
    "yamlencode": (_yamlencode, False),
    "base64encode": (lambda s: base64.b64encode(_s(s).encode()).decode(), False),
    "base64decode": (_b64decode, False),
    "concat": (_concat, True),
    "merge": (_merge, True),
    "lookup": (_lookup, True),
    "element": (_element, True),
    "length": (_length, True),
    "lower": (lambda s: _s(s).lower(), False),
    "upper": (lambda s: _s(s).upper(), False),
    "title": (lambda s: _s(s).title(), False),
    "format": (_format, False),
    "join": (lambda sep, lst: _s(sep).join(_s(x) for x in _list(lst)), False),
    "split": (lambda sep, s: _s(s).split(_s(sep)), False),
    "replace": (_replace, False),
    "tostring": (lambda v: None if v is None else _s(v), False),
    "tonumber": (_tonumber, False),
    "tobool": (
        lambda v: v if isinstance(v, bool) or v is None else {"true": True, "false": False}[_s(v)],
        False,
    ),
    "tolist": (_tolist, True),
    "toset": (_toset, True),
    "tomap": (_tomap, True),
    "coalesce": (_coalesce, True),
    "compact": (_compact, True),
    "flatten": (_flatten, True),
    "distinct": (_distinct, False),
    "keys": (_keys, False),
    "values": (_values, True),
    "contains": (_contains, False),
    "startswith": (lambda s, p: _s(s).startswith(_s(p)), False),
    "endswith": (lambda s, p: _s(s).endswith(_s(p)), False),
    "trimspace": (lambda s: _s(s).strip(), False),
    "trimprefix": (lambda s, p: _s(s).removeprefix(_s(p)), False),
    "trimsuffix": (lambda s, p: _s(s).removesuffix(_s(p)), False),
    "trim": (lambda s, c: _s(s).strip(_s(c)), False),
    "substr": (_substr, False),
    "max": (lambda *a: max(_tonumber(x) for x in a), False),
    "min": (lambda *a: min(_tonumber(x) for x in a), False),
    "abs": (lambda x: abs(_tonumber(x)), False),
    "ceil": (lambda x: math.ceil(_tonumber(x)), False),
    "floor": (lambda x: math.floor(_tonumber(x)), False),
    "range": (lambda *a: list(range(*(_int(x) for x in a))), False),
    "reverse": (lambda lst: list(reversed(_list(lst))), True),
    "sort": (lambda lst: sorted(_s(x) for x in _list(lst)), False),
    "slice": (lambda lst, a, b: _list(lst)[_int(a) : _int(b)], True),
    "zipmap": (lambda k, v: dict(zip((_s(x) for x in _list(k)), _list(v), strict=True)), True),
    "one": (
        lambda lst: (_list(lst) or [None])[0] if len(_list(lst)) <= 1 else (_ for _ in ()).throw(_Invalid()),
        True,
    ),
    "file": (_file, False),
    "templatefile": (lambda *a: Unresolved("templatefile"), True),
    "try": (None, True),  # type: ignore[dict-item]
    "can": (None, True),  # type: ignore[dict-item]
}


def call_function(name: str, args: list, text: str, scope: Any) -> Any:
    if name == "try":
        for thunk in args:
            v = thunk()
            if is_known(v):
                return v
            if not is_invalid(v):
                return v  # unknown, not failed: Terraform's result is unknown too
        return Unresolved(f"{INVALID}{text}")
    if name == "can":
        if not args:
            return False
        v = args[0]()
        return True if is_known(v) else False if is_invalid(v) else Unresolved(text)
    fn, partial = FUNCTIONS[name]
    if not partial:
        for a in args:
            if not is_known(a):
                return a if isinstance(a, Unresolved) else Unresolved(text)
    if name == "templatefile":
        return Unresolved(text)
    try:
        result = fn(scope, *args) if name == "file" else fn(*args)
    except (_Invalid, TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError):
        return Unresolved(f"{INVALID}{text}")
    if isinstance(result, Unresolved) and not result.expr.startswith(INVALID) and result.expr != text:
        return Unresolved(text)
    return result
