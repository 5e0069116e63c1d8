"""`feedkit validate`: feeds and the registry checked offline."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID, EXIT_USAGE
from .common import NOW, OUT, REGISTRY, VERBOSE, require_registry, run

FEED_PATHS = typer.Argument(None, metavar="FEED", help="Feeds to check (Atom, RSS or "
                            "JSON Feed): files, folders (every feed in them) or http(s) "
                            "URLs (fetched). None: the registry and every feed in out/.")


def validate_command(
    paths: list[str] = FEED_PATHS,
    fmt: str = typer.Option("text", "--format", "-f",
                            metavar="text|json|github|sarif|junit",
                            help="How to print: text, json, github (workflow annotations), "
                            "sarif (SARIF 2.1.0, for code scanning) or junit (JUnit XML "
                            "test report)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    previous: str | None = typer.Option(None, "--previous", metavar="FILE_OR_URL",
                                        help="The feed as last published (a file or an "
                                        "http(s) URL): report changed ids and vanished "
                                        "entries."),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", min=0.1,
                                  help="How long to wait for a URL's answer."),
    registry: Path = REGISTRY, out: Path = OUT, now: str | None = NOW,
    verbose: bool = VERBOSE,
) -> None:
    """Check feeds and the registry offline; exit 1 on errors (or warnings with --strict)."""
    from ..clock import resolve_now
    from ..validate import validate_feeds, validate_project
    from ..validate.report import FORMATS, passed, render, skipped_lines

    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    if not paths:
        require_registry(registry)
    moment = run(lambda: resolve_now(now), verbose)
    skipped = []
    if paths:
        found = run(lambda: validate_feeds(list(paths), now=moment, previous=previous,
                                           timeout=timeout), verbose)
        reports, skipped = found.reports, found.skipped
        if verbose or not reports:
            typer.echo(skipped_lines(skipped), err=True, nl=False)
    else:
        reports = run(lambda: validate_project(registry, out, now=moment, previous=previous),
                      verbose)
    typer.echo(render(reports, fmt, strict=strict, skipped=skipped), nl=False)
    if not reports:
        typer.echo("Error: nothing validated: none of the inputs is a feed (see above); "
                   "give the feed files, or a folder holding them", err=True)
        raise typer.Exit(EXIT_USAGE)
    if any(r.unreadable for r in reports):
        raise typer.Exit(EXIT_USAGE)
    if not passed(reports, strict):
        raise typer.Exit(EXIT_INVALID)
