"""Blind spots (AUD-004): where the logs cannot show an asset's use. A blind spot is its
own finding with status "unknown", never a silent "no anomaly"; the unused-access
detection skips what is blind, since no use seen there proves nothing.

- CloudTrail never logs SageMaker InvokeEndpoint (data plane), so endpoint use is blind.
- S3 object reads (and Feature Store GetRecord) are data events, off unless a trail's event
  selectors enable them: read from the inventory's aws.cloudtrail.trail, or, without an
  inventory, inferred from whether such events appear at all.
- GCP Data Access logs are off unless the project's audit config enables DATA_READ for the
  service (gcp.logging.audit_config), likewise.
- Kubernetes at the Metadata level logs no requestObject, so privileged and host-mount pod
  creation cannot be judged.
- No logs of the asset's provider were given at all."""

from __future__ import annotations

from runtime_monitor.audit.declared import DeclaredAsset
from runtime_monitor.audit.detections.access import ASSET_TYPE
from runtime_monitor.audit.detections.base import Context, Detector, Hit, detection
from runtime_monitor.audit.detections.k8s_tenant import NS_TYPE, ns_uid

PROVIDER_NAMES = {"aws": "CloudTrail", "gcp": "GCP audit", "k8s": "Kubernetes audit"}


def provider_of(loc: str) -> str:
    if loc.startswith(("s3://", "arn:")):
        return "aws"
    if loc.startswith(("gs://", "projects/", "bq://")):
        return "gcp"
    return "k8s"


def _trail_covers(trail, resource_type: str, arn_prefix: str) -> bool | None:
    sel = trail.attrs.get("data_events")
    if not isinstance(sel, list):
        return None  # unresolved selectors: cannot tell
    for s in sel:
        if not isinstance(s, dict) or s.get("resource_type") != resource_type:
            continue
        if s.get("read_write", "All") not in ("All", "ReadOnly"):
            continue
        values = s.get("values") or []
        if not values or any(isinstance(v, str) and arn_prefix.startswith(v.rstrip("*")) for v in values):
            return True
    return False


def _data_events_gap(ctx: Context, resource_type: str, arn_prefix: str, what: str) -> str | None:
    inv = ctx.inventory
    trails = inv.of_type("aws.cloudtrail.trail") if inv is not None else []
    if trails:
        verdicts = [_trail_covers(t, resource_type, arn_prefix) for t in trails]
        if any(v is True for v in verdicts):
            return None
        names = ", ".join(sorted(str(t.name) for t in trails))
        if any(v is None for v in verdicts):
            return (
                f"the data-event selectors of trail(s) {names} could not be read, so {what} may be unlogged"
            )
        return f"no trail ({names}) logs {resource_type} data events for it, so {what} is not in CloudTrail"
    if inv is not None:
        return f"the inventory has no CloudTrail trail, so {what} cannot be shown to be logged"
    return None  # decided from the logs by the caller


def _gcp_gap(ctx: Context, service: str, what: str) -> str | None:
    inv = ctx.inventory
    configs = inv.of_type("gcp.logging.audit_config") if inv is not None else []
    for c in configs:
        types = c.attrs.get("log_types")
        if (
            c.attrs.get("service") in (service, "allServices")
            and isinstance(types, list)
            and "DATA_READ" in types
        ):
            return None
    if inv is not None:
        return f"no audit config enables DATA_READ for {service}, so {what} is not in the Data Access logs"
    return None


def gaps(ctx: Context, d: DeclaredAsset) -> list[tuple[str, str]]:
    """(location, why it is blind) for each blind location of an asset."""
    out = []
    for loc, _ in d.patterns:
        provider = provider_of(loc)
        seen = ctx.observed.get((d.uid, loc), set())
        if provider not in ctx.providers:
            out.append((loc, f"no {PROVIDER_NAMES[provider]} logs were read, so its use cannot be seen"))
            continue
        why = None
        if loc.startswith("arn:aws:sagemaker:") and ":endpoint/" in loc:
            why = "CloudTrail does not log SageMaker InvokeEndpoint, so invocations of it cannot be seen"
        elif loc.startswith("s3://"):
            arn = "arn:aws:s3:::" + loc[5:].rstrip("*")
            why = _data_events_gap(ctx, "AWS::S3::Object", arn, "reading its objects")
            if why is None and ctx.inventory is None and "Data" not in seen:
                why = (
                    "no S3 data events for it appear in the logs (data events are off unless a trail's "
                    "selectors enable them) and no inventory shows the trail's selectors"
                )
        elif loc.startswith("arn:aws:sagemaker:") and ":feature-group/" in loc:
            why = _data_events_gap(
                ctx, "AWS::SageMaker::FeatureGroup", loc.rstrip("*"), "reading its records"
            )
            if why is None and ctx.inventory is None and "Data" not in seen:
                why = "no Feature Store data events for it appear in the logs and no inventory shows the selectors"
        elif loc.startswith(("gs://", "projects/")):
            service = "storage.googleapis.com" if loc.startswith("gs://") else "aiplatform.googleapis.com"
            why = _gcp_gap(ctx, service, "reading it")
            if why is None and ctx.inventory is None and "data_access" not in seen:
                why = (
                    f"no Data Access log entries for it appear (off unless the audit config enables "
                    f"DATA_READ for {service}) and no inventory shows the audit config"
                )
        if why:
            out.append((loc, why))
    return out


@detection(
    id="audit-log-coverage-gap",
    check="AUD-004",
    title="The audit logs can show every use of every declared ML asset",
    severity="medium",
    category="logging",
    risk="Where the logs cannot see, no anomaly is not evidence of no misuse: a stolen role can read an "
    "unlogged bucket or invoke an endpoint without a trace.",
    remediation={
        "terraform": "Enable S3 (and SageMaker Feature Store) data events on a trail's event selectors "
        "(aws_cloudtrail advanced_event_selector); google_project_iam_audit_config with DATA_READ for "
        "storage.googleapis.com and aiplatform.googleapis.com; an audit policy at Request level for pods.",
        "console": "SageMaker InvokeEndpoint is never in CloudTrail: enable endpoint data capture or log "
        "invocations in the calling application.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/logging-using-cloudtrail.html",
        "https://cloud.google.com/logging/docs/audit/configure-data-access",
    ],
)
class CoverageGap(Detector):
    """Each location of a declared asset whose use the given logs cannot show, and each
    tenant namespace whose pod writes were logged without their spec; status unknown."""

    def hits(self):
        out = []
        for d in self.ctx.declared.assets:
            for loc, why in gaps(self.ctx, d):
                out.append(
                    Hit(
                        self.meta.id,
                        d.uid,
                        ASSET_TYPE,
                        d.asset.id,
                        provider_of(loc),
                        f"{loc}: {why}",
                        f"locations[{loc}]",
                        {"location": loc, "policy_path": d.asset.path},
                        status="unknown",
                    )
                )
        for ns, (n, file, line) in sorted(self.ctx.unlogged_pod_specs.items()):
            out.append(
                Hit(
                    self.meta.id,
                    ns_uid(ns, self.ctx.cluster),
                    NS_TYPE,
                    ns,
                    "k8s",
                    f"{n} pod write(s) in tenant namespace {ns} were logged at the Metadata level, without "
                    "the requestObject, so privileged and host-mount pods there cannot be seen",
                    "audit_level",
                    {"pod_writes_without_spec": n},
                    status="unknown",
                    file=file,
                    line=line,
                )
            )
        return out
