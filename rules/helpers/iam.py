"""IAM policy analysis for rules, over normalized policy documents (see
scanner.normalize.iam_policy): lists everywhere, ``Principal`` either ``"*"`` or a dict of
lists, conditions ``{operator: {key: [values]}}``.

Every check is three-valued: an `Analysis` holds what was found (`hits`) and what could not
be read (`unresolved`). A rule fails on any hit, says UNKNOWN when nothing was found but
something was unreadable, and passes otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from scanner.model.resource import Ref, Resource, Unresolved, cannot_be

# AWS-managed policies that grant administrator access, or the means to take it.
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess")
_AWS_MANAGED_ARN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
_ANY_ROLE_ARN = re.compile(r"^arn:aws[\w*-]*:iam::[^:]*:role/\*$")

# Condition keys that tie a statement to known accounts, organizations or sources; a
# wildcard principal with one of these is not open to everyone.
RESTRICTING_CONDITION_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:userid",
    )
)
ASSUME_ROLE_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")


@dataclass(frozen=True)
class Hit:
    path: str  # path inside the analysed document (or resource), e.g. Statement[0]
    reason: str  # short lower-case clause


@dataclass
class Analysis:
    hits: list[Hit] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "fail" if self.hits else "unknown" if self.unresolved else "pass"

    def merge(self, other: Analysis, prefix: str = "") -> Analysis:
        self.hits += [Hit(_join(prefix, h.path), h.reason) for h in other.hits]
        self.unresolved += [_join(prefix, p) for p in other.unresolved]
        return self


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


# -- wildcard matching ------------------------------------------------------------------
@cache
def _pattern(p: str) -> re.Pattern[str]:
    """IAM wildcards: `*` any run, `?` one character; case-insensitive (actions are)."""
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p), re.I | re.S
    )


def wildmatch(pattern: str, value: str) -> bool:
    return bool(_pattern(pattern).fullmatch(value))


def _match_any(patterns: Any, value: str) -> bool | None:
    """True if a pattern matches, None if none does but some are unreadable."""
    if not isinstance(patterns, list):
        return None
    if any(isinstance(p, str) and wildmatch(p, value) for p in patterns):
        return True
    return None if any(not isinstance(p, str) for p in patterns) else False


def _not(v: bool | None) -> bool | None:
    return None if v is None else not v


def statement_allows_action(stmt: dict, action: str) -> bool | None:
    """Whether an Allow statement's Action/NotAction covers `action` (conditions aside)."""
    if "Action" in stmt:
        return _match_any(stmt["Action"], action)
    if "NotAction" in stmt:
        return _not(_match_any(stmt["NotAction"], action))
    return False


def _is_allow(stmt: dict) -> bool | None:
    effect = stmt.get("Effect", "Allow")
    return None if not isinstance(effect, str) else effect.lower() == "allow"


def _any_value(values: Any, accept, never=lambda v: False) -> bool | None:
    """Whether a string in `values` is accepted; None when none is but a value is unreadable
    and not ruled out by `never(v)` (e.g. a reference to a resource that cannot be ``*``)."""
    if not isinstance(values, list):
        return None
    if any(isinstance(v, str) and accept(v) for v in values):
        return True
    return None if any(not isinstance(v, str) and not never(v) for v in values) else False


def _never_star(v: Any) -> bool:
    """A reference to another resource (its ARN), or a value whose known literal prefix
    cannot start ``*``: never the bare wildcard."""
    return isinstance(v, Ref) or cannot_be(v, ("*",))


def _specific_arn(v: Any) -> bool:
    """A reference to another resource: one ARN, never ``*`` nor a wildcard pattern."""
    return isinstance(v, Ref)


def statement_on_any_resource(stmt: dict, any_pattern: re.Pattern[str] | None = None) -> bool | None:
    """Whether the statement applies to every resource: ``Resource: "*"`` (or a pattern meaning
    "all of this kind", given as `any_pattern`), or a NotResource that excludes only some."""
    if "Resource" in stmt:
        return _any_value(
            stmt["Resource"],
            lambda v: v == "*" or bool(any_pattern and any_pattern.match(v)),
            _specific_arn if any_pattern else _never_star,
        )
    if "NotResource" in stmt:
        return _not(_any_value(stmt["NotResource"], lambda v: v == "*", _never_star))
    return None


def _statements(doc: Any) -> tuple[list[tuple[int, dict]], list[str]]:
    """(index, statement) pairs that can be read, and paths of those that cannot."""
    if not isinstance(doc, dict):
        return [], [""]
    stmts = doc.get("Statement")
    if not isinstance(stmts, list):
        return [], ["Statement"]
    good, bad = [], []
    for i, s in enumerate(stmts):
        (good.append((i, s)) if isinstance(s, dict) else bad.append(f"Statement[{i}]"))
    return good, bad


