"""Building one live GCP Resource: API JSON in, canonical attrs out. A field the API
omitted (proto3 JSON leaves out false, zero and empty) is filled with the provider default
and marked ``default``, as the Terraform normalizer does for an omitted argument."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Relation, Resource, SourceRef, Unresolved
from scanner.secrets import scrub_mapping

_MISSING = object()


def dig(d: Any, path: str) -> Any:
    """`a.b.c` in nested dicts; a list step takes its first item (single-item blocks)."""
    cur = d
    for part in path.split("."):
        if isinstance(cur, list):
            cur = cur[0] if cur else None
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def last(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class Live:
    def __init__(self, api: str, rtype: str, name: str, uid: str, project: str | None, region: str | None):
        self.res = Resource(
            uid=uid,
            type=rtype,
            provider="gcp",
            name=name,
            source=SourceRef("live", dialect="gcp", api=api),
            account=project,
            region=region,
        )
        self.relations: list[Relation] = []
        self.aliases: dict[str, str] = {}
        self.detections: list = []

    def put(self, path: str, value: Any, default: Any = _MISSING) -> Any:
        if value is None and default is not _MISSING:
            value = default
            self.res.provenance[path] = "default"
        if isinstance(value, Unresolved):
            self.res.provenance[path] = "unresolved"
        self.res.attrs[path] = value
        return value

    def flag(self, path: str, value: Any, default: bool) -> None:
        self.put(path, None if value is None else bool(value), default=default)

    def scrub(self, path: str, mapping: Any) -> dict:
        """Env-like config with secret values redacted (scanner.secrets, as for IaC)."""
        plain = {str(k): v for k, v in (mapping or {}).items()} if isinstance(mapping, dict) else {}
        out, dets = scrub_mapping(plain, path)
        self.detections.extend(dets)
        return out

    def relate(self, kind: str, dst: Any, attr: str) -> None:
        if isinstance(dst, str) and dst:
            self.relations.append(Relation(self.res.uid, kind, dst, attr))

    def alias(self, *names: str) -> None:
        for n in names:
            if n:
                self.aliases[n] = self.res.uid

    def labels(self, labels: Any) -> None:
        """GCP labels are the resource's tags, as in the Terraform normalizer."""
        if isinstance(labels, dict):
            self.res.tags = {str(k): str(v) for k, v in labels.items()}

    def finish(self, with_secrets: bool = False) -> Live:
        if with_secrets:
            self.res.attrs["secrets"] = [d.to_json() for d in self.detections]
        return self


def full_name(service: str, name: str) -> str:
    """The resource's full resource name (as Cloud Asset Inventory writes it): the uid."""
    return f"//{service}/{name}"


def members_with(policy: dict | None, roles: frozenset[str] | None, why: str | None) -> Any:
    """Members of the bindings for `roles` (None = every role) as a list, or Unresolved
    when the policy could not be read."""
    if policy is None:
        return Unresolved(why or "IAM policy not read")
    out: list[str] = []
    for b in policy.get("bindings") or []:
        if roles is None or b.get("role") in roles:
            out.extend(m for m in b.get("members") or [] if m not in out)
    return out


def iam_members(policy: dict | None, why: str | None) -> Any:
    """[{role, member}] of a resource policy, or Unresolved when it could not be read."""
    if policy is None:
        return Unresolved(why or "IAM policy not read")
    out = []
    for b in policy.get("bindings") or []:
        cond = b.get("condition")
        for m in b.get("members") or []:
            entry = {"role": b.get("role"), "member": m}
            if isinstance(cond, dict):  # as Terraform folds it: only where one is written
                entry["condition"] = {"title": cond.get("title"), "expression": cond.get("expression")}
            out.append(entry)
    return out
