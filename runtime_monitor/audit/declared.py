"""The declared view: the RuntimePolicy read the way detections need it. Which declared
asset a logged resource belongs to, who may use it, who operates a tenant.

Locations are globs (``*`` any run of characters) over the canonical resource forms of
`event` (ARNs, ``s3://``, ``gs://``, ``projects/...``, ``k8s:<namespace>/<resource>/<name>``).
A location names the object prefix, so ``s3://ml-data/txn/*`` and ``s3://ml-data/txn/``
both match ``s3://ml-data/txn/2026/part-0.parquet``."""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass, field
from functools import cached_property

from runtime_monitor.audit.event import AuditEvent
from runtime_monitor.policy import Asset, RuntimePolicy, Tenant

# Principals of the control plane itself, never a tenant's or an attacker's own identity.
_PLATFORM_K8S = re.compile(r"^system:(?!serviceaccount:)|^system:serviceaccount:kube-system:")


def _k8s_location(loc: str) -> str:
    """``k8s:ns/Secret/name`` -> ``k8s:ns/secrets/name``: a kind as the policy may write it,
    the resource as the audit log writes it."""
    head, _, rest = loc.partition(":")
    parts = rest.split("/")
    if len(parts) >= 2 and parts[1] and parts[1][0].isupper():
        kind = parts[1].lower()
        parts[1] = kind if kind.endswith("s") else kind + "s"
    return f"{head}:{'/'.join(parts)}"


def _network(cidr: str):
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError as e:  # the schema does not parse CIDRs; a typo must not widen access
        raise ValueError(f"allowed_networks: {cidr!r} is not a CIDR") from e


def _pattern(loc: str) -> re.Pattern[str]:
    """S3 and GCS locations are prefixes: a bucket alone means all of it, a path without a
    wildcard means everything under it."""
    if loc.startswith("k8s:"):
        loc = _k8s_location(loc)
    if loc.startswith(("s3://", "gs://")):
        bucket, sep, path = loc[5:].partition("/")
        if not path:
            return re.compile(re.escape(loc[:5] + bucket) + r"(?:/.*)?\Z", re.S)
        if "*" not in path:
            loc += "*"
    return re.compile(fnmatch.translate(loc))


@dataclass
class DeclaredAsset:
    asset: Asset
    patterns: list[tuple[str, re.Pattern[str]]]  # (location as written, compiled)
    aws: tuple[str, ...]
    gcp: tuple[str, ...]
    k8s: tuple[str, ...]
    operators: tuple[str, ...]
    networks: list = field(default_factory=list)  # ipaddress networks

    @cached_property  # read for every event on the asset
    def uid(self) -> str:
        return f"policy:asset/{self.asset.kind}/{self.asset.id}"

    @property
    def label(self) -> str:
        return f"{self.asset.kind} {self.asset.id}"

    def principals(self, provider: str) -> tuple[str, ...]:
        return {"aws": self.aws, "gcp": self.gcp, "k8s": self.k8s}.get(provider, ())


def _gcp_member(p: str) -> str:
    if ":" in p:
        return p
    return f"serviceAccount:{p}" if p.endswith(".gserviceaccount.com") else f"user:{p}"


def principal_matches(patterns: tuple[str, ...], principal: str, session: str = "") -> bool:
    """A principal (or the session behind it: an assumed-role session ARN, an impersonator)
    matches a declared principal exactly or as a glob."""
    for p in patterns:
        if p in (principal, session):
            return True
        if "*" in p and (fnmatch.fnmatchcase(principal, p) or (session and fnmatch.fnmatchcase(session, p))):
            return True
    return False