def _analyse(doc: Any, check) -> Analysis:
    """Run `check(stmt) -> reason|None|Ellipsis` (Ellipsis = undecidable) over Allow statements."""
    stmts, bad = _statements(doc)
    out = Analysis(unresolved=list(bad))
    for i, s in stmts:
        allow = _is_allow(s)
        if allow is False:
            continue
        res = check(s) if allow else ...
        if res is ...:
            out.unresolved.append(f"Statement[{i}]")
        elif res:
            out.hits.append(Hit(f"Statement[{i}]", res))
    return out


def _all3(*vals: bool | None):
    """Three-valued AND: False beats None beats True; returns True/False/Ellipsis."""
    if any(v is False for v in vals):
        return False
    return ... if any(v is None for v in vals) else True


# -- identity policies ------------------------------------------------------------------
def _is_all_actions(p: Any) -> bool:
    return isinstance(p, str) and p.strip() in ("*", "*:*")


def wildcard_admin(doc: Any) -> Analysis:
    """Allow statements that grant every action on every resource (``Action: "*"``), or every
    action outside a NotAction list on every resource."""

    def check(s: dict):
        on_any = statement_on_any_resource(s)
        if "Action" in s:
            acts = s["Action"]
            full = _any_value(acts, _is_all_actions) if isinstance(acts, list) else None
            ok = _all3(full, on_any)
            return ok if ok is ... else ("allows all actions on all resources" if ok else None)
        if "NotAction" in s:
            ok = _all3(isinstance(s["NotAction"], list) or None, on_any)
            return (
                ok if ok is ... else ("allows all actions outside NotAction on all resources" if ok else None)
            )
        return None

    return _analyse(doc, check)


def passrole_on_any(doc: Any) -> Analysis:
    """Allow statements that grant iam:PassRole on every role. Statements granting all
    actions are left to `wildcard_admin`, so one problem makes one finding."""

    def check(s: dict):
        acts = s.get("Action")
        if isinstance(acts, list) and any(_is_all_actions(a) for a in acts):
            return None
        ok = _all3(statement_allows_action(s, "iam:PassRole"), statement_on_any_resource(s, _ANY_ROLE_ARN))
        return ok if ok is ... else ("allows iam:PassRole on any role" if ok else None)

    return _analyse(doc, check)


# -- resource and trust policies --------------------------------------------------------
def principal_is_anyone(stmt: dict) -> bool | None:
    """``Principal: "*"`` or ``{"AWS": ["*"]}``; an Allow with NotPrincipal is open too."""
    if "NotPrincipal" in stmt:
        return True
    p = stmt.get("Principal")
    if p is None:
        return False
    if p == "*":
        return True
    if not isinstance(p, dict):
        return None
    return _any_value(p.get("AWS", []), lambda v: v.strip() == "*", _never_star)


def has_restricting_condition(stmt: dict) -> bool | None:
    """A condition on a key that names accounts, organizations or sources, with a value
    other than a bare ``*``."""
    cond = stmt.get("Condition") or {}
    if not isinstance(cond, dict):
        return None
    unsure = False
    for op, kv in cond.items():
        if not isinstance(kv, dict):
            unsure = True
            continue
        for key, values in kv.items():
            if str(key).lower() not in RESTRICTING_CONDITION_KEYS:
                continue
            if str(op).lower().startswith(("stringnot", "arnnot", "notipaddress")):
                continue  # a negated condition still lets everyone else in
            if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
                unsure = True
            elif any(v.strip() != "*" for v in values):
                return True
    return None if unsure else False


def _open_to_anyone(s: dict, actions: tuple[str, ...] | None):
    acts = True if actions is None else _any3(statement_allows_action(s, a) for a in actions)
    restricted = has_restricting_condition(s)
    return _all3(acts, principal_is_anyone(s), _not(restricted))


def _any3(vals) -> bool | None:
    vals = list(vals)
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


def trust_open_to_anyone(doc: Any) -> Analysis:
    """Trust-policy statements that let any AWS principal assume the role."""

    def check(s: dict):
        ok = _open_to_anyone(s, ASSUME_ROLE_ACTIONS)
        return ok if ok is ... else ("trust policy lets any principal assume the role" if ok else None)

    return _analyse(doc, check)


def resource_policy_public(doc: Any) -> Analysis:
    """Resource-policy statements that allow anyone, with no restricting condition."""

    def check(s: dict):
        ok = _open_to_anyone(s, None)
        return ok if ok is ... else ("policy allows any principal" if ok else None)

    return _analyse(doc, check)


# -- roles and what is attached to them -------------------------------------------------
def aws_managed_admin(arn: Any) -> str | None:
    """The name of an AWS-managed admin-equivalent policy, or None."""
    m = _AWS_MANAGED_ARN.match(arn) if isinstance(arn, str) else None
    return m.group(1) if m and m.group(1) in ADMIN_MANAGED_POLICIES else None


