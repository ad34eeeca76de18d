"""`mlposture monitor audit`: CloudTrail, GCP audit and Kubernetes audit logs against the
declared runtime policy, with the same findings, formats and exit codes as every scan."""

from __future__ import annotations

import click

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low", "info"], case_sensitive=False)


@click.command("audit")
@click.option(
    "--policy", "policy_path", required=True, type=click.Path(dir_okay=False), help="The RuntimePolicy."
)
@click.option(
    "--cloudtrail",
    multiple=True,
    metavar="PATH",
    help="CloudTrail log files or folders (.json.gz as delivered, EventBridge JSON lines), or "
    "s3://bucket/prefix; repeatable.",
)
@click.option(
    "--gcp-audit",
    multiple=True,
    metavar="PATH",
    help="GCP Cloud Audit Logs: sink exports (JSON lines) or `gcloud logging read --format=json`; repeatable.",
)
@click.option(
    "--k8s-audit", multiple=True, metavar="PATH", help="Kubernetes audit logs (JSON lines); repeatable."
)
@click.option(
    "--since",
    default=None,
    metavar="TIME",
    help="Only events at or after TIME: RFC 3339 (2026-11-01T00:00:00Z), a date, or an age (24h, 7d).",
)
@click.option(
    "--follow",
    is_flag=True,
    help="Keep reading what is appended to local files; each new finding is a JSON line on stdout.",
)
@click.option(
    "--follow-duration",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="With --follow: stop after SECONDS (default: until interrupted).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="With --follow: seconds between polls.",
)
@click.option(
    "--report-interval",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="With --follow: rewrite the -o reports every SECONDS (default: only at the end).",
)
@click.option(
    "--k8s-cluster",
    default=None,
    metavar="NAME",
    help="The cluster's name in Kubernetes findings' uids (k8s:NAME/...), as `scan k8s` names it "
    "(default: audit.sources.k8s.cluster of the policy, else 'audit').",
)
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="A scan's saved inventory (--save-inventory): IAM, RBAC and trail selectors (granted access).",
)
@click.option(
    "--baseline-store",
    default=None,
    metavar="PATH",
    help="SQLite file of the learned baseline (default: audit.baseline_store of the policy; none: "
    "learn within this run only).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes reading files (default: CPUs, at most 4).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT=FILE",
    help="Write a report; repeatable. FILE '-' is stdout. Formats: json, sarif, html, md, junit, ocsf.",
)
@click.option(
    "--fail-on",
    type=SEVERITY_CHOICE,
    default=None,
    help="Exit 1 when an unmuted finding is at or above this severity (default high).",
)
@click.option("-q", "--quiet", is_flag=True, help="No console summary.")
def monitor_audit_cmd(
    policy_path,
    cloudtrail,
    gcp_audit,
    k8s_audit,
    since,
    follow,
    follow_duration,
    poll_interval,
    report_interval,
    k8s_cluster,
    inventory_path,
    baseline_store,
    workers,
    outputs,
    fail_on,
    quiet,
) -> None:
    """Audit logs against the declared policy: undeclared access to models and data,
    presigned notebooks, exec into tenant pods, exfiltration signals, first-seen access,
    unused grants, and blind spots the logs cannot show."""
    import os

    from runtime_monitor.audit.baseline import BaselineError
    from runtime_monitor.audit.run import AuditOptions, run_audit
    from runtime_monitor.audit.sources import InputError, check_local
    from runtime_monitor.audit.timespec import parse_since
    from runtime_monitor.policy import PolicyError, load_policy
    from scanner.cli import ConfigProblem, _finish, _parse_outputs

    parsed = _parse_outputs(outputs)
    if not (cloudtrail or gcp_audit or k8s_audit):
        raise click.UsageError("give at least one of --cloudtrail, --gcp-audit, --k8s-audit")
    if follow and any(dest == "-" for _, dest in parsed):
        raise click.UsageError("--follow writes JSON lines to stdout: give each -o report a file")
    if report_interval and not follow:
        raise click.UsageError("--report-interval is for --follow")
    if follow and any(s.startswith("s3://") for s in (*cloudtrail, *gcp_audit, *k8s_audit)):
        raise click.UsageError(
            "--follow tails local files; s3:// inputs are read once (run again for new objects)"
        )
    try:
        policy = load_policy(policy_path)
    except PolicyError as e:
        raise ConfigProblem(str(e)) from e
    try:
        for spec in (*cloudtrail, *gcp_audit, *k8s_audit):
            check_local(spec)
        since_t = parse_since(since) if since else None
    except (InputError, ValueError) as e:
        raise click.UsageError(str(e)) from e
    inventory = None
    if inventory_path:
        from scanner.model.inventory import Inventory

        try:
            inventory = Inventory.load(inventory_path)
        except (OSError, ValueError, KeyError) as e:
            raise ConfigProblem(f"cannot load the inventory {inventory_path}: {e}") from e
    opts = AuditOptions(
        list(cloudtrail),
        list(gcp_audit),
        list(k8s_audit),
        since_t,
        inventory,
        baseline_store or policy.audit.baseline_store,
        workers or min(os.cpu_count() or 1, 4),
        k8s_cluster,
    )
    try:
        if follow:
            from runtime_monitor.audit.follow import follow_audit, write_reports

            outcome = follow_audit(
                policy,
                opts,
                poll_interval,
                follow_duration,
                lambda r: write_reports(r, parsed),
                report_interval,
            )
        else:
            result = run_audit(policy, opts)
    except (BaselineError, ValueError) as e:
        raise ConfigProblem(str(e)) from e
    if not follow:
        _finish(result, None, parsed, fail_on or "high", None, quiet)
        return
    try:  # stdout is the JSON-lines stream: no console summary
        _finish(outcome.result, None, parsed, fail_on or "high", None, True)
    except SystemExit as e:
        # stopped by SIGTERM/SIGINT, as a DaemonSet is: a clean end (what was found is in the
        # stream and the reports), unless a report could not be written
        if outcome.stopped_by and e.code in (1, 3):
            raise SystemExit(0) from None
        raise
