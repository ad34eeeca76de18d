"""Which of the catalogue's resources a cluster serves, and at which version.

One GET of /api/v1 and /apis, then one of /apis/<group>/<version> for each group the scan
needs that the cluster serves (the preferred version first). A group or resource the
cluster does not serve is an absent CRD: skipped quietly when optional, an error otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import TARGETS, Target
from .http import ApiError, RawApi


@dataclass
class Discovered:
    served: list[tuple[Target, str]] = field(default_factory=list)  # (target, groupVersion)
    missing: list[Target] = field(default_factory=list)  # required but not served
    absent: list[Target] = field(default_factory=list)  # optional, not installed
    groups: set[str] = field(default_factory=set)  # API groups the cluster serves


def _listable(doc: dict) -> dict[str, dict]:
    """plural -> resource entry of an APIResourceList, subresources and unlistables left out."""
    out = {}
    for r in doc.get("resources") or []:
        name = r.get("name") if isinstance(r, dict) else None
        if isinstance(name, str) and "/" not in name and "list" in (r.get("verbs") or []):
            out[name] = r
    return out


def _versions(group: dict) -> list[str]:
    preferred = (group.get("preferredVersion") or {}).get("groupVersion")
    gvs = [v.get("groupVersion") for v in group.get("versions") or [] if isinstance(v, dict)]
    return [gv for gv in dict.fromkeys([preferred, *gvs]) if isinstance(gv, str)]


def discover(api: RawApi) -> Discovered:
    """Raises ApiError when discovery itself fails (the cluster cannot be scanned)."""
    out = Discovered()
    core = _listable(api.get("/api/v1"))
    out.groups.add("")
    apis = api.get("/apis")
    by_name = {g.get("name"): g for g in apis.get("groups") or [] if isinstance(g, dict)}
    out.groups |= {n for n in by_name if isinstance(n, str)}
    wanted: dict[str, list[Target]] = {}
    for t in TARGETS:
        wanted.setdefault(t.group, []).append(t)
    for group, targets in wanted.items():
        if group == "":
            _place(out, targets, {"v1": core})
            continue
        if group not in by_name:
            _place(out, targets, {})
            continue
        found: dict[str, dict[str, dict]] = {}
        for gv in _versions(by_name[group]):
            if all(any(t.plural in res for res in found.values()) for t in targets):
                break  # every resource of this group already has a version
            try:
                found[gv] = _listable(api.get(f"/apis/{gv}"))
            except ApiError as e:
                if e.status != 404:  # 404: the CRD went away since /apis was read
                    raise
        _place(out, targets, found)
    return out


def _place(out: Discovered, targets: list[Target], found: dict[str, dict[str, dict]]) -> None:
    for t in targets:
        gv = next(
            (gv for gv, res in found.items() if t.plural in res and res[t.plural].get("kind") == t.kind), None
        )
        if gv is not None:
            out.served.append((t, gv))
        elif t.optional:
            out.absent.append(t)
        else:
            out.missing.append(t)
