"""`mlposture monitor audit`."""

from __future__ import annotations

import click


@click.command("audit")
def monitor_audit_cmd() -> None:
    """Audit logs against the declared policy (not yet available)."""
    raise click.UsageError("monitor audit is not available yet")
