"""Load the rule catalogue: every module under rules/<provider>/ that defines rules."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache

from .sdk import Rule

PROVIDER_PACKAGES = ("rules.aws", "rules.gcp", "rules.k8s")


@dataclass
class Catalogue:
    rules: list[Rule]
    by_id: dict[str, Rule] = field(init=False)
    by_type: dict[str, list[Rule]] = field(init=False)
    alias_to_id: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {}
        for r in self.rules:
            if r.id in self.by_id:
                raise ValueError(f"duplicate rule id {r.id} in {r.module} and {self.by_id[r.id].module}")
            self.by_id[r.id] = r
        self.by_type = defaultdict(list)
        for r in self.rules:
            for t in r.meta.applies_to:
                self.by_type[t].append(r)
        self.alias_to_id = {a.lower(): r.id for r in self.rules for a in r.meta.aliases}

    def resolve_id(self, name: str) -> str | None:
        """Our id for one of our ids or a Checkov/Prowler alias (case-insensitive)."""
        if name in self.by_id:
            return name
        return self.alias_to_id.get(name.lower())

    def select(
        self,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        categories: list[str] | None = None,
        compliance: str | None = None,
    ) -> Catalogue:
        def ids(names):
            return {self.resolve_id(n) or n for n in names}

        rules = self.rules
        if include:
            keep = ids(include)
            rules = [r for r in rules if r.id in keep]
        if exclude:
            drop = ids(exclude)
            rules = [r for r in rules if r.id not in drop]
        if categories:
            rules = [r for r in rules if r.meta.category in set(categories)]
        if compliance:  # a framework id: only the rules its map names
            prefix = f"{compliance.lower()}:"
            rules = [r for r in rules if any(c.lower().startswith(prefix) for c in r.meta.compliance)]
        return Catalogue(rules)


@cache
def load_catalogue() -> Catalogue:
    rules: list[Rule] = []
    for pkg_name in PROVIDER_PACKAGES:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if info.ispkg or info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{pkg_name}.{info.name}")
            rules.extend(getattr(mod, "RULES", []))
    return Catalogue(sorted(_with_compliance(rules), key=lambda r: r.id))


def _with_compliance(rules: list[Rule]) -> list[Rule]:
    """Copy the framework maps (rules/frameworks/*.yaml) onto each rule's `compliance`, so
    rule modules never name frameworks and a map is edited in one place."""
    from .compliance import tags_by_rule

    tags = tags_by_rule()
    out = []
    for r in rules:
        extra = [t for t in tags.get(r.id, ()) if t not in r.meta.compliance]
        out.append(replace(r, meta=replace(r.meta, compliance=(*r.meta.compliance, *extra))) if extra else r)
    return out
