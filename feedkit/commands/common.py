"""What the commands share: their common options, `run` and `report`.

`run` is the one place where a FeedkitError becomes `Error: ...` (or its list of
located problems) and its exit status; `--verbose` shows the traceback instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer

from ..errors import EXIT_INVALID, FeedkitError, FileProblems
from .lines import MANY_FILES, file_lines, plural

__all__ = ["MANY_FILES", "file_lines", "plural"]

T = TypeVar("T")


def report(error: FeedkitError, outcome: str = "") -> None:
    """Print a user-facing error to stderr: each located problem, or `Error: ...`.

    `outcome` says what the failure left undone ("nothing was written") for
    commands that would have written or sent something.
    """
    if isinstance(error, FileProblems):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        tail = f"; {outcome}" if outcome else ""
        typer.echo(f"{plural(len(error.problems), 'problem')} found{tail}.", err=True)
    else:
        from .paths import named

        typer.echo(f"Error: {named(str(error))}", err=True)


def run(job: Callable[[], T], verbose: bool = False, outcome: str = "") -> T:
    """Call the library; a FeedkitError becomes its message and its exit status."""
    try:
        return job()
    except FeedkitError as error:
        if verbose:
            raise
        report(error, outcome)
        raise typer.Exit(error.exit_code) from None


def echo_lines(lines: Iterable[str]) -> None:
    for line in lines:
        typer.echo(line)


def parse_day(value: str | None, option: str) -> date | None:
    """A --since/--until value as a calendar date (the registry's date forms)."""
    from ..dates import parse_day as parse

    return None if value is None else run(lambda: parse(value, option))


def require_registry(registry: Path, state: str | None = None) -> None:
    """The same exit 1 and message from every command when the registry is missing.

    With `state` given (--state), a command that only needs the state doesn't need
    the registry: it is only where the state is looked for by default."""
    if state is None and not registry.is_file():
        report(FeedkitError(f"{registry}: no such file; start a site with `feedkit init`, "
                            "or give --registry the path of posts.yaml"))
        raise typer.Exit(EXIT_INVALID)


WROTE = "nothing was written"
REGISTRY = typer.Option(Path("posts.yaml"), "--registry", "-r", metavar="FILE",
                        help="The posts registry.", dir_okay=False)
OUT = typer.Option(Path("out"), "--out", "-o", metavar="DIR",
                   help="Folder the outputs are written to.", file_okay=False)
TEMPLATES = typer.Option(None, "--templates", metavar="DIR", help="Folder whose templates "
                         "override the shipped ones by name.", file_okay=False, exists=True)
NOW = typer.Option(None, "--now", metavar="WHEN", help="Treat this ISO 8601 moment as now "
                   "(default: SOURCE_DATE_EPOCH, else the clock).")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Say more: the traceback of an "
                       "error; for validate, the files passed over as not feeds.")
QUIET = typer.Option(False, "--quiet", "-q", help="Print nothing on success.")
STATE = typer.Option(None, "--state", metavar="FILE|URL", envvar="FEEDKIT_STATE_URL",
                     show_envvar=False, help="The state: a SQLite file, or a "
                     "postgresql://user@host/database URL several hosts share (default: "
                     "FEEDKIT_STATE_URL, else .feedkit/state.sqlite beside the registry).")
SMTP_CA = typer.Option(None, "--smtp-ca", metavar="FILE", dir_okay=False, exists=True,
                       help="PEM file of a private CA to trust for the SMTP server's "
                       "certificate (besides the system's and SSL_CERT_FILE).")
SUBSCRIBERS = typer.Option(None, "--subscribers", metavar="FILE", dir_okay=False,
                           help="CSV (email,name,language) or YAML list of subscribers "
                           "(default: subscribers.csv beside the registry).")
LOG_FORMAT = typer.Option("text", "--log-format", metavar="text|json",
                          envvar="FEEDKIT_LOG_FORMAT", show_envvar=False, help="Log lines as "
                          "text, or as one JSON object per line for log shippers (default "
                          "FEEDKIT_LOG_FORMAT, else text).")
LOG_LEVEL = typer.Option("info", "--log-level", metavar="LEVEL", envvar="FEEDKIT_LOG_LEVEL",
                         show_envvar=False, help="debug, info, warning or error (default "
                         "FEEDKIT_LOG_LEVEL, else info).")
