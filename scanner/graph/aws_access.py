"""Per-principal AWS permissions for the graph: every policy of a user, role or group
gathered once (inline, managed, through groups, boundary, and the SCPs of its account,
compiled once per account by `scanner.graph.aws_scp`), and asked through
`scanner.graph.aws_eval` with the request context the scanner knows.

Asking "which roles may P pass" must not loop over every role for every principal, so the
candidates come from an index: the resource patterns of P's statements that may cover the
action, matched (once per distinct pattern, from its literal prefix) against the sorted ARNs
of the possible targets. Targets that no target-specific pattern can match all decide alike
(the ``"*"`` statements match them, the others do not), so one evaluation serves them all.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scanner.graph.aws_eval import (
    CALLER_CHOICE,
    GLOBAL_SERVICES,
    CompiledPolicy,
    Decision,
    PreparedContext,
    Result,
    ScpLevel,
    compile_policy,
    evaluate,
    glob_match,
    lower_action,
    prepare_context,
    requested_region,
    with_placeholder_account,
)
from scanner.model.finding import Location
from scanner.model.resource import Ref, Unresolved


@dataclass(slots=True)
class PolicyRef:
    """One policy that applies to a principal, and where it was granted."""

    label: str  # a policy ARN, a uid, or "<principal uid>:inline:<name>"
    compiled: CompiledPolicy
    location: Location | None = None


@dataclass(slots=True)
class AwsPrincipal:
    uid: str
    kind: str  # user | role | group
    arn: str
    exact: bool  # the ARN is known, not built from placeholders
    name: str
    account: str
    policies: list[PolicyRef] = field(default_factory=list)  # identity: own, then groups'
    boundary: PolicyRef | None = None
    # the SCPs that apply, per level of the Organization (scanner.graph.aws_scp): one tuple
    # shared by every principal of the account; () when none applies
    scps: tuple[ScpLevel, ...] = ()
    groups: list[str] = field(default_factory=list)  # group uids
    own_policies: list[tuple[str, str]] = field(default_factory=list)  # (ARN, uid) customer-managed
    trust: Any = None  # roles: the canonical trust policy
    location: Location | None = None
    services: set[str] = field(default_factory=set)  # services some statement names
    any_service: bool = False  # a statement with a service wildcard, NotAction or unresolved
    may: dict[str, bool] = field(default_factory=dict, repr=False)  # action -> `may_use`
    _trust_cp: CompiledPolicy | None = field(default=None, repr=False)

    @property
    def compiled(self) -> list[CompiledPolicy]:
        return [p.compiled for p in self.policies]

    @property
    def trust_policy(self) -> CompiledPolicy | None:
        """The trust policy compiled once (it is asked for every principal that may assume
        the role; a shared cache of raw documents would thrash in a large account)."""
        if self._trust_cp is None and self.trust is not None:
            self._trust_cp = compile_policy(self.trust)
        return self._trust_cp

    def context(self) -> dict[str, list[str]]:
        now = datetime.now(UTC)
        ctx = {
            "aws:PrincipalArn": [self.arn],
            "aws:PrincipalAccount": [self.account],
            "aws:PrincipalType": ["User" if self.kind == "user" else "AssumedRole"],
            "aws:CurrentTime": [now.isoformat().replace("+00:00", "Z")],
            "aws:EpochTime": [str(int(now.timestamp()))],
            # the caller chooses its transport, and any real attacker uses TLS: a "deny
            # unless HTTPS" bucket policy never stops a path
            "aws:SecureTransport": ["true"],
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
    """False when no Allow statement of the principal's policies may cover `action` (a fast
    skip: most principals are asked about most techniques' actions and hold none)."""
    lower = lower_action(action)
    if not (p.any_service or lower.partition(":")[0] in p.services):
        return False  # not memoized: a memo per principal and action was the build's largest allocation
    hit = p.may.get(lower)
    if hit is None:
        hit = p.may[lower] = any(
            ref.compiled.unresolved or any(s.effect != "deny" for s, _ in ref.compiled.for_action(lower))
            for ref in p.policies
        )
    return hit


def compile_ref(label: str, doc: Any, location: Location | None = None) -> PolicyRef:
    return PolicyRef(label, compile_policy(doc), location)


# --------------------------------------------------------------------------- patterns


