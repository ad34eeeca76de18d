"""Who touched a declared asset, and how: undeclared principals (AUD-001), presigned
notebook URLs and lifecycle configurations (AUD-002), reads outside the declared network
(AUD-003)."""

from __future__ import annotations

from runtime_monitor.audit.detections.base import Detector, Hit, Tally, detection
from runtime_monitor.audit.event import SUCCESS

ASSET_TYPE = "policy.asset"
# Reads of data (the exfiltration path), per log.
DATA_READS = frozenset(
    {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:SelectObjectContent",
        "secretsmanager:GetSecretValue",
        "sagemaker:GetRecord",
        "sagemaker:BatchGetRecord",
        "storage.objects.get",
        "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion",
        "get secrets",
        "list secrets",
        "watch secrets",
    }
)
# Reads of metadata: a use of the asset (undeclared access, first seen, unused access) but
# no data moved, so neither volume nor network judges them. A listing is a use of the
# assets its prefix lies inside.
METADATA_READS = frozenset(
    {"s3:HeadObject", "s3:ListObjects", "s3:ListObjectsV2", "s3:GetObjectAttributes", "storage.objects.list"}
)
NOTEBOOK_ACCESS = frozenset(
    {
        "sagemaker:CreatePresignedNotebookInstanceUrl",
        "sagemaker:CreatePresignedDomainUrl",
        "sagemaker:CreateNotebookInstanceLifecycleConfig",
        "sagemaker:UpdateNotebookInstanceLifecycleConfig",
        "sagemaker:DeleteNotebookInstanceLifecycleConfig",
        "sagemaker:CreateStudioLifecycleConfig",
        "sagemaker:DeleteStudioLifecycleConfig",
        "sagemaker:UpdateNotebookInstance",
    }
)


