"""The rule SDK: a rule is a small pure function over one Resource plus declarative
metadata. The engine writes messages from the metadata and the rule's reason, so no rule
hand-writes resource text.

    @rule(id="sagemaker-notebook-no-direct-internet", severity="high", category="network",
          applies_to=["aws.sagemaker.notebook_instance"], aliases=["CKV_AWS_122"],
          title="SageMaker notebook instances have no direct internet access", ...)
    def no_direct_internet(nb: Resource) -> Verdicts:
        if nb.a.get("direct_internet_access", True):
            return fail("direct internet access is enabled", at="direct_internet_access")
        return ok()

A rule may take a second parameter, the `Inventory`, to follow relations (a function's
execution role), and a third (or a keyword-only) `config`, the scan's
`scanner.suppress.Config` (a default one when none was given), to read user policy such as
the tag policy. It returns `ok()`, one `fail(...)`/`unknown(...)`, or an iterable of them
(one per offending container, statement, ...). Reading an unresolved value through
`resource.a` raises `UnresolvedAccess`, which the engine reports as UNKNOWN.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from scanner.model.finding import CATEGORIES, SEVERITIES
from scanner.model.resource import UnresolvedAccess

_MISSING = object()
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
MATURITIES = ("stable", "incubating", "experimental")


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # pass | fail | unknown
    reason: str = ""
    at: str = ""  # attribute path of the evidence
    value: Any = _MISSING  # observed value; when missing the engine reads it at `at`


def ok() -> Verdict:
    return Verdict("pass")


def fail(reason: str, at: str = "", value: Any = _MISSING) -> Verdict:
    return Verdict("fail", reason, at, value)


def unknown(reason: str, at: str = "") -> Verdict:
    return Verdict("unknown", reason, at)


def is_missing(v: Any) -> bool:
    return v is _MISSING


@dataclass(frozen=True)
class RuleMeta:
    id: str
    title: str  # states the secure state: "SageMaker notebook instances have no direct internet access"
    severity: str
    category: str
    applies_to: tuple[str, ...]
    description: str = ""
    risk: str = ""
    remediation: dict[str, str] = field(
        default_factory=dict
    )  # terraform|cloudformation|kubernetes|cli|console
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # equivalent Checkov and Prowler ids
    compliance: tuple[str, ...] = ()
    maturity: str = "stable"
    provider: str = ""
    tags: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        return f"https://mlposture.dev/rules/{self.id}"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "category": self.category,
            "applies_to": list(self.applies_to),
            "description": self.description,
            "risk": self.risk,
            "remediation": dict(self.remediation),
            "references": list(self.references),
            "aliases": list(self.aliases),
            "compliance": list(self.compliance),
            "maturity": self.maturity,
            "provider": self.provider,
            "tags": list(self.tags),
            "help_uri": self.help_uri,
        }


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    fn: Callable[..., Verdict | Iterable[Verdict] | None]
    wants_inventory: bool
    module: str
    wants_config: bool = False  # the function takes `config` (by keyword)

    @property
    def id(self) -> str:
        return self.meta.id

    def evaluate(self, resource, inventory, config=None) -> list[Verdict]:
        if self.wants_config:
            if config is None:
                from scanner.suppress import Config

                config = Config()
            args = (resource, inventory) if self.wants_inventory else (resource,)
            out = self.fn(*args, config=config)
        else:
            out = self.fn(resource, inventory) if self.wants_inventory else self.fn(resource)
        if out is None:
            return [ok()]
        if isinstance(out, Verdict):
            return [out]
        verdicts: list[Verdict] = []
        try:
            for v in out:
                verdicts.append(v)
        except UnresolvedAccess as e:
            # keep what the rule already decided (a fail must not turn into unknown)
            verdicts.append(Verdict("unknown", f"{e.path} is unresolved ({e.expr})", e.path))
        return verdicts or [ok()]


def _takes_config(fn) -> bool:
    """A parameter named `config`, positional (third) or keyword-only."""
    p = inspect.signature(fn).parameters.get("config")
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


# Rules register into the module that defines them (not into a global registry): the
# loader collects `RULES` lists from each module it imports, so importing a module twice
# or in a test never changes another module's catalogue.
def rule(
    *,
    id: str,
    title: str,
    severity: str,
    category: str,
    applies_to: list[str] | tuple[str, ...],
    description: str = "",
    risk: str = "",
    remediation: dict[str, str] | None = None,
    references: list[str] | tuple[str, ...] = (),
    aliases: list[str] | tuple[str, ...] = (),
    compliance: list[str] | tuple[str, ...] = (),
    maturity: str = "stable",
    tags: list[str] | tuple[str, ...] = (),
):
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: severity {severity!r} not in {SEVERITIES}")
    if category not in CATEGORIES:
        raise ValueError(f"{id}: category {category!r} not in {CATEGORIES}")

    def deco(fn):
        meta = RuleMeta(
            id=id,
            title=title,
            severity=severity,
            category=category,
            applies_to=tuple(applies_to),
            description=description or (inspect.getdoc(fn) or ""),
            risk=risk,
            remediation=dict(remediation or {}),
            references=tuple(references),
            aliases=tuple(aliases),
            compliance=tuple(compliance),
            maturity=maturity,
            provider=applies_to[0].split(".")[0] if applies_to else "",
            tags=tuple(tags),
        )
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "config"
        ]
        r = Rule(
            meta,
            fn,
            wants_inventory=len(params) >= 2,
            module=fn.__module__,
            wants_config=_takes_config(fn),
        )
        mod = inspect.getmodule(fn)
        if mod is not None:
            mod.__dict__.setdefault("RULES", []).append(r)
        fn.rule = r
        return fn

    return deco
