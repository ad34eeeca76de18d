"""Declared or granted access that nobody used (AUD-007, the least-privilege signal, after
IAM Access Analyzer's unused access and CloudTracker). Use is a successful event by the
principal on the asset, in this run or remembered by the baseline store; the age is
``audit.unused_grant_days``. Locations the logs cannot see are skipped (their blind spot
is a finding of its own), and when the logs span less than the age, nothing is claimed:
one "unknown" finding says so."""

from __future__ import annotations

from runtime_monitor.audit.baseline import DAY
from runtime_monitor.audit.detections.access import ASSET_TYPE
from runtime_monitor.audit.detections.base import Detector, Hit, detection
from runtime_monitor.audit.detections.coverage import gaps, provider_of
from runtime_monitor.audit.event import SUCCESS, iso
from runtime_monitor.audit.granted import covers

_PROVIDER_OF_PRINCIPAL = (
    ("arn:", "aws"),
    ("serviceAccount:", "gcp"),
    ("user:", "gcp"),
    ("group:", "gcp"),
    ("domain:", "gcp"),
    ("principal", "gcp"),  # principal:// and principalSet:// (workload identity federation)
)


def _last_use(granted: str, used: dict[str, float]) -> tuple[float, bool]:
    """The last use by the granted principal or anyone it covers (an account, a domain, a
    Kubernetes group); False when membership cannot be told (a group)."""
    if granted in used:
        return used[granted], True
    times = []
    for p, t in used.items():
        c = covers(granted, p)
        if c is None:
            return 0.0, False
        if c:
            times.append(t)
    if not used and covers(granted, "") is None:
        return 0.0, False
    return max(times, default=0.0), True


def _provider(principal: str) -> str:
    return next((p for prefix, p in _PROVIDER_OF_PRINCIPAL if principal.startswith(prefix)), "k8s")


@detection(
    id="audit-unused-declared-access",
    check="AUD-007",
    title="Principals declared for an ML asset use it (or are removed from the policy)",
    severity="low",
    category="governance",
    risk="Access declared (and usually granted) but never used widens what a stolen identity reaches "
    "for no benefit.",
    remediation={"console": "Remove the principal from the asset's allowed_principals and revoke its grant."},
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"],
)
class UnusedDeclared(Detector):
    """A principal the policy declares for an asset (literally, not a glob) with no
    successful use of it for ``audit.unused_grant_days``."""

    declared_side = True

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.last: dict[tuple[str, str], float] = {}

    def observe(self, ev, assets) -> None:
        if ev.outcome != SUCCESS:
            return
        for d, _ in assets:
            k = (d.uid, ev.principal)
            if ev.time > self.last.get(k, 0.0):
                self.last[k] = ev.time

    def hits(self):
        ctx = self.ctx
        stats, base = ctx.stats, ctx.baseline
        days = ctx.declared.policy.audit.unused_grant_days
        now = stats.last_time if stats else None
        start = base.learning_start(stats.first_time if stats else None) if base else None
        if now is None or start is None:
            return []
        if now - start < days * DAY:
            if not self.declared_side:
                return []  # said once, by the declared side
            return [
                Hit(
                    self.meta.id,
                    "policy:audit",
                    "policy.audit",
                    "audit",
                    "runtime",
                    f"unused access was not judged: the logs span {(now - start) / DAY:.1f} day(s), fewer than "
                    f"audit.unused_grant_days ({days})",
                    "audit.unused_grant_days",
                    {"observed_since": iso(start), "observed_until": iso(now), "unused_grant_days": days},
                    status="unknown",
                )
            ]
        cutoff = now - days * DAY
        out = []
        for d in ctx.declared.assets:
            blind = {provider_of(loc) for loc, _ in gaps(ctx, d)}
            # a principal can only use an asset in its own cloud (a K8s service account reads
            # an S3 dataset as its IRSA role, which is declared and judged as that role)
            clouds = {provider_of(loc) for loc, _ in d.patterns}
            declared = [p for prov in ("aws", "gcp", "k8s") for p in d.principals(prov) if "*" not in p]
            granted = ctx.granted.principals(d) if ctx.granted is not None else {}
            stored = base.last_seen(d.uid, "principal")
            used = dict(stored)
            for (uid, p), t in self.last.items():
                if uid == d.uid and t > used.get(p, 0.0):
                    used[p] = t
            for p in sorted(set(declared) | set(granted)):
                prov = _provider(p)
                if prov not in clouds or prov not in ctx.providers or prov in blind:
                    continue
                is_declared = p in declared
                if is_declared != self.declared_side:
                    continue
                grant = granted.get(p)
                last, knowable = _last_use(p, used)
                if last >= cutoff:
                    continue
                status = "fail"
                if not knowable:
                    status, when = "unknown", "its members cannot be matched to logged principals"
                elif grant is not None and grant.decision == "unknown":
                    status = "unknown"
                    when = f"what it grants is not known here ({'; '.join(grant.via)})"
                else:
                    when = f"last used {iso(last)}" if last else "never used in the logs"
                what = (
                    "declared" + (" and granted" if grant else "")
                    if is_declared
                    else "granted but not declared"
                )
                out.append(
                    Hit(
                        self.meta.id,
                        d.uid,
                        ASSET_TYPE,
                        d.asset.id,
                        prov,
                        f"{p} is {what} for {d.label} but {when}; nothing in the last {days} day(s)"
                        if status == "fail"
                        else f"{p} may be granted {d.label} but {when}",
                        f"principals[{p}]",
                        {
                            "principal": p,
                            "declared": is_declared,
                            "granted": grant.decision if grant else None,
                            "granted_via": list(grant.via) if grant else [],
                            "last_used": iso(last) if last else None,
                            "unused_grant_days": days,
                            "policy_path": d.asset.path,
                        },
                        status=status,
                    )
                )
        return out


@detection(
    id="audit-unused-undeclared-grant",
    check="AUD-007",
    title="IAM and RBAC grant access to ML assets only to principals the policy declares",
    severity="medium",
    category="iam",
    risk="A grant that is neither declared nor used is pure attack surface: nobody needs it, and "
    "nobody would notice it being used.",
    remediation={"console": "Remove the statement or binding that grants it (the inventory's IAM and RBAC)."},
)
class UnusedGrant(UnusedDeclared):
    """A principal the inventory's IAM or RBAC lets use an asset, that the policy does not
    declare for it, with no successful use for ``audit.unused_grant_days``."""

    declared_side = False
