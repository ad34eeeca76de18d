"""The canonical resource model: one shape for every source (IaC, live, runtime).

Normalizers build `Resource`s; rules read them through `AttrView`, which turns any
touch of an unresolved value into `UnresolvedAccess`, so a rule that needs a value IaC
could not resolve reports UNKNOWN instead of guessing PASS or FAIL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

PROVENANCE = ("explicit", "default", "unresolved")
SOURCE_KINDS = ("iac", "live", "runtime")


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value the scanner could not determine statically (a variable with no default,
    a computed attribute). `expr` says why, e.g. ``var.kms_key`` or ``aws_iam_role.x.arn``.
    `prefix` is the literal text the value is known to start with (a template or
    ``Fn::Sub``/``Fn::Join`` whose first parts are known), "" when nothing is known.
    `parts`, for a string template whose only unknowns are references to resources, is
    the template itself as literal strings and `Ref`s, e.g. ``("", Ref(bucket, "arn"),
    "/*")`` for ``"${module.shared.bucket_arn}/*"``: the text of `expr` cannot say which
    resource (in which module and root) each reference names, `parts` can."""

    expr: str = ""
    prefix: str = ""
    parts: tuple = ()  # tuple[str | Ref, ...]

    def to_json(self) -> dict:
        out: dict[str, Any] = {"$unresolved": self.expr}
        if self.prefix:
            out["prefix"] = self.prefix
        if self.parts:
            out["parts"] = [p if isinstance(p, str) else p.to_json() for p in self.parts]
        return out


def cannot_be(v: Any, literals: Iterable[str]) -> bool:
    """True when `v` is an `Unresolved` whose known prefix (leading whitespace aside) starts
    none of `literals`, so the value, whatever it turns out to be, is none of them."""
    if not isinstance(v, Unresolved):
        return False
    prefix = v.prefix.lstrip()
    return bool(prefix) and not any(lit.startswith(prefix) for lit in literals)


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another resource in the same inventory (by uid), e.g. a function's
    role given as ``aws_iam_role.exec.arn`` in Terraform or ``!GetAtt Role.Arn`` in CFN.
    The value itself (an ARN) is unknown before apply, but the target is known."""

    uid: str
    attr: str = ""

    def to_json(self) -> dict:
        return {"$ref": self.uid, "attr": self.attr}


def encode_value(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return v.to_json()
    if isinstance(v, dict):
        return {str(k): encode_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [encode_value(x) for x in v]
    return v


_UNRESOLVED_KEYS = frozenset({"$unresolved", "prefix", "parts"})


def decode_value(v: Any) -> Any:
    if isinstance(v, dict):
        if "$unresolved" in v and set(v) <= _UNRESOLVED_KEYS:
            prefix, parts = v.get("prefix", ""), v.get("parts", [])
            if isinstance(prefix, str) and isinstance(parts, list):
                return Unresolved(v["$unresolved"], prefix, tuple(decode_value(p) for p in parts))
        if set(v) == {"$ref", "attr"}:
            return Ref(v["$ref"], v["attr"])
        return {k: decode_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode_value(x) for x in v]
    return v


class UnresolvedAccess(Exception):
    """Raised when a rule reads a value the source could not resolve."""

    def __init__(self, path: str, expr: str):
        super().__init__(f"{path} is unresolved ({expr})")
        self.path = path
        self.expr = expr


def _wrap(value: Any, path: str) -> Any:
    if isinstance(value, Unresolved):
        raise UnresolvedAccess(path, value.expr)
    if isinstance(value, dict):
        return AttrView(value, path)
    if isinstance(value, list):
        return ListView(value, path)
    return value


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class AttrView(Mapping):
    """Read-only view over canonical attrs that knows its own path and refuses to hand
    out unresolved values. `view.path_of(key)` gives the evidence path of a child."""

    __slots__ = ("_d", "path")

    def __init__(self, d: dict, path: str = ""):
        self._d = d
        self.path = path

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._d[key], _join(self.path, key))

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._d or self._d[key] is None:
            return default
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def is_unresolved(self, key: str) -> bool:
        return isinstance(self._d.get(key), Unresolved)

    def raw(self, key: str, default: Any = None) -> Any:
        """The stored value, Unresolved and Ref included (for rules that handle them)."""
        return self._d.get(key, default)

    def path_of(self, key: Any) -> str:
        return _join(self.path, key)


class ListView(list):
    """A list view whose items are wrapped like AttrView's values."""

    def __init__(self, items: list, path: str):
        super().__init__(items)
        self.path = path

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [_wrap(v, _join(self.path, n)) for n, v in enumerate(list.__getitem__(self, i))]
        return _wrap(list.__getitem__(self, i), _join(self.path, i))

    def __iter__(self):
        for n, v in enumerate(list.__iter__(self)):
            yield _wrap(v, _join(self.path, n))

    def path_of(self, i: int) -> str:
        return _join(self.path, i)


