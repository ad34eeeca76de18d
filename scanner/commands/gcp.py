"""`mlposture scan gcp`."""

from __future__ import annotations

import click


@click.command("gcp")
def scan_gcp_cmd() -> None:
    """Scan live gcp (not yet available)."""
    raise click.UsageError("scan gcp is not available yet")
