"""The granted view: who a scan's saved inventory lets use each declared asset, and through
what. One module per cloud (granted_aws, granted_gcp, granted_k8s) fills a map
asset uid -> principal -> Grant; this module merges them and says whether a logged
principal falls under a granted one (an account, a domain, a Kubernetes group).

A grant is "allow", "conditional-allow" (a condition the inventory cannot decide, a
cross-account grant the other account's IAM must also allow, a binding above the project)
or "unknown" (a policy the scanner cannot read: an AWS managed policy outside the shipped
snapshot, a GCP role outside the catalogue). Unknown is said, never dropped."""

from __future__ import annotations

from dataclasses import dataclass

from runtime_monitor.audit.declared import Declared, DeclaredAsset
from scanner.model.inventory import Inventory

_RANK = {"unknown": 0, "conditional-allow": 1, "allow": 2}
MAX_VIA = 5


@dataclass(frozen=True)
class Grant:
    decision: str  # allow | conditional-allow | unknown
    via: tuple[str, ...]  # what grants it: "identity policy", "bucket policy arn:...", ...


def weaker(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


class Grants(dict):
    """principal -> Grant for one asset; adding keeps the strongest decision and every source."""

    def add(self, principal: str, decision: str, via: str) -> None:
        old = self.get(principal)
        if old is None:
            self[principal] = Grant(decision, (via,))
            return
        best = decision if _RANK[decision] > _RANK[old.decision] else old.decision
        vias = old.via if via in old.via or len(old.via) >= MAX_VIA else (*old.via, via)
        self[principal] = Grant(best, vias)


def covers(granted: str, principal: str) -> bool | None:
    """Whether a logged principal is one the grant names: itself, or a member of the account,
    domain or Kubernetes group it names. None when membership cannot be told from the logs
    (a Google group, a Kubernetes group other than the built-in ones)."""
    if granted == principal:
        return True
    if granted.startswith("arn:aws:iam::") and granted.endswith(":root"):
        acct = granted.split(":")[4]
        return principal.startswith((f"arn:aws:iam::{acct}:", f"arn:aws:sts::{acct}:"))
    if granted.startswith("domain:"):
        return principal.startswith(("user:", "serviceAccount:")) and principal.endswith("@" + granted[7:])
    if granted.startswith("group:"):
        return None
    if granted == "system:authenticated":
        return principal != "system:anonymous" and not principal.startswith(
            ("arn:", "user:", "serviceAccount:")
        )
    if granted == "system:serviceaccounts":
        return principal.startswith("system:serviceaccount:")
    if granted.startswith("system:serviceaccounts:"):
        return principal.startswith(f"system:serviceaccount:{granted.split(':', 2)[2]}:")
    if granted.startswith("k8s-group:"):
        return None
    return False


class Granted:
    def __init__(self, inventory: Inventory, declared: Declared) -> None:
        from runtime_monitor.audit import granted_aws, granted_gcp, granted_k8s

        self.inv = inventory
        self.by_asset: dict[str, Grants] = {}
        aws = granted_aws.AwsGrants(inventory)
        gcp = granted_gcp.GcpGrants(inventory)
        for d in declared.assets:
            g = Grants()
            aws.fill(d, g)
            gcp.fill(d, g)
            granted_k8s.fill(inventory, d, g)
            self.by_asset[d.uid] = g

    def granted_to(self, d: DeclaredAsset, principal: str) -> str | None:
        """The decision for a logged principal: its own grant, else one it falls under."""
        grants = self.by_asset.get(d.uid, {})
        if principal in grants:
            return grants[principal].decision
        under = [g.decision for p, g in grants.items() if covers(p, principal)]
        return max(under, key=_RANK.__getitem__) if under else None

    def principals(self, d: DeclaredAsset) -> dict[str, Grant]:
        return self.by_asset.get(d.uid, {})
