"""`mlposture scan gcp`: live GCP projects (named, or every project under a folder or an
organization), read-only, with Application Default Credentials."""

from __future__ import annotations

import click

from scanner.commands import shard_option


def scan_gcp(settings, options=None, recorder=None):
    """Collect, normalize and evaluate; returns (ScanResult, Inventory, GcpCollection)."""
    from scanner.collect.gcp import collect_gcp
    from scanner.engine import ScanOptions, _now, build_inventory, run
    from scanner.normalize.gcp import normalize_gcp

    options = options or ScanOptions()
    started = _now()
    collection = collect_gcp(settings, recorder)
    batch = normalize_gcp(collection.projects, collection.raws)
    inv = build_inventory([batch])
    errors = sorted(collection.errors, key=lambda e: (e.unscanned, e.reason))
    source = {
        "dialect": "gcp",
        "projects": sorted(p["projectId"] for p in collection.projects),
        "regions": list(settings.regions),
        "vertex_regions": "discovered per project" if not settings.regions_given else "as given",
        "resources": len(batch.resources),
        "api_calls": len(collection.recorder.calls),
    }
    if settings.shard:
        source["shard"] = f"{settings.shard[0]}/{settings.shard[1]}"
    if collection.remarks:  # fallbacks taken: what was read instead
        source["remarks"] = list(collection.remarks)
    if collection.notes:  # APIs not enabled: nothing of theirs to scan, so not an error
        source["apis_not_enabled"] = sorted(
            collection.notes, key=lambda n: (n["project"], n["api"], n["unscanned"])
        )
    targets = [f"gcp:projects/{p}" for p in settings.projects]
    targets += [f"gcp:folders/{f}" for f in settings.folders] + [
        f"gcp:organizations/{o}" for o in settings.organizations
    ]
    result = run(inv, targets=targets, errors=errors, sources=[source], options=options, started_at=started)
    return result, inv, collection


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _opts(f):
    from scanner.cli import common_scan_options, notify_options, store_options

    f = notify_options(store_options(common_scan_options(f)))
    for opt in reversed(
        [
            click.option("--project", "projects", multiple=True, help="Project id to scan; repeatable."),
            click.option(
                "--folder",
                "folders",
                multiple=True,
                help="Scan every project under this folder id (recursively); repeatable.",
            ),
            click.option(
                "--organization",
                "organizations",
                multiple=True,
                help="Scan every project of this organization id; repeatable.",
            ),
            click.option(
                "--regions",
                default=None,
                metavar="R1,R2",
                help="Regions for Vertex AI, Cloud Run and Artifact Registry (default: Vertex AI's own region list per project, and a list of the common ones for the rest; see docs/gcp-permissions.md).",
            ),
            click.option(
                "--endpoint",
                "endpoints",
                multiple=True,
                metavar="[API=]URL",
                help="Base URL for the REST APIs (all, or API= one of them), e.g. a local stand-in; plain http only to loopback.",
            ),
            click.option(
                "--iam-endpoint",
                default=None,
                metavar="HOST:PORT",
                help="The gRPC IAM admin API (plaintext only to a loopback stand-in).",
            ),
            click.option(
                "--anonymous", is_flag=True, help="Send no credentials (local stand-ins and emulators only)."
            ),
            click.option(
                "--no-ancestors",
                is_flag=True,
                help="Do not read the IAM policies of the projects' folders and organization.",
            ),
            click.option(
                "--request-timeout",
                type=click.FloatRange(min=0.1),
                default=30.0,
                show_default=True,
                help="Seconds per API call before it is retried.",
            ),
            click.option(
                "--retries",
                type=click.IntRange(0, 10),
                default=4,
                show_default=True,
                help="Retries of a timed-out or throttled (429, 5xx) call, with exponential backoff.",
            ),
            click.option("--retry-base-delay", type=click.FloatRange(min=0.0), default=0.5, hidden=True),
            click.option(
                "--shard",
                default=None,
                metavar="INDEX/COUNT",
                callback=shard_option,
                help="Scan only this shard of the projects (a stable hash of the project id; INDEX from 0).",
            ),
            click.option(
                "--workers",
                type=click.IntRange(1, 64),
                default=8,
                show_default=True,
                help="Calls in flight at once.",
            ),
        ]
    ):
        f = opt(f)
    return f


@click.command("gcp")
@_opts
def scan_gcp_cmd(
    projects,
    folders,
    organizations,
    regions,
    endpoints,
    iam_endpoint,
    anonymous,
    no_ancestors,
    request_timeout,
    retries,
    retry_base_delay,
    shard,
    workers,
    outputs,
    fail_on,
    config_path,
    include_rules,
    exclude_rules,
    categories,
    save_inventory,
    quiet,
    baseline_path,
    compliance,
):
    """Scan live GCP projects (read-only: get, list and getIamPolicy; secret values are never read)."""
    from scanner.cli import _config_fail_on, _finish, _load_baseline, _options, _parse_outputs, _stop_progress
    from scanner.collect.gcp import DEFAULT_REGIONS, GcpSettings
    from scanner.collect.gcp.faults import RetryPolicy
    from scanner.collect.gcp.settings import parse_endpoints

    if not (projects or folders or organizations):
        raise click.UsageError("name what to scan: --project, --folder or --organization")
    outs = _parse_outputs(outputs)
    try:
        eps = parse_endpoints(endpoints)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    settings = GcpSettings(
        projects=list(projects),
        folders=list(folders),
        organizations=list(organizations),
        regions=_csv(regions) or list(DEFAULT_REGIONS),
        regions_given=bool(_csv(regions)),
        shard=shard,
        endpoints=eps,
        iam_endpoint=iam_endpoint,
        anonymous=anonymous,
        timeout=request_timeout,
        retry=RetryPolicy(attempts=retries + 1, base_delay=retry_base_delay),
        workers=workers,
        ancestors=not no_ancestors,
    )
    opts = _options(config_path, include_rules, exclude_rules, categories, compliance)
    baseline = _load_baseline(baseline_path)
    try:
        result, inv, _ = scan_gcp(settings, opts)
    finally:
        _stop_progress(opts)
    if not quiet:
        for n in (result.sources[0].get("apis_not_enabled") or [])[:20]:
            click.echo(
                f"note: {n['api'] or 'an API'} is not enabled in {n['project']}: {n['unscanned']} not read",
                err=True,
            )
        for remark in result.sources[0].get("remarks") or []:
            click.echo(f"note: {remark}", err=True)
    _finish(
        result, inv, outs, fail_on or _config_fail_on(opts), save_inventory, quiet, baseline, baseline_path
    )