@dataclass(slots=True)
class SourceRef:
    """Where a resource was read: a file and line range for IaC, an API call for live."""

    kind: str  # iac | live | runtime
    file: str | None = None  # path relative to the scan root, POSIX separators
    start_line: int | None = None
    end_line: int | None = None
    dialect: str | None = (
        None  # terraform | terraform-plan | cloudformation | kubernetes | aws | gcp | k8s-api
    )
    api: str | None = None  # e.g. "sagemaker:DescribeNotebookInstance"

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    @classmethod
    def from_json(cls, d: dict) -> SourceRef:
        return cls(**d)


@dataclass(slots=True)
class Suppression:
    """An inline suppression written on the resource itself (HCL comment, CFN Metadata,
    K8s annotation). `rule` may be one of our ids or a Checkov/Prowler alias."""

    rule: str
    reason: str = ""
    expires: str | None = None  # YYYY-MM-DD
    line: int | None = None

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None, "")}


@dataclass(slots=True)
class Resource:
    uid: str
    type: str  # dotted, provider-neutral in shape: aws.sagemaker.notebook_instance
    provider: str  # aws | gcp | k8s
    name: str
    attrs: dict[str, Any] = field(default_factory=dict)
    source: SourceRef = field(default_factory=lambda: SourceRef("iac"))
    account: str | None = None  # AWS account, GCP project, or K8s cluster
    region: str | None = None  # region, location, or K8s namespace
    tags: dict[str, str] = field(default_factory=dict)
    # attribute path -> "default" | "unresolved"; a path not listed is "explicit"
    provenance: dict[str, str] = field(default_factory=dict)
    # attribute path -> line where it is written (IaC), for precise finding locations
    lines: dict[str, int] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)

    @property
    def a(self) -> AttrView:
        """The attrs as a view that raises UnresolvedAccess on unresolved values."""
        return AttrView(self.attrs)

    def provenance_of(self, path: str) -> str:
        return self.provenance.get(path, "explicit")

    def line_of(self, path: str) -> int | None:
        """The line of an attribute path, or of its nearest written parent."""
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""
        return self.source.start_line

    def to_json(self) -> dict:
        d = {
            "uid": self.uid,
            "type": self.type,
            "provider": self.provider,
            "name": self.name,
            "account": self.account,
            "region": self.region,
            "tags": self.tags,
            "attrs": encode_value(self.attrs),
            "source": self.source.to_json(),
            "provenance": self.provenance,
            "lines": self.lines,
            "suppressions": [s.to_json() for s in self.suppressions],
        }
        return d

    @classmethod
    def from_json(cls, d: dict) -> Resource:
        return cls(
            uid=d["uid"],
            type=d["type"],
            provider=d["provider"],
            name=d["name"],
            account=d.get("account"),
            region=d.get("region"),
            tags=d.get("tags") or {},
            attrs=decode_value(d.get("attrs") or {}),
            source=SourceRef.from_json(d.get("source") or {"kind": "iac"}),
            provenance=d.get("provenance") or {},
            lines=d.get("lines") or {},
            suppressions=[Suppression(**s) for s in d.get("suppressions") or []],
        )


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed edge between resources: function -uses_role-> role, endpoint -uses_config->
    endpoint config, workload -runs_as-> service account. `dst` is a uid; for live data or a
    literal ARN in IaC it may be an ARN that the link stage resolves against the inventory."""

    src: str
    kind: str
    dst: str
    attr: str = ""  # the attribute path on src that makes the link (evidence)

    def to_json(self) -> dict:
        return {"src": self.src, "kind": self.kind, "dst": self.dst, "attr": self.attr}
