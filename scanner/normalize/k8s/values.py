"""Small, defensive readers for manifest values.

A manifest may come from a Helm chart that still holds ``{{ ... }}`` expressions or be
simply malformed. A scalar of the wrong type becomes `Unresolved` (the rule says
UNKNOWN); a structure of the wrong type (containers that are not a list) raises
`NormalizeError`, which the caller reports as a ScanError for that object only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scanner.model.resource import Unresolved
from scanner.secrets import redact_string

_EXPR_MAX = 80


class NormalizeError(ValueError):
    """The object is not a well-formed Kubernetes object of its kind."""


def _expr(v: Any) -> str:
    return redact_string(repr(v) if not isinstance(v, str) else v)[:_EXPR_MAX]


def is_template(v: Any) -> bool:
    return isinstance(v, str) and "{{" in v


def type_name(v: Any) -> str:
    if isinstance(v, Mapping):
        return "mapping"
    if isinstance(v, list):
        return "list"
    return type(v).__name__


def _parsed_template(v: Any) -> str | None:
    """An unquoted ``{{ .Values.x }}`` parses as a one-key flow mapping whose key is itself
    a mapping (which the loader turns into its repr): give back the expression."""
    if isinstance(v, Mapping) and len(v) == 1 and next(iter(v.values())) is None:
        key = next(iter(v))
        inner = next(iter(key)) if isinstance(key, Mapping) else str(key)
        m = re.fullmatch(r"\{'?(.*?)'?: None\}", str(inner))
        return "{{ " + (m.group(1) if m else str(inner)).strip() + " }}"
    return None


def unresolved(v: Any, what: str) -> Unresolved:
    if is_template(v):
        return Unresolved(f"template expression {_expr(v)}")
    if (tmpl := _parsed_template(v)) is not None:
        return Unresolved(f"template expression {_expr(tmpl)}")
    return Unresolved(f"{what} expected, got {type_name(v)} {_expr(v)}")


def as_map(v: Any, where: str) -> Mapping:
    """A mapping, {} for a missing value; anything else is a malformed manifest."""
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise NormalizeError(f"{where} must be a mapping, not a {type_name(v)}")
    return v


def as_list(v: Any, where: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise NormalizeError(f"{where} must be a list, not a {type_name(v)}")
    return v


def as_bool(v: Any) -> bool | Unresolved | None:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    return unresolved(v, "boolean")


def as_int(v: Any) -> int | Unresolved | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return unresolved(v, "integer")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        return int(v.strip())
    return unresolved(v, "integer")


def as_str(v: Any) -> str | Unresolved | None:
    if v is None:
        return None
    if is_template(v):
        return unresolved(v, "string")
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    return unresolved(v, "string")


def str_map(v: Any, where: str) -> dict[str, Any]:
    """A name -> string mapping (labels, node selectors, resource quantities)."""
    return {str(k): as_str(x) if x is not None else "" for k, x in as_map(v, where).items()}


def start_line(d: Any) -> int | None:
    return getattr(d, "start_line", None)


def end_line(d: Any) -> int | None:
    return getattr(d, "end_line", None)


def key_line(d: Any, key: str) -> int | None:
    kl = getattr(d, "key_lines", None)
    return kl.get(key) if kl else None
