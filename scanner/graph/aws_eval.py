"""Pure AWS IAM policy evaluation over canonical policy documents
(`scanner.normalize.iam_policy`), three-valued.

AWS's documented order: an explicit Deny in any applicable policy wins; otherwise an
identity policy (or, in the same account, a resource policy naming the principal) must
Allow; a permissions boundary and every SCP, when given, must also Allow. SCPs may be given
as `ScpLevel`s: the policies attached at one level of the Organization, any of which may
allow, and a level that may not apply to the principal at all.

Every statement evaluates to True, False or None (undecided), combined with Kleene logic.
A condition key the scanner does not know, a policy variable it cannot substitute, or an
`Unresolved` value makes the statement undecided, never silently true or false; the
result then names the undecided keys. A key given in ``context`` with an empty list is
known to be absent from the request.

Patterns are compiled once (cached), and each compiled policy indexes its statements by
service prefix, so asking about many actions never scans unrelated statements.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.iam_policy import normalize_policy

Tri = bool | None  # True, False, None (undecided)


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"  # explicit deny
    IMPLICIT_DENY = "implicit-deny"
    CONDITIONAL_ALLOW = "conditional-allow"  # allowed only if undecided conditions hold


@dataclass(frozen=True)
class Result:
    decision: Decision
    undecided: tuple[str, ...] = ()  # condition keys (or ``unresolved:...``) left open

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    @property
    def possible(self) -> bool:
        """Allowed, or allowed if the undecided conditions hold."""
        return self.decision in (Decision.ALLOW, Decision.CONDITIONAL_ALLOW)


# --------------------------------------------------------------------------- patterns


@lru_cache(maxsize=65536)
def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(out), re.S | (re.I if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's glob (`*` any run, `?` one character) over the whole value. A pattern with no `?`
    and at most one `*` (nearly every ARN pattern) is a prefix and suffix test: no regex to
    compile for each of the many distinct patterns of a large account."""
    star = pattern.find("*")
    if "?" not in pattern and (star < 0 or pattern.find("*", star + 1) < 0):
        if ignore_case:
            pattern, value = pattern.lower(), value.lower()
        if star < 0:
            return pattern == value
        head, tail = pattern[:star], pattern[star + 1 :]
        return len(value) >= star + len(tail) and value.startswith(head) and value.endswith(tail)
    return _glob_regex(pattern, ignore_case).fullmatch(value) is not None


_VAR = re.compile(r"\$\{([^}]*)\}")
_SPECIAL_VARS = {"*": "*", "?": "?", "$": "$"}


def _substitute(text: str, ctx: dict[str, list[str]]) -> tuple[str | None, list[str], bool]:
    """Replace policy variables. Returns (regex-or-text, missing keys, is_regex): when the
    text has variables, the result is a regex source with substituted values escaped."""
    if "${" not in text:
        return text, [], False
    parts: list[str] = []
    missing: list[str] = []
    pos = 0
    for m in _VAR.finditer(text):
        parts.append(_glob_src(text[pos : m.start()]))
        pos = m.end()
        inner = m.group(1).strip()
        if inner in _SPECIAL_VARS:
            parts.append(re.escape(_SPECIAL_VARS[inner]))
            continue
        key, default = inner, None
        if "," in inner:
            key, _, d = inner.partition(",")
            key, default = key.strip(), d.strip().strip("'\"")
        vals = ctx.get(key.lower())
        if vals:  # a variable takes a single value
            parts.append(re.escape(vals[0]))
        elif default is not None:
            parts.append(re.escape(default))
        else:
            missing.append(key)
    parts.append(_glob_src(text[pos:]))
    return ("".join(parts) if not missing else None), missing, True


def _glob_src(s: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in s)


