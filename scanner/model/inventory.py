"""The inventory: every Resource and Relation of a scan. It serializes to JSON and loads
back identically, so a scan can be re-evaluated offline and an inventory is a fixture."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .resource import Relation, Resource

INVENTORY_VERSION = "1"


@dataclass
class Inventory:
    resources: dict[str, Resource] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_type: dict[str, list[Resource]] | None = None
        self._by_scope: dict[str, dict[tuple, list[Resource]]] = {}
        self._out: dict[str, list[Relation]] | None = None
        self._in: dict[str, list[Relation]] | None = None
        self._alias: dict[str, str] = {}

    # -- building -------------------------------------------------------------------
    def add(self, r: Resource) -> None:
        self.resources[r.uid] = r
        self._by_type = None
        self._by_scope = {}
        arn = r.attrs.get("arn")
        if isinstance(arn, str):
            self._alias[arn] = r.uid

    def add_alias(self, alias: str, uid: str) -> None:
        """Another name a relation may use for a resource (an ARN, a bucket name)."""
        self._alias[alias] = uid

    def relate(self, src: str, kind: str, dst: str, attr: str = "") -> None:
        self.relations.append(Relation(src, kind, dst, attr))
        self._out = self._in = None

    def extend(self, resources: Iterable[Resource], relations: Iterable[Relation] = ()) -> None:
        for r in resources:
            self.add(r)
        self.relations.extend(relations)
        self._out = self._in = None

    def merge(self, other: Inventory) -> None:
        """Add another inventory (another source, account or cluster of the same estate);
        call `link` afterwards so relations across them resolve."""
        self.extend(other.resources.values(), other.relations)
        for alias, uid in other._alias.items():
            self._alias.setdefault(alias, uid)

    def resolve(self, ref: str) -> str:
        """A uid for a uid, ARN or alias; the input unchanged when nothing matches."""
        if ref in self.resources:
            return ref
        return self._alias.get(ref, ref)

    def link(self) -> None:
        """Rewrite relation targets given as ARNs or aliases to uids (the link stage)."""
        self.relations = [
            Relation(rel.src, rel.kind, self.resolve(rel.dst), rel.attr) for rel in self.relations
        ]
        self._out = self._in = None

    # -- reading --------------------------------------------------------------------
    def get(self, uid: str) -> Resource | None:
        return self.resources.get(self.resolve(uid))

    def of_type(self, *types: str) -> list[Resource]:
        if self._by_type is None:
            idx: dict[str, list[Resource]] = defaultdict(list)
            for r in self.resources.values():
                idx[r.type].append(r)
            self._by_type = idx
        out: list[Resource] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def in_scope(self, rtype: str, account: str | None, region: str | None) -> list[Resource]:
        """Resources of `rtype` with this account and region (for Kubernetes: cluster and
        namespace), in inventory order, from an index: a rule run once per namespace that
        scanned every resource of the type each time grew with namespaces x resources."""
        idx = self._by_scope.get(rtype)
        if idx is None:
            idx = self._by_scope[rtype] = defaultdict(list)
            for r in self.of_type(rtype):
                idx[(r.account, r.region)].append(r)
        return list(idx.get((account, region), ()))

    def _index(self) -> None:
        out: dict[str, list[Relation]] = defaultdict(list)
        inn: dict[str, list[Relation]] = defaultdict(list)
        for rel in self.relations:
            out[rel.src].append(rel)
            inn[rel.dst].append(rel)
        self._out, self._in = out, inn

    def outgoing(self, uid: str, kind: str | None = None) -> list[Relation]:
        if self._out is None:
            self._index()
        return [r for r in self._out.get(uid, ()) if kind is None or r.kind == kind]

    def incoming(self, uid: str, kind: str | None = None) -> list[Relation]:
        if self._in is None:
            self._index()
        return [r for r in self._in.get(uid, ()) if kind is None or r.kind == kind]

    def related(self, r: Resource | str, kind: str) -> list[Resource]:
        """Resources that `r` points to by `kind` and that exist in the inventory."""
        uid = r if isinstance(r, str) else r.uid
        return [t for rel in self.outgoing(uid, kind) if (t := self.resources.get(rel.dst))]

    def referrers(self, r: Resource | str, kind: str) -> list[Resource]:
        uid = r if isinstance(r, str) else r.uid
        return [s for rel in self.incoming(uid, kind) if (s := self.resources.get(rel.src))]

    def __len__(self) -> int:
        return len(self.resources)

    # -- persistence ----------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "inventory_version": INVENTORY_VERSION,
            "resources": [r.to_json() for r in self.resources.values()],
            "relations": [rel.to_json() for rel in self.relations],
            "aliases": dict(sorted(self._alias.items())),
        }

    @classmethod
    def from_json(cls, d: dict) -> Inventory:
        if str(d.get("inventory_version")) != INVENTORY_VERSION:
            raise ValueError(f"unsupported inventory version {d.get('inventory_version')!r}")
        inv = cls()
        for rd in d.get("resources", []):
            inv.add(Resource.from_json(rd))
        inv.relations = [Relation(**rel) for rel in d.get("relations", [])]
        inv._alias.update(d.get("aliases") or {})
        return inv

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1, sort_keys=False))

    @classmethod
    def load(cls, path: str | Path) -> Inventory:
        return cls.from_json(json.loads(Path(path).read_text()))
