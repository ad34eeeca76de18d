"""Service control policies for the privilege graph: which SCPs of the inventory's
`aws.organizations.policy` resources apply to the principals of each account, compiled once
and grouped per account as `ScpLevel`s for `scanner.graph.aws_eval.evaluate`.

What AWS does: a request by a principal of a member account needs an Allow from some SCP
attached at every level above it (the root, each OU on its path, the account itself), and
a Deny in any of them denies. SCPs never grant. The management account and service-linked
roles are not subject to SCPs.

What the scanner knows, and what it does with the rest:

- Targets of type ROOT apply to every account (one Organization per inventory is assumed:
  every AWS account in the inventory is taken to be a member of it, except, when the
  attachments were read live, an account no SCP is attached to: AWS keeps at least one on
  every member). ACCOUNT targets apply to that account only.
- OU targets: a live read of the Organization records, on each OU target, `accounts`: every
  account under that OU, directly or in nested OUs (the collector walks the OU tree from
  the root). Then a level attached to the OU applies to those accounts, and not to others.
  Where that is not recorded (IaC, a member account or a walk that failed), a level
  attached to an OU may or may not apply: its Deny, and an Allow it lacks, make the
  affected edges ``conditional`` (named in their conditions), never silently removed; so
  does an account the scanner cannot name.
- A policy whose targets are unknown (live: ListTargetsForPolicy failed; IaC: no attachment
  in the scan, or a target the scanner cannot resolve) is treated like an OU level of its own.
- The attachments are known completely only when AWS's own ``FullAWSAccess`` policy is in
  the inventory (a live read of the Organization). Otherwise (IaC declares custom SCPs but
  never the FullAWSAccess that AWS attaches to every root, OU and account) each level is
  taken to carry FullAWSAccess too: its Denies apply, an allow-list SCP does not narrow
  anything, and a grant is reported rather than hidden.
- The management account is known from the ARN of a customer-managed SCP
  (``arn:aws:organizations::<management account>:policy/o-.../service_control_policy/p-...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scanner.graph.aws_eval import CompiledPolicy, ScpLevel, compile_policy
from scanner.graph.aws_resolve import UNKNOWN_ACCOUNT, Arns, resolve_refs
from scanner.model.inventory import Inventory
from scanner.model.resource import Unresolved
from scanner.normalize.supporting import org_target_type

SCP_TYPE = "aws.organizations.policy"
FULL_ACCESS = "p-FullAWSAccess"
_MANAGEMENT = re.compile(r"arn:aws[a-z-]*:organizations::(\d{12}):policy/o-")
_ALLOW_ALL = compile_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


@dataclass
class _Scp:
    name: str
    compiled: CompiledPolicy
    # (type, id, accounts under an OU target or None when not known); None: not known
    targets: list[tuple[Any, Any, frozenset[str] | None]] | None


def _targets(raw: Any) -> list[tuple[Any, Any, frozenset[str] | None]] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for t in raw:
        if not isinstance(t, dict):
            out.append((None, None, None))
            continue
        ttype, tid = t.get("type"), t.get("id")
        if not isinstance(ttype, str) and isinstance(tid, str):  # typed by the id's shape
            ttype = org_target_type(tid)
        accounts = t.get("accounts")
        members = (
            frozenset(accounts)
            if isinstance(accounts, list) and all(isinstance(a, str) for a in accounts)
            else None
        )
        out.append((ttype if isinstance(ttype, str) else None, tid, members))
    return out


def service_linked(arn: str) -> bool:
    return ":role/aws-service-role/" in arn


class OrgPolicies:
    """The inventory's SCPs, and per account the levels that apply to its principals."""

    def __init__(self, inv: Inventory, arns: Arns) -> None:
        self.scps: list[_Scp] = []
        self.management: set[str] = set()
        self.complete = False  # FullAWSAccess is in the inventory: attachments as read
        for r in inv.of_type(SCP_TYPE):
            kind = r.attrs.get("type")
            if isinstance(kind, str) and kind != "SERVICE_CONTROL_POLICY":
                continue  # tag, backup, AI opt-out or resource control policies
            arn = r.attrs.get("arn")
            if isinstance(arn, str):
                if arn.endswith("/" + FULL_ACCESS):
                    self.complete = True
                if m := _MANAGEMENT.match(arn):
                    self.management.add(m.group(1))
            doc = r.attrs.get("policy")
            doc = resolve_refs(doc, inv, arns, r.uid) if doc is not None else Unresolved("SCP content")
            self.scps.append(_Scp(r.name or r.uid, compile_policy(doc), _targets(r.attrs.get("targets"))))
        self._levels: dict[str, tuple[ScpLevel, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self.scps)

    def for_principal(self, kind: str, arn: str, account: str) -> tuple[ScpLevel, ...]:
        if not self.scps or (kind == "role" and service_linked(arn)):
            return ()
        return self.for_account(account)

    def for_account(self, account: str) -> tuple[ScpLevel, ...]:
        hit = self._levels.get(account)
        if hit is None:
            hit = self._levels[account] = self._build(account)
        return hit

    def _build(self, account: str) -> tuple[ScpLevel, ...]:
        if account in self.management:
            return ()
        known_account = account != UNKNOWN_ACCOUNT
        root: list[_Scp] = []
        own: list[_Scp] = []
        ous: dict[str, list[_Scp]] = {}  # OUs the account may or may not be under
        under: dict[str, list[_Scp]] = {}  # OUs the account is known to be under
        unsure: list[tuple[_Scp, str]] = []
        for scp in self.scps:
            if scp.targets is None:
                unsure.append((scp, f"SCP {scp.name}: where it is attached is not known"))
                continue
            for ttype, tid, members in scp.targets:
                if ttype == "ORGANIZATIONAL_UNIT" and isinstance(tid, str) and members is not None:
                    if not known_account:
                        ous.setdefault(tid, []).append(scp)
                    elif account in members:
                        under.setdefault(tid, []).append(scp)
                    # else: the account is not under that OU, and the level is not its own
                elif ttype == "ROOT":
                    root.append(scp)
                elif ttype == "ACCOUNT" and isinstance(tid, str) and known_account:
                    if tid == account:
                        own.append(scp)
                elif ttype == "ACCOUNT" and isinstance(tid, str):
                    unsure.append(
                        (scp, f"SCP {scp.name} on account {tid}: the principal's account is not known")
                    )
                elif ttype == "ORGANIZATIONAL_UNIT" and isinstance(tid, str):
                    ous.setdefault(tid, []).append(scp)
                else:
                    unsure.append((scp, f"SCP {scp.name}: a target the scan cannot resolve"))
        if self.complete and known_account and not own and not under:
            # every member account has an SCP of its own (AWS keeps at least one attached):
            # none read means it is not in this Organization, unless some targets are unknown
            if not any(s.targets is None for s in self.scps):
                return ()
            why = f"account {account} is attached to no SCP read: it may not be in the Organization"
            root_level = self._level(root, why, "root") if root else None
            return tuple(
                ScpLevel(lv.policies, lv.unsure or why, lv.label)
                for lv in (
                    *([root_level] if root_level else []),
                    *self._others(ous, unsure),
                )
            )
        levels = []
        if root:
            levels.append(self._level(root, None, "root"))
        levels += [self._level(scps, None, ou) for ou, scps in sorted(under.items())]
        levels += self._others(ous, unsure)
        if own:
            levels.append(self._level(own, None, account))
        return tuple(levels)

    def _others(self, ous: dict[str, list[_Scp]], unsure: list[tuple[_Scp, str]]) -> list[ScpLevel]:
        """The levels that may or may not apply: one per OU, one per policy whose targets
        are unknown."""
        out = []
        for ou, scps in sorted(ous.items()):
            names = ", ".join(dict.fromkeys(s.name for s in scps))
            why = f"SCP {names} on OU {ou}: whether the account is in that OU is not in the scan"
            out.append(self._level(scps, why, ou))
        seen: set[int] = set()
        for scp, why in unsure:
            if id(scp) not in seen:
                seen.add(id(scp))
                out.append(self._level([scp], why, scp.name))
        return out

    def _level(self, scps: list[_Scp], unsure: str | None, label: str) -> ScpLevel:
        policies = _unique(scps)
        if not self.complete:
            policies.append(_ALLOW_ALL)
        return ScpLevel(tuple(policies), unsure, label)


def _unique(scps: list[_Scp]) -> list[CompiledPolicy]:
    out: list[CompiledPolicy] = []
    seen: set[int] = set()
    for s in scps:
        if id(s.compiled) not in seen:
            seen.add(id(s.compiled))
            out.append(s.compiled)
    return out
