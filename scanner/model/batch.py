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

    def merge(self, other: Batch) -> None:
        self.resources.extend(other.resources)
        self.relations.extend(other.relations)
        self.errors.extend(other.errors)
        self.files += other.files
        self.aliases.update(other.aliases)
