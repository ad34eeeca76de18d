"""Value helpers for the Terraform mapping: reading Terraform-shaped config (nested blocks
are lists of dicts), enum spellings, and the `Sensitive` marker the plan front-end uses for
values Terraform itself calls sensitive."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from scanner.model.resource import Ref, Unresolved


class Sensitive(str):
    """A string Terraform marks sensitive (`after_sensitive` in a plan). The mapping treats
    it as a secret wherever it scrubs, and as unresolved everywhere else, so the raw value
    never reaches attrs."""

    __slots__ = ()


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def dig(config: Any, path: str) -> Any:
    """The value at a Terraform path like ``environment.variables`` or ``container[1].image``.
    A nested block (a list of dicts) with no explicit index yields its first element. Stops at
    Unresolved/Ref and returns it, so callers see why a value is missing."""
    cur = config
    for name, idx in _STEP.findall(path):
        if isinstance(cur, Unresolved | Ref):
            return cur
        if idx:
            if not isinstance(cur, list) or int(idx) >= len(cur):
                return None
            cur = cur[int(idx)]
            continue
        if isinstance(cur, list):
            cur = cur[0] if cur else None
            if isinstance(cur, Unresolved | Ref):
                return cur
        if not isinstance(cur, dict):
            return None
        cur = cur.get(name)
    return cur


def blocks(value: Any) -> list:
    """A nested block attribute as a list of dicts (Terraform gives a list; be lenient)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return value
    return []


def is_opaque(v: Any) -> bool:
    return isinstance(v, Unresolved | Ref)


def enabled_flag(v: Any) -> Any:
    """``"Enabled"``/``"Disabled"`` (SageMaker's spelling) or a bool, to a bool."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        low = v.strip().lower()
        if low in ("enabled", "true"):
            return True
        if low in ("disabled", "false"):
            return False
    return Unresolved(f"unexpected value {v!r}")


def to_bool(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    return Unresolved(f"not a boolean: {v!r}")


def to_int(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    return Unresolved(f"not an integer: {v!r}")


def str_list(v: Any) -> Any:
    """A list attribute; a whole-list Ref (``aws_x.y[*].id``) is not a single reference."""
    if v is None:
        return []
    if isinstance(v, Ref):
        return Unresolved(f"list from {v.uid}")
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, list | tuple | set):
        return list(v)
    return [v]


def str_map(v: Any) -> Any:
    """A map attribute (env, labels, metadata); a Ref to a whole map is unresolved here."""
    if v is None:
        return {}
    if isinstance(v, Ref):
        return Unresolved(f"map from {v.uid}")
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, dict):
        return dict(v)
    return Unresolved("not a map")


def decode_script(v: Any) -> Any:
    """Lifecycle scripts are base64 in Terraform. Text that is not base64 is taken as the
    script itself (a front-end may already have decoded it)."""
    if not isinstance(v, str) or isinstance(v, Sensitive):
        return v
    compact = "".join(v.split())
    if compact and re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", compact) and len(compact) % 4 == 0:
        try:
            return base64.b64decode(compact, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            pass
    return v


def arn_name(arn: str) -> str | None:
    """The short name an ARN ends with: role/path/name -> name, function:name -> name."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    res = parts[5]
    if res.startswith("function:"):
        return res.split(":")[1]
    if "/" in res:
        return res.rsplit("/", 1)[1]
    return res or None


def last_segment(name: str) -> str:
    """``projects/p/locations/l/services/svc`` -> ``svc``."""
    return name.rstrip("/").rsplit("/", 1)[-1]


_INDEX = re.compile(r"\[(\d+)\]|\.(\d+)(?=\.|$)")
_KEYED = re.compile(r"\[\"([^\"]*)\"\]")


def norm_tf_path(path: str) -> str:
    """One spelling for front-end line keys: ``a[0].b["K"]`` / ``a.0.b.K`` -> ``a.b.K``;
    indices other than 0 stay as ``[n]``."""
    p = _KEYED.sub(lambda m: "." + m.group(1), path)
    p = _INDEX.sub(lambda m: "" if (m.group(1) or m.group(2)) == "0" else f"[{m.group(1) or m.group(2)}]", p)
    return p.lstrip(".")
