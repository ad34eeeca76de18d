"""`mlposture policy validate|init` and `mlposture monitor gpu`."""

from __future__ import annotations

import click


@click.group()
def policy() -> None:
    """The declared runtime policy."""


@click.group()
def monitor() -> None:
    """Runtime monitor: GPU-tenant isolation and audit logs against the declared policy."""
