"""Commands that live in their own modules, one per area, registered on the CLI by
`register`. Each module imports only click at import time, so `mlposture --version`
stays fast; heavy libraries are imported inside the command bodies."""

from __future__ import annotations

import click


def shard_option(ctx, param, value):
    """click callback for `--shard INDEX/COUNT` (scanner.shard.parse_shard)."""
    if value is None:
        return None
    from scanner.shard import parse_shard

    try:
        return parse_shard(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


def register(main: click.Group, scan: click.Group) -> None:
    from scanner.commands import audit, aws, gcp, graph, k8s, monitor

    scan.add_command(aws.scan_aws_cmd, "aws")
    scan.add_command(gcp.scan_gcp_cmd, "gcp")
    scan.add_command(k8s.scan_k8s_cmd, "k8s")
    for cmd in graph.COMMANDS:  # paths, who-can, graph
        main.add_command(cmd)
    main.add_command(monitor.policy, "policy")
    main.add_command(monitor.monitor, "monitor")
    monitor.monitor.add_command(audit.monitor_audit_cmd, "audit")
