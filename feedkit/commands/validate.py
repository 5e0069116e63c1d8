"""`feedkit validate`: feeds and the registry checked offline."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID, EXIT_USAGE
from .common import NOW, OUT, REGISTRY, VERBOSE, require_registry, run

FEED_PATHS = typer.Argument(None, metavar="FEED", help="Feeds to check (Atom, RSS or "
                            "JSON Feed). None: the registry and every feed in out/.",
                            dir_okay=False)


def validate_command(
    paths: list[Path] = FEED_PATHS,
    fmt: str = typer.Option("text", "--format", "-f", metavar="text|json|github",
                            help="How to print: text, json or github (workflow "
                            "annotations)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    previous: str | None = typer.Option(None, "--previous", metavar="FILE_OR_URL",
                                        help="The feed as last published (a file or an "
                                        "http(s) URL): report changed ids and vanished "
                                        "entries."),
    registry: Path = REGISTRY, out: Path = OUT, now: str | None = NOW,
    verbose: bool = VERBOSE,
) -> None:
    """Check feeds and the registry offline; exit 1 on errors (or warnings with --strict)."""
    from ..clock import resolve_now
    from ..validate import validate_feeds, validate_project
    from ..validate.report import FORMATS, render, skipped_lines

    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    if not paths:
        require_registry(registry)
    moment = run(lambda: resolve_now(now), verbose)
    if paths:
        found = run(lambda: validate_feeds(list(paths), now=moment, previous=previous), verbose)
        reports = found.reports
        if verbose:
            typer.echo(skipped_lines(found.skipped), err=True, nl=False)
    else:
        reports = run(lambda: validate_project(registry, out, now=moment, previous=previous),
                      verbose)
    typer.echo(render(reports, fmt, strict=strict), nl=False)
    if any(r.unreadable for r in reports):
        raise typer.Exit(EXIT_USAGE)
    if any(r.verdict(strict) == "invalid" for r in reports):
        raise typer.Exit(EXIT_INVALID)
