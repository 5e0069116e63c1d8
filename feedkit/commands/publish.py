"""`feedkit publish`: build out/ and tell the WebSub hub what changed."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID
from .common import (
    NOW,
    OUT,
    QUIET,
    REGISTRY,
    STATE,
    TEMPLATES,
    VERBOSE,
    WROTE,
    echo_lines,
    plural,
    require_registry,
    run,
)


def publish_command(
    registry: Path = REGISTRY, out: Path = OUT, templates: Path | None = TEMPLATES,
    now: str | None = NOW, state: Path | None = STATE, verbose: bool = VERBOSE,
    quiet: bool = QUIET,
    ping: bool = typer.Option(False, "--ping", help="After building, tell the WebSub hub "
                              "(site.websub_hub) about every feed that changed since the "
                              "last successful ping."),
    deadline: float = typer.Option(60.0, "--ping-deadline", min=1.0, metavar="SECONDS",
                                   help="Time allowed for all the pings of this run."),
) -> None:
    """Build out/ and, with --ping, notify the WebSub hub of the feeds that changed."""
    from ..clock import resolve_now
    from ..jobs.publish import publish

    require_registry(registry)
    moment = run(lambda: resolve_now(now), verbose)
    result, pings = run(lambda: publish(registry, out, state_path=state, templates=templates,
                                        now=moment, ping_hub=ping, deadline=deadline),
                 verbose, WROTE)
    if not quiet:
        typer.echo(f"built {out}: {len(result.changed)} of "
                   f"{plural(len(result.paths), 'file')} changed")
    if pings is None:
        return
    if not quiet:
        echo_lines(f"pinged {url}" for url in pings.pinged)
        typer.echo(f"{len(pings.pinged)} pinged, {len(pings.unchanged)} unchanged, "
                   f"{len(pings.failed)} failed")
    for problem in pings.failed:
        typer.echo(f"Error: {problem}", err=True)
    if pings.failed:
        raise typer.Exit(EXIT_INVALID)
