"""Building one canonical Resource from one CloudFormation resource: attribute values
with provenance and lines, relations, secrets scrubbing and inline suppressions."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Ref, Relation, Resource, SourceRef, Suppression, Unresolved
from scanner.secrets import Detection, redact_string, scrub_text, scrub_value

MISSING: Any = object()


# -- conversions: each passes Unresolved through and never raises ------------------------
def to_bool(v: Any) -> Any:
    if isinstance(v, bool | Unresolved):
        return v
    if isinstance(v, str):
        low = v.strip().lower()
        if low in ("true", "enabled", "enable", "yes"):
            return True
        if low in ("false", "disabled", "disable", "no"):
            return False
    if isinstance(v, Ref):
        return Unresolved(f"value of {v.uid} {v.attr}".strip())
    return Unresolved(f"not a boolean: {str(v)[:80]}")


def to_int(v: Any) -> Any:
    if isinstance(v, bool):
        return Unresolved(f"not an integer: {v}")
    if isinstance(v, int | Unresolved):
        return v
    if isinstance(v, str | float):
        try:
            return int(v)
        except ValueError:
            pass
    if isinstance(v, Ref):
        return Unresolved(f"value of {v.uid} {v.attr}".strip())
    return Unresolved(f"not an integer: {str(v)[:80]}")


def to_str(v: Any) -> Any:
    """A string, a Ref, or Unresolved (scalars rendered as CloudFormation renders them)."""
    if isinstance(v, str | Ref | Unresolved):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return Unresolved(f"not a string: {str(v)[:80]}")


def to_list(v: Any, item: Callable[[Any], Any] = to_str) -> Any:
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, Ref):  # e.g. a CommaDelimitedList output of another resource
        return Unresolved(f"list from {v.uid} {v.attr}".strip())
    if not isinstance(v, list):
        v = [v]
    return [item(x) for x in v]


def to_str_map(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    if not isinstance(v, Mapping):
        return Unresolved(f"not a mapping: {str(v)[:80]}")
    return {str(k): to_str(x) for k, x in v.items()}


def dig(d: Any, path: tuple) -> Any:
    """The value at `path` (keys and list indices), MISSING if absent; an Unresolved on the
    way is returned as it is (the whole block was unresolved)."""
    cur = d
    for k in path:
        if isinstance(cur, Unresolved):
            return cur
        if isinstance(k, int):
            if not isinstance(cur, list) or k >= len(cur):
                return MISSING
            cur = cur[k]
        else:
            if not isinstance(cur, Mapping) or k not in cur:
                return MISSING
            cur = cur[k]
    return cur


def key_line(raw: Any, path: tuple) -> int | None:
    """The line of the deepest key of `path` written in the raw (LineDict) template."""
    line, cur = None, raw
    for k in path:
        if isinstance(k, int):
            if not isinstance(cur, list) or k >= len(cur):
                break
            cur = cur[k]
            line = getattr(cur, "start_line", line)
        else:
            if not isinstance(cur, Mapping) or k not in cur:
                break
            line = getattr(cur, "key_lines", {}).get(k, line)
            cur = cur[k]
    return line


def tags_of(v: Any) -> dict[str, str]:
    """CFN `Tags: [{Key, Value}]` or SAM `Tags: {k: v}` as plain strings."""
    out: dict[str, str] = {}
    if isinstance(v, list):
        for t in v:
            if isinstance(t, Mapping) and isinstance(t.get("Key"), str):
                val = t.get("Value")
                out[t["Key"]] = val if isinstance(val, str) else str(to_str(val))
    elif isinstance(v, Mapping):
        for k, val in v.items():
            out[str(k)] = val if isinstance(val, str) else str(to_str(val))
    return out


def suppressions_of(metadata: Any) -> list[Suppression]:
    """`Metadata.mlposture.ignore: [{rule, reason, expires}]` and Checkov's
    `Metadata.checkov.skip: [{id, comment}]`."""
    out: list[Suppression] = []
    if not isinstance(metadata, Mapping):
        return out
    ours = metadata.get("mlposture")
    for s in (ours.get("ignore") if isinstance(ours, Mapping) else None) or []:
        if isinstance(s, Mapping) and s.get("rule"):
            exp = s.get("expires")
            out.append(
                Suppression(
                    str(s["rule"]),
                    str(s.get("reason") or ""),
                    str(exp) if exp is not None else None,
                    getattr(s, "start_line", None),
                )
            )
    ckv = metadata.get("checkov")
    for s in (ckv.get("skip") if isinstance(ckv, Mapping) else None) or []:
        if isinstance(s, Mapping) and s.get("id"):
            out.append(
                Suppression(str(s["id"]), str(s.get("comment") or ""), None, getattr(s, "start_line", None))
            )
    return out


def decode_script(v: Any) -> tuple[Any, bool]:
    """A lifecycle script from its `Content`: base64 text is decoded (CloudFormation
    requires base64 there). Returns (script, was_base64)."""
    if not isinstance(v, str):
        return v, False
    compact = "".join(v.split())
    try:
        raw = base64.b64decode(compact, validate=True)
        return raw.decode("utf-8"), True
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return v, False


@dataclass
class Builder:
    """Accumulates one Resource. `props` are the resolved properties, `raw` the written
    ones (LineDicts with lines)."""

    uid: str
    rtype: str
    name: str
    source: SourceRef
    props: Mapping[str, Any]
    raw: Mapping[str, Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    secrets: list[Detection] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    suppressions: list = field(default_factory=list)
    names: Mapping[str, str] = field(default_factory=dict)  # (type, literal name) key -> uid

    def set(self, attr: str, value: Any, *, line: int | None = None, default: Any = None) -> Any:
        """Set an attribute; MISSING/None means the template omits it, so the provider
        default is filled and marked."""
        if value is MISSING or value is None:
            value = default
            self.provenance[attr] = "default"
        else:
            if isinstance(value, Unresolved):
                self.provenance[attr] = "unresolved"
            if line:
                self.lines[attr] = line
        self.attrs[attr] = value
        return value

    def prop(
        self, attr: str, path: str | tuple, conv: Callable[[Any], Any] | None = None, default: Any = None
    ) -> Any:
        path = (path,) if isinstance(path, str) else path
        v = dig(self.props, path)
        if v is not MISSING and v is not None and conv is not None:
            v = conv(v)
        return self.set(attr, v, line=key_line(self.raw, path), default=default)

    def line(self, *path: Any) -> int | None:
        return key_line(self.raw, path)

    def relate(self, kind: str, target: Any, attr: str, target_type: str | None = None) -> None:
        """A relation to a Ref, to an ARN, or to a literal name of a resource of this template."""
        if isinstance(target, Ref):
            dst = target.uid
        elif isinstance(target, str) and target.startswith("arn:"):
            dst = target  # the link stage resolves ARNs against the inventory
        elif isinstance(target, str) and target_type and f"{target_type}|{target}" in self.names:
            dst = self.names[f"{target_type}|{target}"]
        else:
            return
        self.relations.append(Relation(self.uid, kind, dst, attr))

    def scrub_env(self, attr_path: str, env: Any, raw_path: tuple) -> Any:
        """Scrub an env-like mapping; values Unresolved by an intrinsic are scrubbed too (an
        `Fn::Sub` keeps its text, which may hold a literal secret)."""
        if not isinstance(env, Mapping):
            return env
        raw = dig(self.raw, raw_path)
        key_lines = getattr(raw, "key_lines", {}) if raw is not MISSING else {}
        out = {}
        for k, v in env.items():
            path, line = f"{attr_path}.{k}", key_lines.get(k)
            if isinstance(v, Unresolved):
                text, dets = scrub_value(str(k), v.expr, path, line)
                out[k] = Unresolved(text) if dets else v
            else:
                out[k], dets = scrub_value(
                    str(k), to_str(v) if isinstance(v, int | float | bool) else v, path, line
                )
            self.secrets.extend(dets)
            if line:
                self.lines[path] = line
        return out

    def scrub_script(self, attr: str, script: Any, line: int | None, exact_lines: bool) -> Any:
        if isinstance(script, Unresolved):
            text, dets = scrub_text(script.expr, attr, line)
            self.secrets.extend(dets)
            return Unresolved(text) if dets else script
        if not isinstance(script, str):
            return script
        text, dets = scrub_text(script, attr, line if exact_lines else None)
        if not exact_lines:
            dets = [Detection(d.path, d.kind, d.fingerprint, line) for d in dets]
        self.secrets.extend(dets)
        return text

    def build(self) -> Resource:
        if self.rtype_has_secrets:
            self.attrs["secrets"] = [d.to_json() for d in self.secrets]
        return Resource(
            uid=self.uid,
            type=self.rtype,
            provider="aws",
            name=self.name,
            attrs=redact_unresolved(self.attrs),
            source=self.source,
            tags=self.tags,
            provenance=self.provenance,
            lines=self.lines,
            suppressions=list(self.suppressions),
        )

    @property
    def rtype_has_secrets(self) -> bool:
        from scanner.model.types import RESOURCE_TYPES

        spec = RESOURCE_TYPES.get(self.rtype)
        return bool(spec and "secrets" in spec.attrs)


def redact_unresolved(v: Any) -> Any:
    """Defence in depth: the text of an unresolved expression never carries a well-known
    secret into the inventory."""
    if isinstance(v, Unresolved):
        text = redact_string(v.expr)
        return v if text == v.expr else Unresolved(text)
    if isinstance(v, dict):
        return {k: redact_unresolved(x) for k, x in v.items()}
    if isinstance(v, list):
        return [redact_unresolved(x) for x in v]
    return v
