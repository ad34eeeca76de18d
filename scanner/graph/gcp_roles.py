"""GCP roles as sets of permission patterns: predefined roles from the curated catalogue in
gcp_roles.json (beside this module), custom roles from the inventory. A role the catalogue does not know is
not silently empty: it may grant anything of its service, and whatever it takes part in is
`conditional` (see the file's `_unknown_roles`)."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().with_suffix(".json")


@dataclass(frozen=True, slots=True)
class RolePermissions:
    """What a role grants: permission patterns (lower-case, fnmatch), minus `exclude`.
    `known` is False when the role is guessed (unknown predefined role, unresolved role)."""

    name: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    known: bool = True

    def allows(self, permission: str) -> bool:
        p = permission.lower()
        if not any(fnmatch.fnmatchcase(p, pat) for pat in self.include):
            return False
        return not any(fnmatch.fnmatchcase(p, pat) for pat in self.exclude)


def _lower(patterns) -> tuple[str, ...]:
    return tuple(str(p).lower() for p in patterns)


@cache
def predefined() -> dict[str, RolePermissions]:
    raw = json.loads(_DATA.read_text(encoding="utf-8"))
    out: dict[str, RolePermissions] = {}
    for name, spec in raw["roles"].items():
        if not isinstance(spec.get("permissions"), list):
            raise ValueError(f"{_DATA.name}: role {name} has no permissions list")
        out[name] = RolePermissions(name, _lower(spec["permissions"]), _lower(spec.get("exclude") or ()))
    return out


def unknown(name: str) -> RolePermissions:
    """A role the scanner cannot expand: anything of its service (`roles/run.x` -> run.*), or
    anything at all when even the service is unknown."""
    if name.startswith("roles/") and "." in name:
        service = name[len("roles/") :].split(".", 1)[0].lower()
        return RolePermissions(name, (f"{service}.*",), known=False)
    return RolePermissions(name, ("*",), known=False)


def custom(name: str, permissions: list) -> RolePermissions:
    return RolePermissions(name, _lower(p for p in permissions if isinstance(p, str)))


def lookup(name: str) -> RolePermissions:
    """A predefined role by name (custom roles are resolved by the caller, from the scan)."""
    return predefined().get(name) or unknown(name)
