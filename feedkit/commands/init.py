"""`feedkit init`: start a site: a commented posts.yaml and a .gitignore."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import QUIET, VERBOSE, echo_lines, run

FOLDER = typer.Argument(Path("."), metavar="DIR", file_okay=False,
                        help="The site's folder (default: the current one).")


def init_command(
    folder: Path = FOLDER,
    language: str = typer.Option("en", "--language", "-l", metavar="en|sv",
                                 help="The language of the comments, the first post and "
                                 "the digest."),
    author: str | None = typer.Option(None, "--author", metavar="NAME", help="The first "
                                      "post's author (default: git's user.name)."),
    timezone: str | None = typer.Option(None, "--timezone", metavar="ZONE", help="IANA "
                                        "timezone (default: the system's)."),
    verbose: bool = VERBOSE, quiet: bool = QUIET,
) -> None:
    """Start a site in DIR: posts.yaml with one post, and a .gitignore for out/."""
    from ..clock import resolve_now
    from ..jobs.init import init_site

    result = run(lambda: init_site(folder, resolve_now(), language=language, author=author,
                                   timezone=timezone), verbose)
    if quiet:
        return
    echo_lines(f"wrote {path}" for path in result.written)
    typer.echo("Next:")
    echo_lines(f"  {command}" for command in result.next_commands)