class ArnIndex:
    """Targets by ARN, to find the ones a resource pattern can match without trying every
    target for every principal: sorted ARNs, so a pattern meets only the targets that share
    its literal prefix (up to the first wildcard). Pattern results are cached: policies
    repeat patterns."""

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items  # (ARN, node id)
        self.arn_of = {n: a for a, n in items}  # node id -> ARN (asked per principal: built once)
        self.exact: dict[str, list[str]] = {}
        for arn, nid in items:
            self.exact.setdefault(arn, []).append(nid)
        self._sorted = sorted(items)
        self._keys = [a for a, _ in self._sorted]
        self._memo: dict[str, tuple[str, ...]] = {}
        self._regions: dict[bool, dict[Any, list[tuple[str, str]]]] = {}

    def by_region(self, action: str) -> dict[Any, list[tuple[str, str]]]:
        """The items by the aws:RequestedRegion a request for `action` on them names (the
        same for every action of a global service, else the ARN's region): grouped once."""
        glob = action.partition(":")[0].lower() in GLOBAL_SERVICES
        hit = self._regions.get(glob)
        if hit is None:
            hit = self._regions[glob] = {}
            for a, n in self.items:
                hit.setdefault(_region_class(action, a), []).append((a, n))
        return hit

    def match(self, pattern: Any) -> tuple[str, ...]:
        """The targets the pattern may match, including those whose ARN was built without a
        known account when the pattern names one (the evaluator leaves those undecided)."""
        if not isinstance(pattern, str) or pattern == "*" or "${" in pattern:
            return tuple(n for _, n in self.items)  # unknown or variable: every target may match
        hit = self._memo.get(pattern)
        if hit is None:
            hit = self._memo[pattern] = self._match(pattern) + self._match(with_placeholder_account(pattern))
        return hit

    def _match(self, pattern: str | None) -> tuple[str, ...]:
        if pattern is None:
            return ()
        if "*" not in pattern and "?" not in pattern:
            return tuple(self.exact.get(pattern, ()))
        cut = min(i for i in (pattern.find("*"), pattern.find("?")) if i >= 0)
        prefix = pattern[:cut]
        every = cut == len(pattern) - 1 and pattern[cut] == "*"  # "prefix*": the whole range
        out = []
        for i in range(bisect_left(self._keys, prefix), len(self._keys)):
            arn, n = self._sorted[i]
            if not arn.startswith(prefix):
                break
            if every or glob_match(pattern, arn):
                out.append(n)
        return tuple(out)


@dataclass(frozen=True)
class Patterns:
    """The Resource patterns that decide `action` for a principal. A target that no pattern
    in `specific` can match meets every statement exactly as any other such target does
    (the ``"*"`` ones match, the others do not), so one evaluation decides them all."""

    allows: tuple[Any, ...]  # of the Allow statements (None: unknown), where candidates come from
    specific: tuple[str, ...]  # every non-"*" pattern of any statement that may apply
    wild: bool  # a statement whose resource match is unknown: every target on its own

    @property
    def star_only(self) -> bool:
        return not self.wild and not self.specific

    def generic(self, arn: str) -> bool:
        """Whether `arn` is in the class that one evaluation decides."""
        if self.wild:
            return False
        for x in self.specific:
            alt = with_placeholder_account(x)
            if glob_match(x, arn) or (alt is not None and glob_match(alt, arn)):
                return False
        return True


def _resource_patterns(
    p: AwsPrincipal, action: str, scp: tuple[tuple[str, ...], bool] = ((), False)
) -> Patterns:
    """The patterns of the principal's statements that may cover `action` (lower-case),
    Deny and boundary included, with `scp` (`scp_patterns` of its SCPs) added."""
    allows: list[Any] = []
    specific: dict[str, None] = dict.fromkeys(scp[0])
    wild = scp[1]
    for ref in [*p.policies, *([p.boundary] if p.boundary else [])]:
        cp = ref.compiled
        if cp.unresolved:
            allows.append(None)
            wild = True
            continue
        for s, _ in cp.for_action(action):
            res, unknown = _statement_resources(s, specific)
            wild = wild or unknown
            if s.effect == "allow" and ref is not p.boundary:
                allows.extend([None] if res is None else res)
    return Patterns(tuple(allows), tuple(specific), wild)


def _statement_resources(s: Any, specific: dict[str, None]) -> tuple[list | None, bool]:
    """The statement's Resource list (None when it cannot be listed: NotResource, an
    unresolved statement or value), its non-"*" patterns added to `specific`, and whether
    some resource match is unknown."""
    res = s.raw.get("Resource") if "NotResource" not in s.raw else None
    if s.unresolved or not isinstance(res, list):
        return None, True
    unknown = False
    for r in res:
        if not isinstance(r, str) or "${" in r:
            unknown = True
        elif r != "*":
            specific[r] = None
    return res, unknown


def scp_patterns(levels: tuple[ScpLevel, ...], action: str) -> tuple[tuple[str, ...], bool]:
    """(the non-"*" Resource patterns of SCP statements that may cover `action`, whether one
    matches resources in a way no pattern says): SCPs never grant, so they add no candidates,
    but a target they may tell apart from the others must be asked on its own."""
    specific: dict[str, None] = {}
    wild = False
    for level in levels:
        for cp in level.policies:
            if cp.unresolved:
                wild = True
                continue
            for s, _ in cp.for_action(action):
                wild = _statement_resources(s, specific)[1] or wild
    return tuple(specific), wild


