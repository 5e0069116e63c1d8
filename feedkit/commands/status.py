"""`feedkit status`: periods sent, the last run, the list's subscribers."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import REGISTRY, STATE, VERBOSE, require_registry, run


def status_command(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Per period: sent, pending, failed, suppressed, bounced; the last run; subscribers."""
    from ..jobs.status import render_status, status_report

    require_registry(registry, state)
    typer.echo(run(lambda: render_status(status_report(registry, state), fmt), verbose),
               nl=False)
