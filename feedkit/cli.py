"""The `feedkit` command: parse options, call one library job, print the result.

Every command runs its job through `run` (commands/common.py), the one place
where a FeedkitError becomes `Error: ...` and its exit status. Commands beyond
the first ones live in commands/ and are registered at the end.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TypeVar

import typer

from . import __version__
from .commands.common import (
    NOW,
    OUT,
    REGISTRY,
    STATE,
    SUBSCRIBERS,
    TEMPLATES,
    VERBOSE,
    echo_lines,
    run,
)
from .commands.inbox import inbox_command
from .commands.send import send_command
from .commands.serve import serve_command
from .commands.status import status_command
from .commands.subscribers import subscribers_app
from .errors import EXIT_INVALID, EXIT_USAGE

T = TypeVar("T")

app = typer.Typer(
    name="feedkit",
    help="Turn a posts registry (posts.yaml) into feeds and email digests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feedkit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Show the version and exit.",
                                 callback=_version, is_eager=True),
) -> None:
    """Turn a posts registry (posts.yaml) into feeds and email digests."""


def parse_day(value: str | None, option: str) -> date | None:
    """A --since/--until value as a calendar date (the registry's date forms)."""
    from .dates import parse_day as parse

    return None if value is None else run(lambda: parse(value, option))




@app.command("build")
def build_command(
    registry: Path = REGISTRY, out: Path = OUT, templates: Path | None = TEMPLATES,
    now: str | None = NOW, verbose: bool = VERBOSE,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 and list the "
                               "files in out/ that differ from a fresh build."),
) -> None:
    """Build out/ from the registry: the Atom feed and the other outputs."""
    from .clock import resolve_now
    from .jobs.build import build

    result = run(lambda: build(registry, out, templates=templates, now=resolve_now(now),
                               check=check), verbose)
    if not check:
        echo_lines(result.lines(out))
        return
    stale = result.stale(out)
    echo_lines(f"would change {p}" for p in stale)
    echo_lines(f"would remove {out / p}" for p in result.removed)
    if stale or result.removed:
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"{out} is up to date ({len(result.paths)} files)")


@app.command("digest")
def digest_command(
    since: str | None = typer.Option(None, "--since", help="First day (site timezone), "
                                     "inclusive; 2020-02-03 or 3 februari 2020."),
    until: str | None = typer.Option(None, "--until", help="Last day (site timezone), "
                                     "inclusive; default today."),
    period: str | None = typer.Option(None, "--period", help="day, week (ISO, Monday to "
                                      "Sunday) or month containing --until; the default "
                                      "is week unless --since is given."),
    registry: Path = REGISTRY, out: Path = OUT, templates: Path | None = TEMPLATES,
    now: str | None = NOW, verbose: bool = VERBOSE,
    to: str | None = typer.Option(None, "--to", help="The recipient written into "
                                  "digest.eml (default: a placeholder address)."),
) -> None:
    """Write the email digest of a window of posts: digest.html, .txt and .eml.

    Exits with status 3, writing nothing, when no post falls in the window.
    """
    from .clock import resolve_now
    from .jobs.digest import DigestRequest, make_digest

    request = DigestRequest(registry, out, parse_day(since, "--since"),
                            parse_day(until, "--until"), period, templates, to,
                            run(lambda: resolve_now(now)))
    result = run(lambda: make_digest(request), verbose)
    echo_lines(f"{'wrote' if p in result.changed else 'unchanged'} {out / p}"
               for p in result.paths)
    typer.echo(f"{result.posts} posts, {result.window.start} to {result.window.end}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)


FEED_PATHS = typer.Argument(None, help="Feeds to check (Atom, RSS or JSON Feed). None: the "
                            "registry and every feed in out/.", dir_okay=False)


@app.command("validate")
def validate_command(
    paths: list[Path] = FEED_PATHS,
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or github "
                            "(workflow annotations)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    previous: str | None = typer.Option(None, "--previous", help="The feed as last "
                                        "published (a file or an http(s) URL): report "
                                        "changed ids and vanished entries."),
    registry: Path = REGISTRY, out: Path = OUT, now: str | None = NOW,
    verbose: bool = VERBOSE,
) -> None:
    """Check feeds and the registry offline; exit 1 on errors (or warnings with --strict)."""
    from .clock import resolve_now
    from .validate import validate_feeds, validate_project
    from .validate.report import FORMATS, render, skipped_lines

    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
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


@app.command("pin-ids")
def pin_ids_command(registry: Path = REGISTRY, now: str | None = NOW,
                    verbose: bool = VERBOSE) -> None:
    """Print the `id:` line to add to each post whose published id would change."""
    from .clock import resolve_now
    from .jobs.pins import pin_ids

    pins = run(lambda: pin_ids(registry, resolve_now(now)), verbose)
    echo_lines(f"{registry}:{post.line}: {pin}" for post, pin in pins)
    typer.echo(f"{len(pins)} post{'s' if len(pins) != 1 else ''} to pin", err=True)


@app.command("publish")
def publish_command(
    registry: Path = REGISTRY, out: Path = OUT, templates: Path | None = TEMPLATES,
    now: str | None = NOW, state: Path | None = STATE, verbose: bool = VERBOSE,
    ping: bool = typer.Option(False, "--ping", help="After building, tell the WebSub hub "
                              "(site.websub_hub) about every feed that changed since the "
                              "last successful ping."),
    deadline: float = typer.Option(60.0, "--ping-deadline", min=1.0, metavar="SECONDS",
                                   help="Time allowed for all the pings of this run."),
) -> None:
    """Build out/ and, with --ping, notify the WebSub hub of the feeds that changed."""
    from .clock import resolve_now
    from .jobs.publish import publish

    result, pings = run(lambda: publish(registry, out, state_path=state, templates=templates,
                                        now=resolve_now(now), ping_hub=ping,
                                        deadline=deadline), verbose)
    typer.echo(f"built {out}: {len(result.changed)} of {len(result.paths)} files changed")
    if pings is None:
        return
    echo_lines(f"pinged {url}" for url in pings.pinged)
    typer.echo(f"{len(pings.pinged)} pinged, {len(pings.unchanged)} unchanged, "
               f"{len(pings.failed)} failed")
    for problem in pings.failed:
        typer.echo(f"Error: {problem}", err=True)
    if pings.failed:
        raise typer.Exit(EXIT_INVALID)


@app.command("unsubscribe")
def unsubscribe_command(
    address_or_token: str = typer.Argument(..., metavar="ADDRESS_OR_TOKEN",
                                           help="An email address, an unsubscribe token or "
                                           "the whole unsubscribe link from a message."),
    registry: Path = REGISTRY, subscribers: Path | None = SUBSCRIBERS,
    state: Path | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Add an address to the suppression list; `feedkit send` never mails it again."""
    from .jobs.unsubscribe import run_unsubscribe

    address, added = run(lambda: run_unsubscribe(address_or_token, registry_path=registry,
                                                 subscribers_path=subscribers,
                                                 state_path=state), verbose)
    typer.echo(f"unsubscribed {address}" if added else f"{address} was already unsubscribed")


app.command("send")(send_command)
app.command("serve")(serve_command)
app.command("status")(status_command)
app.command("inbox")(inbox_command)
app.add_typer(subscribers_app, name="subscribers")


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
