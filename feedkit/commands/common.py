"""What every command shares: the one error handler (`run`) and the common options.

`run` is where a FeedkitError becomes `Error: ...` (or its list of located
problems) and its exit status; `--verbose` shows the traceback instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import typer

from ..errors import FeedkitError, FileProblems

T = TypeVar("T")


def report(error: FeedkitError) -> None:
    """Print a user-facing error to stderr: each located problem, or `Error: ...`."""
    if isinstance(error, FileProblems):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        count = len(error.problems)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
                   err=True)
    else:
        typer.echo(f"Error: {error}", err=True)


def run(job: Callable[[], T], verbose: bool = False) -> T:
    """Call the library; a FeedkitError becomes its message and its exit status."""
    try:
        return job()
    except FeedkitError as error:
        if verbose:
            raise
        report(error)
        raise typer.Exit(error.exit_code) from None


def echo_lines(lines: Iterable[str]) -> None:
    for line in lines:
        typer.echo(line)


REGISTRY = typer.Option(Path("posts.yaml"), "--registry", "-r", help="The posts registry.",
                        dir_okay=False)
OUT = typer.Option(Path("out"), "--out", "-o", help="Folder the outputs are written to.",
                   file_okay=False)
TEMPLATES = typer.Option(None, "--templates", help="Folder whose templates override the "
                         "shipped ones by name.", file_okay=False, exists=True)
NOW = typer.Option(None, "--now", help="Treat this ISO 8601 moment as now (default: "
                   "SOURCE_DATE_EPOCH, else the clock).")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Say more: the traceback of an "
                       "error; for validate, the files passed over as not feeds.")
STATE = typer.Option(None, "--state", envvar="FEEDKIT_STATE_URL", show_envvar=False,
                     help="The state: a SQLite file, or a postgresql://user@host/database "
                     "URL shared by several hosts (default: FEEDKIT_STATE_URL, else "
                     ".feedkit/state.sqlite beside the registry).")
SMTP_CA = typer.Option(None, "--smtp-ca", dir_okay=False, exists=True, help="PEM file of a "
                       "private CA to trust for the SMTP server's certificate (besides the "
                       "system's and SSL_CERT_FILE).")
SUBSCRIBERS = typer.Option(None, "--subscribers", dir_okay=False, help="CSV (email,name,"
                           "language) or YAML list of subscribers (default: subscribers.csv "
                           "beside the registry).")