@lru_cache(maxsize=16384)
def _compiled(src: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(src, re.S | (re.I if ignore_case else 0))


def _match_pattern(pattern: Any, value: str, ctx: dict, missing: list[str], ignore_case=False) -> Tri:
    """Glob match of one policy pattern (with variables) against a value."""
    if isinstance(pattern, Unresolved | Ref):
        missing.append(_unresolved_key(pattern))
        return None
    if not isinstance(pattern, str):
        return False
    text, miss, is_regex = _substitute(pattern, ctx)
    if miss:
        missing.extend(miss)
        return None
    if is_regex:
        return _compiled(text, ignore_case).fullmatch(value) is not None
    return glob_match(text, value, ignore_case)


# The account of an ARN the scanner had to build without knowing it (IaC with no provider
# account): such an ARN may be in any account, so a pattern that differs only there is undecided.
PLACEHOLDER_ACCOUNT = "000000000000"
_ACCOUNT_ID = re.compile(r"\d{12}")


def _in_other_account(patterns: Any, value: str) -> bool:
    """Whether `value` carries the placeholder account and some literal pattern would match it
    with that account in its place."""
    if PLACEHOLDER_ACCOUNT not in value:
        return False
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[4] != PLACEHOLDER_ACCOUNT:
        return False
    for p in patterns if isinstance(patterns, list) else [patterns]:
        alt = with_placeholder_account(p)
        if alt is not None and glob_match(alt, value):
            return True
    return False


def with_placeholder_account(pattern: Any) -> str | None:
    """The pattern with its literal account id replaced by the placeholder (None when it names
    no literal account): what it matches among ARNs built without a known account."""
    if not isinstance(pattern, str) or "${" in pattern:
        return None
    pp = pattern.split(":", 5)
    if len(pp) == 6 and _ACCOUNT_ID.fullmatch(pp[4]) and pp[4] != PLACEHOLDER_ACCOUNT:
        return ":".join([*pp[:4], PLACEHOLDER_ACCOUNT, pp[5]])
    return None


def _unresolved_key(v: Any) -> str:
    if isinstance(v, Ref):
        return f"unresolved:{v.uid}"
    return f"unresolved:{getattr(v, 'expr', '') or 'value'}"


# --------------------------------------------------------------------------- Kleene


def _and(vals: Iterable[Tri]) -> Tri:
    out: Tri = True
    for v in vals:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def _not(v: Tri) -> Tri:
    return None if v is None else not v


# --------------------------------------------------------------------------- conditions

_STRING_OPS = {
    "stringequals": ("eq", False, False),
    "stringnotequals": ("eq", False, True),
    "stringequalsignorecase": ("eq", True, False),
    "stringnotequalsignorecase": ("eq", True, True),
    "stringlike": ("like", False, False),
    "stringnotlike": ("like", False, True),
    "arnequals": ("like", False, False),
    "arnlike": ("like", False, False),
    "arnnotequals": ("like", False, True),
    "arnnotlike": ("like", False, True),
    "binaryequals": ("eq", False, False),
}
_NUMERIC_OPS = {
    "numericequals": ("==", False),
    "numericnotequals": ("==", True),
    "numericlessthan": ("<", False),
    "numericlessthanequals": ("<=", False),
    "numericgreaterthan": (">", False),
    "numericgreaterthanequals": (">=", False),
}
_DATE_OPS = {k.replace("numeric", "date"): v for k, v in _NUMERIC_OPS.items()}
_CMP = {
    "==": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _num(s: str) -> float | None:
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _date(s: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(s), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    try:
        d = datetime.fromisoformat(str(s).replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _value_test(base: str, ctx: dict, missing: list[str]):
    """(test(context_value, policy_value) -> Tri, negated) for a base operator, or None."""
    if base in _STRING_OPS:
        kind, ic, neg = _STRING_OPS[base]
        if kind == "like":
            return (lambda c, p: _match_pattern(p, c, ctx, missing, ic)), neg

        def eq(c: str, p: Any, ic=ic) -> Tri:
            if isinstance(p, Unresolved | Ref):
                missing.append(_unresolved_key(p))
                return None
            text, miss, is_regex = _substitute(str(p), ctx)
            if miss:
                missing.extend(miss)
                return None
            if is_regex:  # substituted: compare literally through the escaped regex
                return _compiled(text, ic).fullmatch(c) is not None
            return c.lower() == text.lower() if ic else c == text

        return eq, neg
    if base == "bool":
        return (lambda c, p: str(c).lower() == str(p).lower()), False
    if base in _NUMERIC_OPS or base in _DATE_OPS:
        op, neg = _NUMERIC_OPS.get(base) or _DATE_OPS[base]
        conv = _num if base in _NUMERIC_OPS else _date

        def cmp(c: str, p: Any) -> Tri:
            if isinstance(p, Unresolved | Ref):
                missing.append(_unresolved_key(p))
                return None
            a, b = conv(c), conv(p)
            return False if a is None or b is None else _CMP[op](a, b)

        return cmp, neg
    if base in ("ipaddress", "notipaddress"):

        def ip(c: str, p: Any) -> Tri:
            if isinstance(p, Unresolved | Ref):
                missing.append(_unresolved_key(p))
                return None
            try:
                return ipaddress.ip_address(c) in ipaddress.ip_network(str(p), strict=False)
            except ValueError:
                return False

        return ip, base == "notipaddress"
    return None


def _any_value(tests: Iterable[Tri]) -> Tri:
    out: Tri = False
    for v in tests:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def _condition_clause(op: str, key: str, pvals: Any, ctx: dict, undecided: list[str]) -> Tri:
    """One ``{operator: {key: values}}`` clause: True, False or None (key recorded)."""
    missing: list[str] = []
    result = _clause(op, key, pvals, ctx, missing)
    if result is None:
        undecided.extend(missing or [key])
    return result


def _clause(op: str, key: str, pvals: Any, ctx: dict, missing: list[str]) -> Tri:
    if isinstance(pvals, Unresolved | Ref):
        missing.append(_unresolved_key(pvals))
        return None
    pvals = pvals if isinstance(pvals, list) else [pvals]
    lop = op.lower()
    qualifier = None
    for q in ("foranyvalue:", "forallvalues:"):
        if lop.startswith(q):
            qualifier, lop = q[:-1], lop[len(q) :]
    if_exists = lop.endswith("ifexists") and lop != "ifexists"
    if if_exists:
        lop = lop[: -len("ifexists")]
    cvals = ctx.get(key.lower())
    if lop == "null":
        if cvals is None:
            return None
        want_absent = [str(p).lower() == "true" for p in pvals if not isinstance(p, Unresolved | Ref)]
        if len(want_absent) != len(pvals):
            missing.extend(_unresolved_key(p) for p in pvals if isinstance(p, Unresolved | Ref))
            return None
        return _any_value(w == (not cvals) for w in want_absent)
    spec = _value_test(lop, ctx, missing)
    if spec is None:  # an operator we do not know
        missing.append(f"{op}:{key}")
        return None
    test, neg = spec
    if cvals is None:  # the scanner does not know this key
        return None
    if not cvals:  # known to be absent from the request
        if if_exists or qualifier == "forallvalues":
            return True
        return neg and qualifier is None
    if qualifier == "forallvalues":
        per = [_any_value(test(c, p) for p in pvals) for c in cvals]
        return _and(_not(v) if neg else v for v in per)
    if qualifier == "foranyvalue":
        per = [_any_value(test(c, p) for p in pvals) for c in cvals]
        return _any_value(_not(v) if neg else v for v in per)
    hit = _any_value(test(c, p) for c in cvals for p in pvals)
    return _not(hit) if neg else hit


# --------------------------------------------------------------------------- requested region

# Services whose API has one (global) endpoint, in us-east-1: aws:RequestedRegion is that.
GLOBAL_SERVICES = frozenset(
    {"iam", "organizations", "route53", "cloudfront", "waf", "support", "budgets", "ce", "health", "shield"}
)
REQUESTED_REGION = "aws:requestedregion"


class _CallerChoice(list):
    """The value of a condition key that the caller chooses freely (the region of a request
    on "*" or on a resource without a region): any clause on it is taken the caller's way,
    true in an Allow and false in a Deny, as a caller picks an allowed region (the usual
    region-restricting SCP). Exact unless two statements want different regions."""


CALLER_CHOICE = _CallerChoice()


def requested_region(action: str, resource: str) -> list[str] | None:
    """aws:RequestedRegion of a request: us-east-1 for a global service, the region of a
    regional resource's ARN, `CALLER_CHOICE` for "*" or a resource with no region in its ARN,
    None (unknown) when the ARN was built without its region."""
    if action.partition(":")[0].lower() in GLOBAL_SERVICES:
        return ["us-east-1"]
    if not resource.startswith("arn:"):
        return CALLER_CHOICE
    parts = resource.split(":", 4)
    if len(parts) < 5 or not parts[3]:
        return CALLER_CHOICE
    if parts[3] == "unknown-region" or "${" in parts[3] or "*" in parts[3]:
        return None
    return [parts[3]]


def _conditions(cond: Any, ctx: dict, undecided: list[str], effect: str = "allow") -> Tri:
    if not cond:
        return True
    if isinstance(cond, Unresolved | Ref) or not isinstance(cond, dict):
        undecided.append(_unresolved_key(cond))
        return None
    results: list[Tri] = []
    for op, kv in cond.items():
        if isinstance(kv, Unresolved | Ref) or not isinstance(kv, dict):
            undecided.append(_unresolved_key(kv))
            results.append(None)
            continue
        for key, vals in kv.items():
            if ctx.get(key.lower()) is CALLER_CHOICE and not op.lower().startswith("null"):
                r: Tri = effect != "deny"
            else:
                r = _condition_clause(op, key, vals, ctx, undecided)
            if r is False:
                return False
            results.append(r)
    return _and(results)


# --------------------------------------------------------------------------- statements


@dataclass(slots=True)
class _Stmt:
    effect: str  # "allow" | "deny"
    raw: dict
    unresolved: str | None = None  # the whole statement is Unresolved


def _list_match(patterns: Any, value: str, ctx: dict, missing: list[str], ignore_case: bool) -> Tri:
    if isinstance(patterns, Unresolved | Ref):
        missing.append(_unresolved_key(patterns))
        return None
    if not isinstance(patterns, list):
        patterns = [patterns]
    return _any_value(_match_pattern(p, value, ctx, missing, ignore_case) for p in patterns)


def _principal_match(stmt: dict, principal: str | None, ctx: dict, undecided: list[str]) -> Tri:
    """For resource policies: does the statement apply to `principal`?"""
    if "Principal" in stmt:
        p, neg = stmt["Principal"], False
    elif "NotPrincipal" in stmt:
        p, neg = stmt["NotPrincipal"], True
    else:
        return False
    if isinstance(p, Unresolved | Ref):
        undecided.append(_unresolved_key(p))
        return None
    if p == "*":
        hit: Tri = True
    elif principal is None:
        undecided.append("aws:PrincipalArn")
        return None
    elif isinstance(p, dict):
        vals: list = []
        for v in p.values():
            vals.extend(v if isinstance(v, list) else [v])
        hit = _any_value(
            (None if isinstance(v, Unresolved | Ref) else (v == "*" or v == principal)) for v in vals
        )
        if hit is None:
            undecided.extend(_unresolved_key(v) for v in vals if isinstance(v, Unresolved | Ref))
        elif hit is False and _in_other_account(vals, principal):
            hit = None
            undecided.append("aws:PrincipalAccount")
    else:
        hit = False
    return _not(hit) if neg else hit


def _statement(
    s: _Stmt,
    action: str,
    resource: str,
    ctx: dict,
    undecided: list[str],
    principal: str | None = None,
    resource_policy: bool = False,
    action_match: tuple[Tri, tuple[str, ...]] | None = None,
) -> Tri:
    if s.unresolved is not None:
        undecided.append(s.unresolved)
        return None
    st = s.raw
    local: list[str] = []
    if action_match is None:
        a, keys = _action_match(s, action)
    else:
        a, keys = action_match
    if a is False:
        return False
    local.extend(keys)
    if "Resource" in st:
        r = _list_match(st["Resource"], resource, ctx, local, False)
        if r is False and _in_other_account(st["Resource"], resource):
            r = None
            local.append("aws:ResourceAccount")
    elif "NotResource" in st:
        r = _not(_list_match(st["NotResource"], resource, ctx, local, False))
        if r is True and _in_other_account(st["NotResource"], resource):
            r = None
            local.append("aws:ResourceAccount")
    else:
        r = resource_policy  # a resource policy's Resource defaults to itself
    if r is False:
        return False
    p: Tri = True
    if resource_policy:
        p = _principal_match(st, principal, ctx, local)
        if p is False:
            return False
    c = _conditions(st.get("Condition"), ctx, local, s.effect)
    out = _and((a, r, p, c))
    if out is None:
        undecided.extend(local)
    return out


def _action_match(s: _Stmt, action: str) -> tuple[Tri, tuple[str, ...]]:
    """Whether the statement's Action (NotAction) covers `action`, and the undecided keys:
    independent of the request, so compiled policies cache it per action."""
    st = s.raw
    keys: list[str] = []
    if "Action" in st:
        a = _list_match(st["Action"], action, {}, keys, True)
    elif "NotAction" in st:
        a = _not(_list_match(st["NotAction"], action, {}, keys, True))
    else:
        a = False
    return a, tuple(keys)


# --------------------------------------------------------------------------- policies


@dataclass(slots=True)
class CompiledPolicy:
    """A policy's statements indexed by lower-case service prefix. Statements whose
    action list holds a service wildcard, a NotAction or an unresolved value go to
    `generic`, consulted for every action."""

    by_service: dict[str, list[_Stmt]] = field(default_factory=dict)
    generic: list[_Stmt] = field(default_factory=list)
    unresolved: str | None = None  # the whole document is unresolved
    region_keyed: bool = False  # a condition tests aws:RequestedRegion
    _by_action: dict[str, list] = field(default_factory=dict, repr=False, compare=False)

    def candidates(self, service: str) -> list[_Stmt]:
        specific = self.by_service.get(service)
        if not specific:
            return self.generic
        if not self.generic:
            return specific
        return self.generic + specific

    def for_action(self, action: str) -> list[tuple[_Stmt, tuple[Tri, tuple[str, ...]]]]:
        """The statements whose Action may cover `action` (lower-case), each with that match:
        asking many resources for one action never re-matches action patterns."""
        hit = self._by_action.get(action)
        if hit is None:
            hit = []
            for s in self.candidates(action.partition(":")[0]):
                m = (None, ()) if s.unresolved is not None else _action_match(s, action)
                if m[0] is not False:
                    hit.append((s, m))
            self._by_action[action] = hit or _NO_STATEMENTS  # most answers: one shared empty
        return hit


_NO_STATEMENTS: list = []  # never appended to: the empty answer of `for_action`
_LOWER: dict[str, str] = {}


def lower_action(action: str) -> str:
    """`action.lower()`, one shared string per action: caches keyed by (principal, action)
    would otherwise hold a copy of it per principal."""
    hit = _LOWER.get(action)
    if hit is None:
        if len(_LOWER) > 100_000:
            _LOWER.clear()
        hit = _LOWER[action] = sys.intern(action.lower())
    return hit


def _service_of(pattern: str) -> str | None:
    svc, sep, _ = pattern.partition(":")
    if not sep or "*" in svc or "?" in svc:
        return None
    return sys.intern(svc.lower())


def compile_policy(doc: Any) -> CompiledPolicy:
    doc = normalize_policy(doc)  # idempotent on canonical documents
    if isinstance(doc, Unresolved):
        return CompiledPolicy(unresolved=_unresolved_key(doc))
    stmts = doc.get("Statement")
    if isinstance(stmts, Unresolved):
        return CompiledPolicy(unresolved=_unresolved_key(stmts))
    cp = CompiledPolicy()
    for s in stmts:
        if not isinstance(s, dict):
            cp.generic.append(_Stmt("allow", {}, unresolved=_unresolved_key(s)))
            continue
        eff = s.get("Effect", "Allow")
        if isinstance(eff, Unresolved | Ref):
            cp.generic.append(_Stmt("allow", s, unresolved=_unresolved_key(eff)))
            cp.generic.append(_Stmt("deny", s, unresolved=_unresolved_key(eff)))
            continue
        stmt = _Stmt(str(eff).lower(), s)
        cond = s.get("Condition")
        if isinstance(cond, dict) and any(
            isinstance(kv, dict) and any(str(k).lower() == REQUESTED_REGION for k in kv)
            for kv in cond.values()
        ):
            cp.region_keyed = True
        actions = s.get("Action")
        services = None
        if isinstance(actions, list) and "NotAction" not in s:
            services = set()
            for a in actions:
                svc = _service_of(a) if isinstance(a, str) else None
                if svc is None:
                    services = None
                    break
                services.add(svc)
        if services is None:
            cp.generic.append(stmt)
        else:
            for svc in services:
                cp.by_service.setdefault(svc, []).append(stmt)
    return cp


_CACHE: dict[int, tuple[Any, CompiledPolicy]] = {}
_CACHE_MAX = 8192


def _get_compiled(doc: Any) -> CompiledPolicy:
    if isinstance(doc, CompiledPolicy):
        return doc
    hit = _CACHE.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    cp = compile_policy(doc)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[id(doc)] = (doc, cp)  # holds doc so its id is not reused while cached
    return cp


def _scan(
    policies: Iterable[CompiledPolicy],
    action: str,
    resource: str,
    ctx: dict,
    principal: str | None = None,
    resource_policy: bool = False,
) -> tuple[Tri, Tri, list[str], list[str]]:
    """(any allow, any deny, undecided keys of allows, of denies) over the policies."""
    lower = action.lower()
    allow: Tri = False
    deny: Tri = False
    allow_keys: list[str] = []
    deny_keys: list[str] = []
    for cp in policies:
        if cp.unresolved is not None:
            allow = True if allow is True else None
            deny = True if deny is True else None
            allow_keys.append(cp.unresolved)
            deny_keys.append(cp.unresolved)
            continue
        for s, am in cp.for_action(lower):
            if s.effect == "deny":
                if deny is True:
                    continue
                v = _statement(s, action, resource, ctx, deny_keys, principal, resource_policy, am)
                if v is True:
                    deny = True
                elif v is None:
                    deny = None
            elif s.effect == "allow":
                if allow is True:
                    continue
                v = _statement(s, action, resource, ctx, allow_keys, principal, resource_policy, am)
                if v is True:
                    allow = True
                elif v is None:
                    allow = None
    return allow, deny, allow_keys, deny_keys


def _dedupe(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


@dataclass(frozen=True)
class ScpLevel:
    """The service control policies attached at one level above an account (the root, one
    OU, the account itself). A request needs an Allow from some policy of every level (they
    never grant: an Allow only limits), and a Deny in any of them denies.

    ``unsure`` names why the level may not apply to the principal (the account's OU path is
    not in the scan, the policy's targets are unknown): its Allow cannot lift an implicit
    deny and its Deny is undecided, so whatever it would change stays ``conditional``."""

    policies: tuple[Any, ...]  # CompiledPolicy (or documents)
    unsure: str | None = None
    label: str = ""


class PreparedContext(dict):
    """A request context with lower-case keys and list values, as `evaluate` needs it:
    callers asking many questions with one context prepare it once."""


def prepare_context(context: dict | None) -> PreparedContext:
    return PreparedContext(
        (str(k).lower(), list(v) if isinstance(v, list | tuple) else [v]) for k, v in (context or {}).items()
    )


def evaluate(
    action: str,
    resource: str,
    identity_policies: list[Any],
    *,
    boundary: Any | None = None,
    scps: list[Any] | None = None,
    resource_policy: Any | None = None,
    principal: str | None = None,
    context: dict[str, list[str]] | None = None,
    cross_account: bool = False,
    infer_region: bool = False,
) -> Result:
    """Decide whether `principal` may perform `action` on `resource`.

    Policies are canonical documents (or raw ones, normalized here) or `CompiledPolicy`.
    ``cross_account``: the principal is in another account than the resource, so the
    resource policy must allow it as well as an identity policy (in one account, either).
    ``infer_region``: when the context does not give aws:RequestedRegion and a policy tests
    it, take it from the request (`requested_region`), the caller's choice where the request
    has no region of its own (the privilege graph's attacker picks an allowed region).
    ``context`` maps condition keys (case-insensitive) to their values in the request;
    a key not in it is unknown, a key with ``[]`` is known to be absent."""
    ctx = context if isinstance(context, PreparedContext) else prepare_context(context)
    ident = [_get_compiled(d) for d in identity_policies]
    if infer_region and REQUESTED_REGION not in ctx and _region_keyed(ident, boundary, scps, resource_policy):
        ctx = PreparedContext(ctx)
        region = requested_region(action, resource)
        if region is not None:
            ctx[REQUESTED_REGION] = region
    allow, deny, keys, dkeys = _scan(ident, action, resource, ctx)
    denies: list[Tri] = [deny]
    deny_keys = list(dkeys)
    allow_keys = list(keys) if allow is None else []
    r_gate: tuple[Tri, list[str]] | None = None
    if resource_policy is not None:
        r_allow, r_deny, rk, rdk = _scan(
            [_get_compiled(resource_policy)], action, resource, ctx, principal, resource_policy=True
        )
        denies.append(r_deny)
        deny_keys += rdk
        if cross_account:
            r_gate = (r_allow, rk)
        elif allow is not True:
            if r_allow is True:
                allow, allow_keys = True, []
            elif r_allow is None:
                allow = None
                allow_keys += rk
    gates: list[Tri] = [allow]
    gate_keys = list(allow_keys)
    if r_gate is not None:
        gates.append(r_gate[0])
        if r_gate[0] is None:
            gate_keys += r_gate[1]
    if boundary is not None:
        b_allow, b_deny, bk, bdk = _scan([_get_compiled(boundary)], action, resource, ctx)
        gates.append(b_allow)
        denies.append(b_deny)
        deny_keys += bdk
        if b_allow is None:
            gate_keys += bk
    for scp in scps or []:
        if isinstance(scp, ScpLevel):
            level, unsure = [_get_compiled(d) for d in scp.policies], scp.unsure
        else:
            level, unsure = [_get_compiled(scp)], None
        s_allow, s_deny, sk, sdk = _scan(level, action, resource, ctx)
        if unsure is not None:  # the level may not apply: it can only make the answer undecided
            if s_allow is not True:
                s_allow, sk = None, [*sk, unsure]
            if s_deny is not False:
                s_deny, sdk = None, [*sdk, unsure]
        gates.append(s_allow)
        denies.append(s_deny)
        deny_keys += sdk
        if s_allow is None:
            gate_keys += sk
    any_deny = _not(_and(_not(d) for d in denies))
    if any_deny is True:
        return Result(Decision.DENY)
    allowed = _and([*gates, _not(any_deny)])
    if allowed is True:
        return Result(Decision.ALLOW)
    if allowed is False:
        return Result(Decision.IMPLICIT_DENY)
    undecided = gate_keys + (deny_keys if any_deny is None else [])
    return Result(Decision.CONDITIONAL_ALLOW, _dedupe(undecided))


def _region_keyed(ident: list[CompiledPolicy], boundary: Any, scps: Any, resource_policy: Any) -> bool:
    """Whether any policy of the request tests aws:RequestedRegion (only then is the request's
    region worked out: most requests never need it)."""
    if any(cp.region_keyed for cp in ident):
        return True
    others = [d for d in (boundary, resource_policy) if d is not None]
    for scp in scps or []:
        others.extend(scp.policies if isinstance(scp, ScpLevel) else [scp])
    return any(_get_compiled(d).region_keyed for d in others)


def evaluate_many(actions: Iterable[tuple[str, str]], identity_policies: list[Any], **kw: Any) -> dict:
    """`evaluate` for several (action, resource) pairs over the same policies."""
    compiled = [_get_compiled(d) for d in identity_policies]
    return {(a, r): evaluate(a, r, compiled, **kw) for a, r in actions}
