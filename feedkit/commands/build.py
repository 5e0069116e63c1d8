"""`feedkit build`: out/ from the registry, or with --check a list of stale files."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID
from .common import (
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
    cache: bool = typer.Option(True, "--cache/--no-cache", help="Skip the build when "
                               "nothing it depends on changed (.feedkit/cache/)."),
) -> None:
    """Build out/ from the registry: the feeds, the digest preview and the pages."""
    from ..clock import resolve_now
    from ..jobs.rebuild import build_cached

    require_registry(registry)
    moment = run(lambda: resolve_now(now), verbose)
    if not check:
        done = run(lambda: build_cached(registry, out, templates=templates, now=moment,
                                        drafts=drafts, use_cache=cache), verbose, WROTE)
        if not quiet:
            echo_lines(file_lines(out, done.paths, done.changed, done.removed))
            echo_lines(done.notes)
        return
    from ..jobs.build import build

    result = run(lambda: build(registry, out, templates=templates, now=moment, check=True,
                               drafts=drafts), verbose, WROTE)
    stale = result.stale(out)
    echo_lines(f"would change {p}" for p in stale)
    echo_lines(f"would remove {out / p}" for p in result.removed)
    if stale or result.removed:
        raise typer.Exit(EXIT_INVALID)
    if not quiet:
        typer.echo(f"{out} is up to date ({len(result.paths)} files)")
