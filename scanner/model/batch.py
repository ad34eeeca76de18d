"""What one IaC dialect loader returns: resources, relations and what it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field

from .finding import ScanError
from .resource import Relation, Resource


@dataclass
class Batch:
    dialect: str
    resources: list[Resource] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files: int = 0  # files read
    aliases: dict[str, str] = field(default_factory=dict)  # alias (ARN, name) -> uid
    # resource types read but not modelled (an aws_subnet, a v1 Service): not checked, and
    # said so in the report rather than silently passed over
    unmodelled: dict[str, int] = field(default_factory=dict)

    def count_unmodelled(self, rtype: str) -> None:
        self.unmodelled[rtype] = self.unmodelled.get(rtype, 0) + 1

    def merge(self, other: Batch) -> None:
        self.resources.extend(other.resources)
        self.relations.extend(other.relations)
        self.errors.extend(other.errors)
        self.files += other.files
        self.aliases.update(other.aliases)
        for t, n in other.unmodelled.items():
            self.unmodelled[t] = self.unmodelled.get(t, 0) + n