@detection(
    id="audit-undeclared-asset-access",
    check="AUD-001",
    title="Only the principals a policy declares for an ML asset use it",
    severity="high",
    category="anomaly",
    risk="A principal the platform never declared for a model, dataset, endpoint, feature store or "
    "secret used it: a stolen or over-granted identity, or a tenant reaching another tenant's data.",
    remediation={
        "console": "Confirm who the principal is. If the access is legitimate, declare it in the asset's "
        "allowed_principals; otherwise revoke the grant that allowed it and rotate the principal's credentials.",
    },
    references=[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html"
    ],
)
class UndeclaredAccess(Detector):
    """A successful request on a declared asset by a principal outside its declared
    principals (the asset's own, its owner's and its allowed tenants')."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.tallies: dict[tuple, Tally] = {}

    def observe(self, ev, assets) -> None:
        if ev.outcome != SUCCESS or not assets or self.ctx.declared.is_platform(ev):
            return
        for d, _loc in assets:
            if not self.ctx.declared.is_tenant_principal_of_asset(d, ev):
                self.tallies.setdefault((d.uid, ev.principal), Tally(extra={"d": d, "ev": ev})).add(ev)

    def hits(self):
        out = []
        for (_uid, principal), t in sorted(self.tallies.items(), key=lambda kv: kv[0]):
            d, ev = t.extra["d"], t.extra["ev"]
            granted = self.ctx.granted.granted_to(d, principal) if self.ctx.granted is not None else None
            out.append(
                Hit(
                    self.meta.id,
                    d.uid,
                    ASSET_TYPE,
                    d.asset.id,
                    ev.provider,
                    f"{principal} used {d.label} {t.count} time(s) but is not among its declared principals",
                    f"principals[{principal}]",
                    t.evidence(principal=principal, granted=granted, policy_path=d.asset.path),
                    file=t.where[0],
                    line=t.where[1],
                )
            )
        return out


@detection(
    id="audit-notebook-access-by-non-operator",
    check="AUD-002",
    title="Only declared operators create presigned notebook URLs or change notebook lifecycle configurations",
    severity="high",
    category="anomaly",
    risk="A presigned notebook URL opens a shell as the notebook's execution role; a lifecycle "
    "configuration runs code on every start. Both are privilege-escalation paths onto the notebook's role.",
    remediation={
        "console": "Verify the caller; deny sagemaker:CreatePresignedNotebookInstanceUrl, "
        "CreatePresignedDomainUrl and lifecycle-configuration actions to all but the operators' roles.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/security-iam-presigned-url.html",
    ],
)
class NotebookAccess(Detector):
    """CreatePresignedNotebookInstanceUrl, CreatePresignedDomainUrl and lifecycle-
    configuration changes that succeeded for anyone but a declared operator (of the
    notebook's owner when the notebook is a declared asset, else of any tenant)."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.tallies: dict[tuple, Tally] = {}

    def observe(self, ev, assets) -> None:
        if ev.action not in NOTEBOOK_ACCESS or ev.outcome != SUCCESS:
            return
        decl = self.ctx.declared
        owners = [decl.policy.tenant(d.asset.owner) for d, _ in assets if d.asset.owner]
        owners = [t for t in owners if t is not None]
        ok = any(decl.is_operator(ev, t) for t in owners) if owners else decl.is_operator(ev)
        if ok:
            return
        target = next((r for r in ev.resources if r.startswith("arn:aws:sagemaker:")), "")
        self.tallies.setdefault((target or ev.action, ev.principal), Tally(extra={"ev": ev})).add(ev)

    def hits(self):
        out = []
        for (target, principal), t in sorted(self.tallies.items(), key=lambda kv: kv[0]):
            ev = t.extra["ev"]
            kind = target.split(":", 5)[-1].split("/", 1)[0] if target.startswith("arn:") else "sagemaker"
            name = target.rsplit("/", 1)[-1] if target.startswith("arn:") else target
            parts = target.split(":") if target.startswith("arn:") else []
            out.append(
                Hit(
                    self.meta.id,
                    target,
                    f"aws.sagemaker.{kind.replace('-', '_')}",
                    name,
                    "aws",
                    f"{principal}, who is not a declared operator, called {', '.join(sorted(t.actions))}",
                    f"callers[{principal}]",
                    t.evidence(principal=principal, session=ev.session),
                    file=t.where[0],
                    line=t.where[1],
                    account=parts[4] if len(parts) > 4 else None,
                    region=parts[3] if len(parts) > 3 else None,
                )
            )
        return out


@detection(
    id="audit-read-outside-declared-network",
    check="AUD-003",
    title="Reads of declared models and data arrive through their declared VPC endpoints and networks",
    severity="high",
    category="anomaly",
    risk="A read of a model or dataset that bypassed the VPC endpoint or came from an undeclared "
    "network is the shape of exfiltration with stolen credentials (GuardDuty's "
    "InstanceCredentialExfiltration.OutsideAWS).",
    remediation={
        "console": "Add a bucket policy that denies reads unless aws:SourceVpce is the declared endpoint; "
        "rotate the credentials that were used.",
    },
    references=[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html"
    ],
)
class OutsideNetwork(Detector):
    """A successful data read of an asset that declares ``vpc_endpoints`` without one of
    them (CloudTrail's vpcEndpointId), or from outside its ``allowed_networks``."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.tallies: dict[tuple, Tally] = {}

    def observe(self, ev, assets) -> None:
        if ev.outcome != SUCCESS or ev.action not in DATA_READS or self.ctx.declared.is_platform(ev):
            return
        for d, _loc in assets:
            vpces = d.asset.vpc_endpoints
            bypass = not ev.vpc_endpoint or ("*" not in vpces and ev.vpc_endpoint not in vpces)
            if vpces and ev.provider == "aws" and bypass:
                key = (d.uid, "vpc_endpoint", ev.principal, ev.vpc_endpoint or "none")
                self.tallies.setdefault(key, Tally(extra={"d": d, "ev": ev})).add(ev)
            if self.ctx.declared.in_networks(d, ev.source_ip) is False:
                key = (d.uid, "network", ev.principal, ev.source_ip)
                self.tallies.setdefault(key, Tally(extra={"d": d, "ev": ev})).add(ev)

    def hits(self):
        out = []
        for (_uid, what, principal, value), t in sorted(self.tallies.items(), key=lambda kv: kv[0]):
            d, ev = t.extra["d"], t.extra["ev"]
            if what == "vpc_endpoint":
                how = (
                    "without a VPC endpoint"
                    if value == "none"
                    else f"through undeclared VPC endpoint {value}"
                )
                at = f"vpc_endpoints[{value}]"
            else:
                how = f"from {value}, outside its allowed networks"
                at = f"networks[{value}]"
            out.append(
                Hit(
                    self.meta.id,
                    d.uid,
                    ASSET_TYPE,
                    d.asset.id,
                    ev.provider,
                    f"{principal} read {d.label} {how} ({t.count} read(s))",
                    at,
                    t.evidence(
                        principal=principal,
                        declared_vpc_endpoints=list(d.asset.vpc_endpoints),
                        declared_networks=list(d.asset.allowed_networks),
                        policy_path=d.asset.path,
                    ),
                    file=t.where[0],
                    line=t.where[1],
                )
            )
        return out
