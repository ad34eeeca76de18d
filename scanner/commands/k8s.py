"""`mlposture scan k8s`."""

from __future__ import annotations

import click


@click.command("k8s")
def scan_k8s_cmd() -> None:
    """Scan live k8s (not yet available)."""
    raise click.UsageError("scan k8s is not available yet")
