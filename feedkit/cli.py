"""The `feedkit` command: parses options, calls the library, maps errors to exit codes."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer

from . import __version__

app = typer.Typer(
    name="feedkit",
    help="Turn a posts registry (posts.yaml) into feeds and email digests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_INVALID = 1


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feedkit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", callback=_version,
        is_eager=True,
    ),
) -> None:
    """Turn a posts registry (posts.yaml) into feeds and email digests."""


def fail(error: Exception) -> typer.Exit:
    """Print a user-facing error to stderr and return the exit to raise."""
    from .errors import RegistryError

    if isinstance(error, RegistryError):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        count = len(error.problems)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
                   err=True)
    else:
        typer.echo(f"Error: {error}", err=True)
    return typer.Exit(EXIT_INVALID)


def parse_now(value: str | None) -> datetime | None:
    """--now as an aware datetime (UTC when no offset is given)."""
    if value is None:
        return None
    from datetime import UTC

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not an ISO 8601 date-time such as 2020-02-09T12:00+01:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


REGISTRY = typer.Option(Path("posts.yaml"), "--registry", "-r", help="The posts registry.",
                        dir_okay=False)
OUT = typer.Option(Path("out"), "--out", "-o", help="Folder the outputs are written to.",
                   file_okay=False)
TEMPLATES = typer.Option(None, "--templates", help="Folder whose templates override the "
                         "shipped ones by name.", file_okay=False, exists=True)
NOW = typer.Option(None, "--now", help="Treat this ISO 8601 moment as now (default: "
                   "SOURCE_DATE_EPOCH, else the clock); posts after it are left out.")


@app.command("build")
def build_command(
    registry: Path = REGISTRY,
    out: Path = OUT,
    templates: Path | None = TEMPLATES,
    now: str | None = NOW,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 and list the "
                               "files in out/ that differ from a fresh build."),
) -> None:
    """Build out/ from the registry: the Atom feed and the other outputs."""
    from .build import build
    from .errors import FeedkitError

    moment = parse_now(now)
    try:
        result = build(registry, out, templates=templates, now=moment, check=check)
    except FeedkitError as error:
        raise fail(error) from None
    if check:
        for relpath in result.changed:
            typer.echo(f"would change {out / relpath}")
        if result.changed:
            raise typer.Exit(EXIT_INVALID)
        typer.echo(f"{out} is up to date ({len(result.outputs.files)} files)")
        return
    for relpath in sorted(result.outputs.files):
        state = "wrote" if relpath in result.changed else "unchanged"
        typer.echo(f"{state} {out / relpath}")


PING_STATE = typer.Option(None, "--state", help="SQLite state file (default: "
                          ".feedkit/state.sqlite beside the registry).", dir_okay=False)


@app.command("publish")
def publish_command(
    registry: Path = REGISTRY,
    out: Path = OUT,
    templates: Path | None = TEMPLATES,
    now: str | None = NOW,
    ping: bool = typer.Option(False, "--ping", help="After building, tell the WebSub hub "
                              "(site.websub_hub) about every feed that changed since the "
                              "last successful ping."),
    state: Path | None = PING_STATE,
) -> None:
    """Build out/ and, with --ping, notify the WebSub hub of the feeds that changed."""
    from .errors import FeedkitError
    from .websub import publish

    moment = parse_now(now)
    try:
        result, report = publish(registry, out, state_path=state, templates=templates,
                                 now=moment, ping_hub=ping)
    except FeedkitError as error:
        raise fail(error) from None
    typer.echo(f"built {out}: {len(result.changed)} of {len(result.outputs.files)} "
               "files changed")
    if report is None:
        return
    for url in report.pinged:
        typer.echo(f"pinged {url}")
    typer.echo(f"{len(report.pinged)} pinged, {len(report.unchanged)} unchanged, "
               f"{len(report.failed)} failed")
    for problem in report.failed:
        typer.echo(f"Error: {problem}", err=True)
    if report.failed:
        raise typer.Exit(EXIT_INVALID)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