def _level_inert(level: ScpLevel, action: str) -> bool:
    """Whether an SCP level allows `action` on every resource, in every request, and cannot
    deny it: some statement is a plain Allow of it on "*" (FullAWSAccess) and none is a Deny
    that may cover it, or unresolved."""
    allows = False
    for cp in level.policies:
        if cp.unresolved:
            return False
        for s, (matched, _) in cp.for_action(action):
            if s.effect != "allow" or s.unresolved:
                return False
            raw = s.raw
            if matched is True and raw.get("Resource") == ["*"] and not raw.get("Condition"):
                allows = True
    return allows


# --------------------------------------------------------------------------- asking


@dataclass(frozen=True, slots=True)
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
    """Asks permissions of principals, with caching and target indexes.

    ``reference=True`` turns every shortcut off (each target asked on its own, nothing
    shared between resources): the straightforward graph the tests compare against."""

    def __init__(self, reference: bool = False) -> None:
        self.reference = reference
        self._cache: dict[tuple, Grant | None] = {}
        self._ctx: dict[tuple, PreparedContext] = {}
        self._patterns: dict[tuple[str, str], Patterns] = {}
        self._granting: dict[tuple, list[PolicyRef]] = {}
        self._scp_patterns: dict[tuple[int, str], tuple[tuple[str, ...], bool]] = {}
        self._scp_inert: dict[tuple[int, str], bool] = {}
        self._keyed: dict[str, bool] = {}

    def context(self, p: AwsPrincipal, extra: dict | None = None) -> PreparedContext:
        key = (p.uid, _freeze(extra))
        hit = self._ctx.get(key)
        if hit is None:
            hit = self._ctx[key] = prepare_context({**p.context(), **(extra or {})})
        return hit

    def patterns(self, p: AwsPrincipal, action: str) -> Patterns:
        """The resource patterns that decide `action` for `p` (see `Patterns`)."""
        return self._patterns_of(p, lower_action(action)) if may_use(p, action) else Patterns((), (), False)

    def _patterns_of(self, p: AwsPrincipal, action: str) -> Patterns:
        key = (p.uid, action)
        hit = self._patterns.get(key)
        if hit is None:
            scp: tuple[tuple[str, ...], bool] = ((), False)
            if p.scps:  # once per account's SCPs and action, not per principal
                skey = (id(p.scps), action)
                got = self._scp_patterns.get(skey)
                if got is None:
                    got = self._scp_patterns[skey] = scp_patterns(p.scps, action)
                scp = got
            hit = self._patterns[key] = _resource_patterns(p, action, scp)
        return hit

    def ask(
        self,
        p: AwsPrincipal,
        action: str,
        resource: str,
        *,
        extra: dict | None = None,
        resource_policy: Any = None,
        cross_account: bool = False,
    ) -> Grant | None:
        """`cross_account`: the resource is in another account than `p`, so its resource
        policy must allow `p` too (given as `resource_policy`; without one, nothing does)."""
        if cross_account and resource_policy is None:
            return None
        if (resource_policy is None or cross_account) and not may_use(p, action):
            return None
        lower = lower_action(action)
        key = (p.uid, lower, resource, _freeze(extra), id(resource_policy), cross_account)
        if key in self._cache:
            return self._cache[key]
        res = evaluate(
            action,
            resource,
            p.compiled,
            boundary=p.boundary.compiled if p.boundary else None,
            scps=self._scps(p, lower),
            resource_policy=resource_policy,
            principal=p.arn,
            context=self.context(p, extra),
            cross_account=cross_account,
            infer_region=True,
        )
        g = self._cache[key] = grant_of(res)
        return g

    def _region_keyed(self, p: AwsPrincipal) -> bool:
        """Whether a policy of `p` (SCPs included) tests aws:RequestedRegion, which the
        evaluator takes from each request: targets in different regions then differ."""
        hit = self._keyed.get(p.uid)
        if hit is None:
            refs = [*p.policies, *([p.boundary] if p.boundary else [])]
            hit = any(r.compiled.region_keyed for r in refs) or any(
                cp.region_keyed for lv in p.scps for cp in lv.policies
            )
            self._keyed[p.uid] = hit
        return hit

    def _scps(self, p: AwsPrincipal, action: str) -> tuple[ScpLevel, ...] | None:
        """The principal's SCPs, or None where they cannot change the answer for `action`:
        every level holds a plain Allow of it on "*" and nothing that may deny it (decided
        once per account's SCPs and action)."""
        if not p.scps:
            return None
        if self.reference:
            return p.scps
        key = (id(p.scps), action)
        hit = self._scp_inert.get(key)
        if hit is None:
            hit = self._scp_inert[key] = all(_level_inert(lv, action) for lv in p.scps)
        return None if hit else p.scps

    def targets(
        self, p: AwsPrincipal, action: str, index: ArnIndex, *, extra: dict | None = None
    ) -> list[tuple[str, str, Grant]]:
        """(node id, ARN, grant) for every target in `index` that `p` may perform `action` on,
        by its identity policies."""
        if not may_use(p, action) or not index.items:
            return []
        if self.reference:
            return [(n, a, g) for a, n in index.items if (g := self.ask(p, action, a, extra=extra))]
        w = self.wide(p, action, index, extra=extra)
        if w is not None:
            rest, asked = w
            out = [(n, index.arn_of[n], g) for n, g in asked.items() if g]
            if rest:
                out.extend((n, a, rest) for a, n in index.items if n not in asked)
            return out
        pats = self._patterns_of(p, lower_action(action))
        if not pats.allows:
            return []
        arn_of = index.arn_of
        one_for_all = not pats.wild and "*" in pats.allows
        # asked one by one: what a specific pattern may match (all of it, when the allows
        # do not cover everything: nothing outside their patterns can be allowed)
        cands: dict[str, None] = {}
        for pat in pats.specific if one_for_all else pats.allows:
            for n in index.match(pat):
                cands[n] = None
        out = []
        for n in cands:
            g = self.ask(p, action, arn_of[n], extra=extra)
            if g:
                out.append((n, arn_of[n], g))
        if one_for_all:  # every other target: one evaluation decides them all (per region
            # of the request, where a policy tests it)
            for group in index.by_region(action).values():
                rest = [x for x in group if x[1] not in cands] if cands else group
                if rest and (g := self.ask(p, action, rest[0][0], extra=extra)):
                    out.extend((n, a, g) for a, n in rest)
        return out

    def wide(
        self, p: AwsPrincipal, action: str, index: ArnIndex, *, extra: dict | None = None
    ) -> tuple[Grant | None, dict[str, Grant | None]] | None:
        """When a statement on "*" makes one evaluation decide every target of `index` but
        the few a specific pattern may match: (the grant of every other target, {node id:
        grant} of those few, asked one by one), in time independent of the index's size.
        None where that does not hold: the reference mode, an allow that is not on "*", an
        unknown resource match, or targets the request's region tells apart."""
        if self.reference or not index.items or not may_use(p, action):
            return None
        pats = self._patterns_of(p, lower_action(action))
        if pats.wild or "*" not in pats.allows:
            return None
        if self._region_keyed(p) and len(index.by_region(action)) > 1:
            return None
        asked: dict[str, Grant | None] = {}
        for pat in pats.specific:
            for n in index.match(pat):
                if n not in asked:
                    asked[n] = self.ask(p, action, index.arn_of[n], extra=extra)
        other = next((a for a, n in index.items if n not in asked), None)
        return (self.ask(p, action, other, extra=extra) if other else None), asked

    def granting(
        self, p: AwsPrincipal, action: str, resource: str, extra: dict | None = None
    ) -> list[PolicyRef]:
        """The policies of `p` that, alone, allow (or conditionally allow) `action`: where a
        permission was granted, for the path's evidence. Cached; one answer serves every
        resource that no specific pattern (SCPs' included) can match. SCPs never grant, so
        they are not among them: an edge they may block is conditional and its conditions
        name the SCP."""
        lower = lower_action(action)
        shared = not self.reference and self._patterns_of(p, lower).generic(resource)
        region = _region_class(action, resource) if shared and self._region_keyed(p) else None
        key = (p.uid, lower, ("*", region) if shared else resource, _freeze(extra))
        hit = self._granting.get(key)
        if hit is not None:
            return hit
        out = []
        ctx = self.context(p, extra)
        for ref in p.policies:
            cp = ref.compiled
            if not (cp.unresolved or cp.for_action(lower)):
                continue
            if evaluate(action, resource, [cp], principal=p.arn, context=ctx, infer_region=True).possible:
                out.append(ref)
        self._granting[key] = out
        return out


def _region_class(action: str, resource: str) -> Any:
    r = requested_region(action, resource)
    return "caller" if r is CALLER_CHOICE else tuple(r) if r is not None else None


def _freeze(extra: dict | None) -> tuple:
    if not extra:
        return ()
    return tuple(sorted((k, tuple(v)) for k, v in extra.items()))


def is_unknown(v: Any) -> bool:
    return isinstance(v, Unresolved | Ref) or v is None
