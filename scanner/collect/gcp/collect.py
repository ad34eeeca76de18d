"""One GCP scan: resolve the projects, then read every service of every project (and
region) in parallel units, then the buckets those resources reference."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scanner.model.finding import ScanError

from .context import Raw, ScanContext
from .credentials import load_credentials
from .faults import GcpCallError
from .identities import collect_identities
from .recorder import CallRecorder
from .registry import collect_repositories, collect_secrets
from .rest import RestClients
from .scope import ancestors, read_policy, resolve_projects
from .serverless import collect_functions, collect_run
from .settings import AR_MULTI_REGIONS, GcpSettings
from .storage import collect_bucket, referenced_buckets
from .vertex import collect_vertex, collect_workbench, vertex_regions


@dataclass
class GcpCollection:
    projects: list[dict] = field(default_factory=list)  # Resource Manager project records
    raws: list[Raw] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # APIs not enabled: {project, api, unscanned}
    remarks: list[str] = field(default_factory=list)  # fallbacks taken (e.g. the fixed region list)
    vertex_regions: dict[str, list[str]] = field(default_factory=dict)  # project -> regions read
    recorder: CallRecorder = field(default_factory=CallRecorder)


def _units(ctx: ScanContext, project: str, vertex: list[str]) -> list[Callable[[], None]]:
    s = ctx.settings
    units: list[Callable[[], None]] = [
        lambda: read_policy(ctx, f"projects/{project}", project),
        lambda: collect_identities(ctx, project),
        lambda: collect_workbench(ctx, project),
        lambda: collect_functions(ctx, project),
        lambda: collect_secrets(ctx, project),
    ]
    for region in vertex:
        units.append(lambda r=region: collect_vertex(ctx, project, r))
    for region in s.regions:
        units.append(lambda r=region: collect_run(ctx, project, r))
    for loc in [*s.regions, *AR_MULTI_REGIONS]:
        units.append(lambda loc=loc: collect_repositories(ctx, project, loc))
    return units


def _run_all(ctx: ScanContext, units: list[Callable[[], None]]) -> None:
    with ThreadPoolExecutor(max_workers=max(1, ctx.settings.workers)) as pool:
        for f in [pool.submit(u) for u in units]:
            f.result()  # collectors report their own faults; anything else is a bug and raises


def collect_gcp(settings: GcpSettings, recorder: CallRecorder | None = None) -> GcpCollection:
    out = GcpCollection(recorder=recorder or CallRecorder())
    try:
        creds = load_credentials(settings.anonymous)
    except GcpCallError as e:
        out.errors.append(ScanError(source="gcp", reason=str(e), unscanned="everything (no credentials)"))
        return out
    from .iam_admin import IamAdmin

    iam = IamAdmin(settings, creds, out.recorder)
    ctx = ScanContext(settings, RestClients(settings, creds, out.recorder), iam, out.recorder)
    try:
        out.projects = resolve_projects(ctx)
        for p in out.projects:
            pid = p["projectId"]
            out.vertex_regions[pid] = (
                list(settings.regions) if settings.regions_given else vertex_regions(ctx, pid)
            )
        units = [
            u for p in out.projects for u in _units(ctx, p["projectId"], out.vertex_regions[p["projectId"]])
        ]
        if settings.ancestors:
            units += [lambda a=a: read_policy(ctx, a) for a in ancestors(ctx, out.projects)]
        _run_all(ctx, units)
        _run_all(ctx, [lambda b=b: collect_bucket(ctx, b) for b in referenced_buckets(ctx.raws)])
    finally:
        iam.close()
    out.raws, out.errors, out.notes, out.remarks = ctx.raws, ctx.errors, ctx.notes, sorted(ctx.remarks)
    return out
