"""`mlposture scan aws`: scan live AWS accounts (read-only) with the same rules as IaC."""

from __future__ import annotations

import os
import re

import click

from scanner.cli import (
    _STORE,
    ConfigProblem,
    _config_fail_on,
    _finish,
    _load_baseline,
    _options,
    _parse_outputs,
    _split,
    _stop_progress,
    _tune_gc,
    common_scan_options,
    notify_options,
    store_options,
)
from scanner.commands import shard_option


def _since(ctx, param, value):
    from datetime import UTC, datetime, timedelta

    if value is None or value.lower() in ("all", "0"):
        return None
    m = re.fullmatch(r"(\d+)([dh])", value.strip())
    if m:
        n = int(m.group(1))
        return datetime.now(UTC) - (timedelta(days=n) if m.group(2) == "d" else timedelta(hours=n))
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as e:
        raise click.BadParameter("expected Nd, Nh, an ISO date, or 'all'") from e
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _status_line(progress):
    status = getattr(progress, "_status", None)  # scanner.cli._Progress's rich status
    if status is None or os.environ.get("CI"):
        return None
    return lambda text: status.update(f"mlposture: {text}")


@click.command("aws")
@common_scan_options
@store_options
@notify_options
@click.option("--profile", default=None, help="AWS profile (default: the standard credential chain).")
@click.option(
    "--region", "home_region", default=None, help="Home region for global calls (default: the profile's)."
)
@click.option(
    "--regions", default=None, help="Comma-separated regions (default: every region enabled for the account)."
)
@click.option("--accounts", default=None, help="Comma-separated account ids (with --org-role).")
@click.option(
    "--org-role",
    default=None,
    metavar="NAME",
    help="Assume this role into each account (--accounts, else every active account of the Organization).",
)
@click.option("--external-id", default=None, help="External id for --org-role.")
@click.option(
    "--endpoint-url", default=None, metavar="URL", help="Send every call to this endpoint (a stand-in)."
)
@click.option("--services", default=None, help="Comma-separated subset of services to read.")
@click.option(
    "--jobs-since",
    default="30d",
    show_default=True,
    callback=_since,
    help="SageMaker jobs created within this window (Nd, Nh, an ISO date, or 'all').",
)
@click.option(
    "--all-buckets", is_flag=True, help="Read every S3 bucket, not only those ML resources reference."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 128),
    default=16,
    show_default=True,
    help="Concurrent account x region x service units.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=8,
    show_default=True,
    help="Attempts per call (botocore adaptive retries).",
)
@click.option("--connect-timeout", type=float, default=10.0, show_default=True)
@click.option("--read-timeout", type=float, default=60.0, show_default=True)
@click.option(
    "--shard",
    default=None,
    metavar="INDEX/COUNT",
    callback=shard_option,
    help="Scan only this shard of the accounts (a stable hash of the account id).",
)
@click.option(
    "--inspect-code",
    is_flag=True,
    help="Download Lambda function packages (presigned URLs, read-only) and scan their text for secrets.",
)
@click.option(
    "--code-max-mb",
    type=click.FloatRange(0.1, 1024),
    default=50.0,
    show_default=True,
    help="With --inspect-code: refuse packages larger than this (zip bombs are refused by ratio).",
)
def scan_aws_cmd(
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
    profile,
    home_region,
    regions,
    accounts,
    org_role,
    external_id,
    endpoint_url,
    services,
    jobs_since,
    all_buckets,
    workers,
    max_attempts,
    connect_timeout,
    read_timeout,
    shard,
    inspect_code,
    code_max_mb,
):
    """Scan live AWS accounts: SageMaker, Bedrock, Lambda, IAM and what they use. Read-only."""
    from scanner.collect.aws import AwsScanConfig, AwsSetupError, collect_aws
    from scanner.collect.aws.code import MB, CodeLimits
    from scanner.engine import _now, run
    from scanner.model.inventory import Inventory

    outs = _parse_outputs(outputs)
    opts = _options(config_path, include_rules, exclude_rules, categories, compliance)
    baseline = _load_baseline(baseline_path)
    cctx = click.get_current_context()
    url, label = cctx.meta.get(_STORE) or (None, None)
    if shard is not None and url is not None and label is None:
        cctx.meta[_STORE] = (url, f"shard-{shard[0]}-of-{shard[1]}")
    cfg = AwsScanConfig(
        profile=profile,
        region=home_region,
        regions=_split(regions),
        accounts=_split(accounts),
        org_role=org_role,
        external_id=external_id,
        endpoint_url=endpoint_url,
        services=_split(services),
        jobs_since=jobs_since,
        all_buckets=all_buckets,
        workers=workers,
        max_attempts=max_attempts,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        shard=shard,
        inspect_code=inspect_code,
        code_limits=CodeLimits(max_download=int(code_max_mb * MB)),
        # counts per service on the terminal's status line (opts.progress exists only on a tty)
        progress=_status_line(opts.progress),
    )
    _tune_gc()
    started = _now()
    try:
        try:
            col = collect_aws(cfg)
        except AwsSetupError as e:
            raise ConfigProblem(str(e)) from e
        inv = Inventory()
        inv.extend(col.normalized.resources, col.normalized.relations)
        for alias, uid in col.normalized.aliases.items():
            inv.add_alias(alias, uid)
        inv.link()
        sources = [
            {
                "dialect": "aws",
                "accounts": col.accounts,
                "regions": col.regions,
                "resources": len(inv),
                "api_calls": col.calls,
                "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            }
        ]
        targets = [f"aws:{a}" for a in col.accounts] or ["aws"]
        result = run(
            inv, targets=targets, errors=col.errors, sources=sources, options=opts, started_at=started
        )
    finally:
        _stop_progress(opts)
    _finish(
        result, inv, outs, fail_on or _config_fail_on(opts), save_inventory, quiet, baseline, baseline_path
    )
