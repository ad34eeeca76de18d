"""`mlposture scan aws`."""

from __future__ import annotations

import click


@click.command("aws")
def scan_aws_cmd() -> None:
    """Scan live aws (not yet available)."""
    raise click.UsageError("scan aws is not available yet")
