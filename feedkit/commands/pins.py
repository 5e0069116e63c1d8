"""`feedkit pin-ids`: the `id:` line each post needs to keep its published id."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import NOW, REGISTRY, VERBOSE, echo_lines, plural, require_registry, run


def pin_ids_command(registry: Path = REGISTRY, now: str | None = NOW,
                    verbose: bool = VERBOSE) -> None:
    """Print the `id:` line to add to each post whose published id would change."""
    from ..clock import resolve_now
    from ..jobs.pins import pin_ids

    require_registry(registry)
    pins = run(lambda: pin_ids(registry, resolve_now(now)), verbose)
    echo_lines(f"{registry}:{post.line}: {pin}" for post, pin in pins)
    typer.echo(f"{plural(len(pins), 'post')} to pin", err=True)
