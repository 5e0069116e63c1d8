"""`feedkit digest`: the email digest of a window of posts, written for a look."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import (
    NOW,
    QUIET,
    REGISTRY,
    TEMPLATES,
    VERBOSE,
    WROTE,
    echo_lines,
    file_lines,
    parse_day,
    plural,
    require_registry,
    run,
)

DIGEST_OUT = typer.Option(None, "--out", "-o", metavar="DIR", file_okay=False,
                          help="Where to write (default: .feedkit/digest/ beside the "
                          "registry; never out/, which build owns).")


def digest_command(
    since: str | None = typer.Option(None, "--since", metavar="DATE", help="First day (site "
                                     "timezone), inclusive; 2020-02-03 or 3 februari 2020."),
    until: str | None = typer.Option(None, "--until", metavar="DATE", help="Last day (site "
                                     "timezone), inclusive; default today."),
    period: str | None = typer.Option(None, "--period", metavar="day|week|month",
                                      help="The day, ISO week (Monday to Sunday) or month "
                                      "holding --until; week unless --since is given."),
    registry: Path = REGISTRY,
    out: Path | None = DIGEST_OUT,
    templates: Path | None = TEMPLATES, now: str | None = NOW, verbose: bool = VERBOSE,
    quiet: bool = QUIET,
    to: str | None = typer.Option(None, "--to", metavar="ADDRESS", help="The recipient "
                                  "written into digest.eml (default: a placeholder)."),
) -> None:
    """Write the email digest of a window of posts: digest.html, .txt and .eml.

    Exits with status 3, writing nothing, when no post falls in the window.
    """
    from ..clock import resolve_now
    from ..jobs.digest import DigestRequest, make_digest

    require_registry(registry)
    request = DigestRequest(registry, out, parse_day(since, "--since"),
                            parse_day(until, "--until"), period, templates, to,
                            run(lambda: resolve_now(now)))
    result = run(lambda: make_digest(request), verbose, WROTE)
    if not quiet:
        echo_lines(file_lines(result.out, result.paths, result.changed))
        typer.echo(f"{plural(result.posts, 'post')}, {result.window.start} to "
                   f"{result.window.end}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