def attached_policies(principal: Resource, inv) -> tuple[list[Resource], list[str]]:
    """Customer-managed aws.iam.policy resources attached to a role/user/group that are in the
    inventory (by relation, Ref or ARN), and paths of attachments that cannot be read."""
    found: dict[str, Resource] = {p.uid: p for p in inv.related(principal, "attached_policy")}
    unresolved: list[str] = []
    arns = principal.attrs.get("managed_policy_arns") or []
    if isinstance(arns, Unresolved):
        return list(found.values()), ["managed_policy_arns"]
    for i, arn in enumerate(arns):
        if isinstance(arn, Unresolved):
            unresolved.append(f"managed_policy_arns[{i}]")
            continue
        target = inv.get(arn.uid if isinstance(arn, Ref) else arn) if isinstance(arn, Ref | str) else None
        if target is not None and target.type == "aws.iam.policy":
            found.setdefault(target.uid, target)
    return list(found.values()), unresolved


def principal_admin(principal: Resource, inv) -> Analysis:
    """Everything that makes a role (or user, group) an administrator: an AWS-managed admin
    policy, or an inline or attached customer policy with wildcard admin statements."""
    out = Analysis()
    arns = principal.attrs.get("managed_policy_arns") or []
    for i, arn in enumerate(arns if isinstance(arns, list) else []):
        if name := aws_managed_admin(arn):
            out.hits.append(Hit(f"managed_policy_arns[{i}]", f"has the AWS-managed {name} policy attached"))
    inline = principal.attrs.get("inline_policies") or []
    if isinstance(inline, Unresolved):
        out.unresolved.append("inline_policies")
        inline = []
    for i, pol in enumerate(inline):
        doc = pol.get("document") if isinstance(pol, dict) else pol
        a = wildcard_admin(doc)
        out.hits += [
            Hit(f"inline_policies[{i}].document", "has an inline policy that " + h.reason) for h in a.hits[:1]
        ]
        out.unresolved += [f"inline_policies[{i}].document" for _ in a.unresolved[:1]]
    policies, unresolved = attached_policies(principal, inv)
    out.unresolved += unresolved
    for p in policies:
        a = wildcard_admin(p.attrs.get("document"))
        out.hits += [
            Hit("managed_policy_arns", "has an attached policy that " + h.reason) for h in a.hits[:1]
        ]
        out.unresolved += ["managed_policy_arns" for _ in a.unresolved[:1]]
    return out


# -- cross-account trust ------------------------------------------------------------------
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):")
CONFUSED_DEPUTY_KEYS = ("sts:externalid", "aws:principalorgid")


def principal_account(p: str) -> str | None:
    """The account of an AWS principal written as an account id or an IAM/STS ARN."""
    p = p.strip()
    if _ACCOUNT_ID.match(p):
        return p
    m = _IAM_ARN_ACCOUNT.match(p)
    return m.group(1) if m else None


def account_of(arn: Any) -> str | None:
    m = _IAM_ARN_ACCOUNT.match(arn.strip()) if isinstance(arn, str) else None
    return m.group(1) if m else None


def _has_external_id_or_org(stmt: dict) -> bool | None:
    """An ``sts:ExternalId`` (StringEquals/StringLike) or ``aws:PrincipalOrgID`` condition."""
    cond = stmt.get("Condition") or {}
    if not isinstance(cond, dict):
        return None
    unsure = False
    for op, kv in cond.items():
        if not isinstance(kv, dict):
            unsure = True
            continue
        base = str(op).lower().split(":")[-1].removesuffix("ifexists")
        for key, values in kv.items():
            k = str(key).lower()
            if k not in CONFUSED_DEPUTY_KEYS:
                continue
            if k == "sts:externalid" and base not in ("stringequals", "stringlike"):
                continue
            if base.startswith("stringnot"):
                continue
            if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
                unsure = True
            elif any(v.strip() not in ("", "*") for v in values):
                return True
    return None if unsure else False


def trust_cross_account_without_external_id(doc: Any, own_account: str | None) -> Analysis:
    """Trust-policy statements that let an AWS principal of another account assume the role
    with neither an ``sts:ExternalId`` nor an ``aws:PrincipalOrgID`` condition. When the
    role's own account is not known, every literal account principal counts as another
    account. ``"*"`` principals are left to `trust_open_to_anyone`; principals that reference
    resources in the scan (same deployment) are not cross-account."""

    def foreign(s: dict) -> bool | None:
        p = s.get("Principal")
        if not isinstance(p, dict):
            return False if p in (None, "*") else None
        aws = p.get("AWS", [])
        if not isinstance(aws, list):
            return None
        unsure = False
        for v in aws:
            if isinstance(v, Unresolved):
                unsure = True
            elif isinstance(v, str):
                acct = principal_account(v)
                if acct and acct != own_account:
                    return True
        return None if unsure else False

    def check(s: dict):
        ok = _all3(statement_allows_action(s, "sts:AssumeRole"), foreign(s), _not(_has_external_id_or_org(s)))
        return (
            ok
            if ok is ...
            else ("another account may assume the role without an external id" if ok else None)
        )

    return _analyse(doc, check)
