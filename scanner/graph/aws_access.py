"""Per-principal AWS permissions for the graph: every policy of a user, role or group
gathered once (inline, managed, through groups, boundary), compiled once, and asked through
`scanner.graph.aws_eval` with the request context the scanner knows.

Asking "which roles may P pass" must not loop over every role for every principal, so the
candidates come from an index: the resource patterns of P's Allow statements for that
service, matched (once per distinct pattern) against the ARNs of the possible targets.
When every statement that could apply says ``Resource: "*"``, the answer cannot depend on
the target, so it is computed once and reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from scanner.graph.aws_eval import CompiledPolicy, Decision, Result, compile_policy, evaluate
from scanner.model.finding import Location
from scanner.model.resource import Ref, Unresolved


@dataclass
class PolicyRef:
    """One policy that applies to a principal, and where it was granted."""

    label: str  # a policy ARN, a uid, or "<principal uid>:inline:<name>"
    compiled: CompiledPolicy
    location: Location | None = None


@dataclass
class AwsPrincipal:
    uid: str
    kind: str  # user | role | group
    arn: str
    exact: bool  # the ARN is known, not built from placeholders
    name: str
    account: str
    policies: list[PolicyRef] = field(default_factory=list)  # identity: own, then groups'
    boundary: PolicyRef | None = None
    groups: list[str] = field(default_factory=list)  # group uids
    own_policies: list[tuple[str, str]] = field(default_factory=list)  # (ARN, uid) customer-managed
    trust: Any = None  # roles: the canonical trust policy
    location: Location | None = None
    services: set[str] = field(default_factory=set)  # services some statement names
    any_service: bool = False  # a statement with a service wildcard, NotAction or unresolved

    @property
    def compiled(self) -> list[CompiledPolicy]:
        return [p.compiled for p in self.policies]

    def context(self) -> dict[str, list[str]]:
        now = datetime.now(UTC)
        ctx = {
            "aws:PrincipalArn": [self.arn],
            "aws:PrincipalAccount": [self.account],
            "aws:PrincipalType": ["User" if self.kind == "user" else "AssumedRole"],
            "aws:CurrentTime": [now.isoformat().replace("+00:00", "Z")],
            "aws:EpochTime": [str(int(now.timestamp()))],
        }
        if self.kind == "user":
            ctx["aws:username"] = [self.name]
        return ctx


def index_services(p: AwsPrincipal) -> None:
    for ref in [*p.policies, *([p.boundary] if p.boundary else [])]:
        cp = ref.compiled
        p.services.update(cp.by_service)
        if cp.generic or cp.unresolved:
            p.any_service = True


def may_use(p: AwsPrincipal, action: str) -> bool:
    """False when no statement of the principal can possibly allow `action` (a fast skip)."""
    return p.any_service or action.partition(":")[0].lower() in p.services


def compile_ref(label: str, doc: Any, location: Location | None = None) -> PolicyRef:
    return PolicyRef(label, compile_policy(doc), location)


# --------------------------------------------------------------------------- patterns


@lru_cache(maxsize=65536)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


class ArnIndex:
    """Targets by ARN, to find the ones a resource pattern can match without trying every
    target for every principal. Pattern results are cached: policies repeat patterns."""

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items  # (ARN, node id)
        self.exact: dict[str, list[str]] = {}
        for arn, nid in items:
            self.exact.setdefault(arn, []).append(nid)
        self._memo: dict[str, tuple[str, ...]] = {}

    def match(self, pattern: Any) -> tuple[str, ...]:
        if not isinstance(pattern, str) or pattern == "*" or "${" in pattern:
            return tuple(n for _, n in self.items)  # unknown or variable: every target may match
        hit = self._memo.get(pattern)
        if hit is None:
            if "*" not in pattern and "?" not in pattern:
                hit = tuple(self.exact.get(pattern, ()))
            else:
                rx = _glob(pattern)
                hit = tuple(n for arn, n in self.items if rx.fullmatch(arn))
            self._memo[pattern] = hit
        return hit


def _resource_patterns(p: AwsPrincipal, service: str) -> tuple[list[Any], bool]:
    """(the Resource patterns of the principal's Allow statements for a service, whether all
    statements that could apply, Deny and boundary included, are on Resource "*")."""
    patterns: list[Any] = []
    star_only = True
    for ref in [*p.policies, *([p.boundary] if p.boundary else [])]:
        cp = ref.compiled
        if cp.unresolved:
            patterns.append(None)
            star_only = False
            continue
        for s in cp.candidates(service):
            raw = s.raw
            res = raw.get("Resource") if "NotResource" not in raw else None
            if s.unresolved or not isinstance(res, list):
                star_only = False
                if s.effect == "allow" and ref is not p.boundary:
                    patterns.append(None)
                continue
            if any(r != "*" for r in res):
                star_only = False
            if s.effect == "allow" and ref is not p.boundary:
                patterns.extend(res)
    return patterns, star_only


# --------------------------------------------------------------------------- asking


@dataclass(frozen=True)
class Grant:
    """The outcome of asking for one permission: possible, how sure, and by which policy."""

    confidence: str  # certain | conditional
    undecided: tuple[str, ...] = ()


def grant_of(result: Result) -> Grant | None:
    if result.decision is Decision.ALLOW:
        return Grant("certain")
    if result.decision is Decision.CONDITIONAL_ALLOW:
        return Grant("conditional", result.undecided)
    return None


class Access:
    """Asks permissions of principals, with caching and target indexes."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Grant | None] = {}
        self._ctx: dict[str, dict] = {}
        self._star: dict[tuple[str, str], bool] = {}
        self._granting: dict[tuple, list[PolicyRef]] = {}

    def context(self, p: AwsPrincipal, extra: dict | None = None) -> dict:
        base = self._ctx.get(p.uid)
        if base is None:
            base = self._ctx[p.uid] = p.context()
        return {**base, **extra} if extra else base

    def ask(
        self,
        p: AwsPrincipal,
        action: str,
        resource: str,
        *,
        extra: dict | None = None,
        resource_policy: Any = None,
    ) -> Grant | None:
        if resource_policy is None and not may_use(p, action):
            return None
        key = (p.uid, action.lower(), resource, _freeze(extra), id(resource_policy))
        if key in self._cache:
            return self._cache[key]
        res = evaluate(
            action,
            resource,
            p.compiled,
            boundary=p.boundary.compiled if p.boundary else None,
            resource_policy=resource_policy,
            principal=p.arn,
            context=self.context(p, extra),
        )
        g = self._cache[key] = grant_of(res)
        return g

    def targets(
        self, p: AwsPrincipal, action: str, index: ArnIndex, *, extra: dict | None = None
    ) -> list[tuple[str, str, Grant]]:
        """(node id, ARN, grant) for every target in `index` that `p` may perform `action` on,
        by its identity policies."""
        if not may_use(p, action) or not index.items:
            return []
        service = action.partition(":")[0].lower()
        patterns, star_only = _resource_patterns(p, service)
        self._star[(p.uid, service)] = star_only
        if not patterns:
            return []
        arn_of = {n: a for a, n in index.items}
        if star_only:  # the answer is the same for every target
            first_arn = index.items[0][0]
            g = self.ask(p, action, first_arn, extra=extra)
            return [(n, a, g) for a, n in index.items] if g else []
        cands: dict[str, None] = {}
        for pat in patterns:
            for n in index.match(pat):
                cands[n] = None
        out = []
        for n in cands:
            g = self.ask(p, action, arn_of[n], extra=extra)
            if g:
                out.append((n, arn_of[n], g))
        return out

    def star_only(self, p: AwsPrincipal, service: str) -> bool:
        key = (p.uid, service)
        hit = self._star.get(key)
        if hit is None:
            hit = self._star[key] = _resource_patterns(p, service)[1]
        return hit

    def granting(
        self, p: AwsPrincipal, action: str, resource: str, extra: dict | None = None
    ) -> list[PolicyRef]:
        """The policies of `p` that, alone, allow (or conditionally allow) `action`: where a
        permission was granted, for the path's evidence. Cached; when every statement that
        could apply is on Resource "*", the answer holds for every resource."""
        service = action.partition(":")[0].lower()
        res_key = "*" if self.star_only(p, service) else resource
        key = (p.uid, action.lower(), res_key, _freeze(extra))
        hit = self._granting.get(key)
        if hit is not None:
            return hit
        out = []
        ctx = self.context(p, extra)
        for ref in p.policies:
            cp = ref.compiled
            if not (cp.generic or cp.unresolved or service in cp.by_service):
                continue
            if evaluate(action, resource, [cp], principal=p.arn, context=ctx).possible:
                out.append(ref)
        self._granting[key] = out
        return out


def _freeze(extra: dict | None) -> tuple:
    if not extra:
        return ()
    return tuple(sorted((k, tuple(v)) for k, v in extra.items()))


def is_unknown(v: Any) -> bool:
    return isinstance(v, Unresolved | Ref) or v is None
