"""`feedkit build`: out/ from the registry, or with --check a list of stale files."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID
from . import (
    NOW,
    OUT,
    QUIET,
    REGISTRY,
    TEMPLATES,
    VERBOSE,
    WROTE,
    echo_lines,
    file_lines,
    require_registry,
    run,
)


def build_command(
    registry: Path = REGISTRY, out: Path = OUT, templates: Path | None = TEMPLATES,
    now: str | None = NOW, verbose: bool = VERBOSE, quiet: bool = QUIET,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 and list the "
                               "files in out/ that differ from a fresh build."),
    drafts: bool = typer.Option(False, "--drafts", help="Include posts marked draft: true "
                                "(a preview; don't publish it)."),
) -> None:
    """Build out/ from the registry: the feeds, the digest preview and the pages."""
    from ..clock import resolve_now
    from ..jobs.build import build

    require_registry(registry)
    moment = run(lambda: resolve_now(now), verbose)
    result = run(lambda: build(registry, out, templates=templates, now=moment, check=check,
                               drafts=drafts), verbose, WROTE)
    if not check:
        if not quiet:
            echo_lines(file_lines(out, result.paths, result.changed))
        return
    echo_lines(f"would change {out / p}" for p in result.changed)
    if result.changed:
        raise typer.Exit(EXIT_INVALID)
    if not quiet:
        typer.echo(f"{out} is up to date ({len(result.paths)} files)")