class Declared:
    def __init__(self, policy: RuntimePolicy) -> None:
        self.policy = policy
        self.assets: list[DeclaredAsset] = []
        for a in policy.assets:
            pr = policy.asset_principals(a)
            owner = policy.tenant(a.owner) if a.owner else None
            nets = [_network(c) for c in a.allowed_networks]
            self.assets.append(
                DeclaredAsset(
                    a,
                    [(loc, _pattern(loc)) for loc in (*a.locations, *a.endpoints)],
                    pr.aws,
                    tuple(_gcp_member(p) for p in pr.gcp),
                    pr.k8s,
                    owner.operators if owner else (),
                    nets,
                )
            )
        self.operators = tuple(dict.fromkeys(o for t in policy.tenants for o in t.operators))
        # index key -> [(asset, its locations under that key)], in declaration order
        self._by_prefix: dict[str, list[tuple[DeclaredAsset, list[tuple[str, re.Pattern[str]]]]]] = {}
        for d in self.assets:
            for loc, pat in d.patterns:
                bucket = self._by_prefix.setdefault(prefix_key(loc), [])
                if not bucket or bucket[-1][0] is not d:
                    bucket.append((d, []))
                bucket[-1][1].append((loc, pat))

    # -- assets ------------------------------------------------------------------------
    def assets_of(self, resource: str) -> list[tuple[DeclaredAsset, str]]:
        """Declared assets whose locations match a canonical resource, with the location."""
        return _match(self, resource)

    def event_assets(self, ev: AuditEvent) -> list[tuple[DeclaredAsset, str]]:
        out: list[tuple[DeclaredAsset, str]] = []
        for r in ev.resources:
            for hit in self.assets_of(r):
                if all(hit[0] is not o[0] for o in out):
                    out.append(hit)
        return out

    def index_keys(self) -> set[str]:
        """The index buckets of every declared location: a resource whose `prefix_key` is
        in none of them matches no asset."""
        return set(self._by_prefix)

    # -- people ------------------------------------------------------------------------
    def is_operator(self, ev: AuditEvent, tenant: Tenant | None = None) -> bool:
        """A declared operator: of `tenant` when given, else of any tenant. Operators are
        written as principals or as the person (an email): an SSO role session named for
        the person (``assumed-role/Admin/alice@example.com``) matches the person too."""
        ops = tenant.operators if tenant is not None else self.operators
        if not ops:
            return False
        person = ev.session.rsplit("/", 1)[-1] if ev.session else ""
        bare = ev.principal.split(":", 1)[1] if ev.provider == "gcp" else ev.principal
        return principal_matches(ops, ev.principal, ev.session) or any(o in (person, bare) for o in ops if o)

    def is_platform(self, ev: AuditEvent) -> bool:
        """The control plane, or a service account of a namespace the policy lets run
        privileged (the GPU operator, the monitor itself)."""
        if ev.provider != "k8s":
            return not ev.principal.startswith("arn:") and ev.provider == "aws"  # AWS service principals
        p = ev.principal
        if _PLATFORM_K8S.match(p):
            return True
        if p.startswith("system:serviceaccount:"):
            ns = p.split(":")[2]
            return ns in self.policy.defaults.privileged_namespaces
        return False

    def tenant_of_namespace(self, ns: str) -> Tenant | None:
        return self.policy.tenant_for_namespace(ns) if ns else None

    def is_tenant_principal(self, tenant: Tenant, ev: AuditEvent) -> bool:
        pr = tenant.principals
        pats = {"aws": pr.aws, "gcp": tuple(_gcp_member(p) for p in pr.gcp), "k8s": pr.k8s}[ev.provider]
        if principal_matches(pats, ev.principal, ev.session):
            return True
        # a tenant's own service accounts act for it
        return ev.provider == "k8s" and any(
            ev.principal.startswith(f"system:serviceaccount:{ns}:") for ns in tenant.namespaces
        )

    def is_tenant_principal_of_asset(self, d: DeclaredAsset, ev: AuditEvent) -> bool:
        """A declared principal of the asset (its own, its owner's, its allowed tenants')."""
        if principal_matches(d.principals(ev.provider), ev.principal, ev.session):
            return True
        if ev.provider == "k8s":  # a tenant's own service accounts act for its assets
            for name in ([d.asset.owner] if d.asset.owner else []) + list(d.asset.allowed_tenants):
                t = self.policy.tenant(name)
                if t is not None and self.is_tenant_principal(t, ev):
                    return True
        return False

    def in_networks(self, d: DeclaredAsset, ip: str) -> bool | None:
        """True/False when the asset declares networks and the address parses; None when
        it declares none or the caller is an AWS service (``sagemaker.amazonaws.com``)."""
        if not d.networks:
            return None
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        return any(addr in n for n in d.networks)


def prefix_key(loc: str) -> str:
    """An index key: scheme and bucket for s3/gs, service for ARNs, namespace for k8s."""
    if loc.startswith(("s3://", "gs://")):
        return loc[:5] + loc[5:].split("/", 1)[0]
    if loc.startswith("arn:"):
        parts = loc.split(":", 3)
        return ":".join(parts[:3])
    if loc.startswith("k8s:"):
        return loc.split("/", 1)[0]
    return "other"


def _match(decl: Declared, resource: str) -> list[tuple[DeclaredAsset, str]]:
    key = prefix_key(resource)
    out = []
    for d, patterns in decl._by_prefix.get(key, ()):
        for loc, pat in patterns:
            if pat.match(resource) is not None:
                out.append((d, loc))
                break
    return out
