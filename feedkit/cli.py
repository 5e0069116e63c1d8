"""The `feedkit` command: parses options, calls the library, maps errors to exit codes."""

from __future__ import annotations

import sys
from datetime import date, datetime
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
EXIT_USAGE = 2


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
        typer.echo(f"{out} is up to date ({len(result.paths)} files)")
        return
    for relpath in result.paths:
        state = "wrote" if relpath in result.changed else "unchanged"
        typer.echo(f"{state} {out / relpath}")

# --- feedkit digest (issue 3) -------------------------------------------------

EXIT_EMPTY = 3


def parse_day(value: str | None, option: str) -> date | None:
    """A --since/--until value as a calendar date, or a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date such as 2020-02-09",
                                 param_hint=option) from None


@app.command("digest")
def digest_command(
    since: str | None = typer.Option(None, "--since", help="First day (YYYY-MM-DD, site "
                                     "timezone), inclusive."),
    until: str | None = typer.Option(None, "--until", help="Last day (YYYY-MM-DD, site "
                                     "timezone), inclusive; default today."),
    period: str | None = typer.Option(None, "--period", help="day, week (ISO, Monday to "
                                      "Sunday) or month containing --until; the default "
                                      "is week unless --since is given."),
    registry: Path = REGISTRY,
    out: Path = OUT,
    templates: Path | None = TEMPLATES,
    to: str | None = typer.Option(None, "--to", help="The recipient written into "
                                  "digest.eml (default: a placeholder address)."),
) -> None:
    """Write the email digest of a window of posts: digest.html, .txt and .eml.

    Exits with status 3, writing nothing, when no post falls in the window.
    """
    from .build import now_for_build, template_dirs
    from .digest import (
        PERIODS,
        TO_PLACEHOLDER,
        Window,
        posts_in_window,
        render_digest,
        window_for_period,
    )
    from .errors import FeedkitError
    from .outputs import staged
    from .registry import load
    from .writers.digest import add_digest_files

    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if period is not None and period not in PERIODS:
        raise typer.BadParameter(f"'{period}' is not one of: {', '.join(PERIODS)}",
                                 param_hint="--period")
    if period is not None and first is not None:
        raise typer.BadParameter("give --since or --period, not both", param_hint="--since")
    if to is not None and not _looks_like_address(to):
        raise typer.BadParameter(f"'{to}' is not an email address", param_hint="--to")
    try:
        loaded = load(registry)
        now = now_for_build()
        today = now.astimezone(loaded.site.tz).date()
        last = last or today
        if first is not None:
            if first > last:
                raise typer.BadParameter(f"--since {first} is after --until {last}",
                                         param_hint="--since")
            window = Window(first, last)
        else:
            window = window_for_period(period or "week", last)
        published = set(loaded.visible(now))
        posts = tuple(p for p in posts_in_window(loaded, window) if p in published)
        if not posts:
            typer.echo(f"no posts between {window.start} and {window.end}", err=True)
            raise typer.Exit(EXIT_EMPTY)
        rendered = render_digest(loaded, window, posts=posts,
                                 template_dirs=template_dirs(registry, templates))
        with staged(out) as outputs:
            add_digest_files(outputs, loaded.site, rendered, to=to or TO_PLACEHOLDER)
    except FeedkitError as error:
        raise fail(error) from None
    for relpath in sorted(outputs.paths):
        state = "wrote" if relpath in outputs.changed else "unchanged"
        typer.echo(f"{state} {out / relpath}")
    typer.echo(f"{len(posts)} posts, {window.start} to {window.end}")


def _looks_like_address(value: str) -> bool:
    from email.utils import parseaddr

    if any(ch in value for ch in "\r\n"):
        return False
    _, address = parseaddr(value)
    return "@" in address and " " not in address


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
    registry: Path = REGISTRY,
    out: Path = OUT,
    now: str | None = NOW,
) -> None:
    """Check feeds and the registry offline; exit 1 on errors (or warnings with --strict)."""
    from .build import now_for_build
    from .validate import validate_paths, validate_project
    from .validate.report import FORMATS, render

    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    moment = now_for_build(parse_now(now))
    if paths:
        reports = validate_paths(list(paths), now=moment, previous=previous)
    else:
        reports = validate_project(registry, out, now=moment, previous=previous)
    typer.echo(render(reports, fmt, strict=strict), nl=False)
    if any(r.unreadable for r in reports):
        raise typer.Exit(EXIT_USAGE)
    if any(r.verdict(strict) == "invalid" for r in reports):
        raise typer.Exit(EXIT_INVALID)


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
    typer.echo(f"built {out}: {len(result.changed)} of {len(result.paths)} "
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


EXIT_PENDING = 75  # EX_TEMPFAIL: some deliveries are left for the next run
SUBSCRIBERS = typer.Option(None, "--subscribers", dir_okay=False, help="CSV (email,name,"
                           "language) or YAML list of subscribers (default: subscribers.csv "
                           "beside the registry).")
STATE = typer.Option(None, "--state", dir_okay=False, help="State database (default: "
                     ".feedkit/state.sqlite beside the registry).")


@app.command("send")
def send_command(
    period: str = typer.Option(..., "--period", help="day, week or month."),
    subscribers: Path | None = SUBSCRIBERS,
    smtp: str | None = typer.Option(
        None, "--smtp", help="smtp://host:587 (STARTTLS when offered; ?starttls=required) or "
        "smtps://host:465; default FEEDKIT_SMTP_URL, else a Maildir at OUT/outbox.",
        show_default=False),
    state: Path | None = STATE,
    now: str | None = typer.Option(None, "--now", help="Treat this ISO 8601 moment as now "
                                   "(default: the clock)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List who would get which digest; "
                                 "send nothing, write nothing."),
    registry: Path = REGISTRY,
    out: Path = OUT,
    templates: Path | None = TEMPLATES,
    retries: int = typer.Option(4, "--retries", min=0, help="Retries per message after a "
                                "temporary failure."),
    retry_delay: float = typer.Option(2.0, "--retry-delay", min=0.0, help="First retry "
                                      "delay in seconds; doubles each time, at most 60."),
) -> None:
    """Send each subscriber each complete period's digest exactly once.

    Exit status: 0 when nothing is left pending, 75 when some deliveries wait for the
    next run, 1 on an error.
    """
    from datetime import UTC

    from .build import template_dirs
    from .errors import FeedkitError
    from .progress import reporter_for
    from .send import RetryPolicy, run_send

    moment = parse_now(now) or datetime.now(UTC)
    reporter = reporter_for()
    try:
        summary = run_send(
            registry, kind=period, now=moment, reporter=reporter,
            subscribers_path=subscribers, smtp_url=smtp, state_path=state, out_dir=out,
            dry_run=dry_run, template_dirs=template_dirs(registry, templates),
            retry=RetryPolicy(retries=retries, delay=retry_delay),
        )
    except FeedkitError as error:
        raise fail(error) from None
    prefix = "dry run, nothing sent: would send" if dry_run else ""
    typer.echo(f"{prefix} {summary.line()}".strip() if not dry_run else
               f"{prefix} {summary.pending}, suppressed {summary.suppressed}")
    if summary.periods_left:
        typer.echo(f"not started: {', '.join(summary.periods_left)}")
    if summary.stopped:
        typer.echo(f"Error: {summary.stopped}", err=True)
    if dry_run:
        return
    if summary.fatal:
        raise typer.Exit(EXIT_INVALID)
    if summary.pending or summary.periods_left:
        raise typer.Exit(EXIT_PENDING)


@app.command("unsubscribe")
def unsubscribe_command(
    address_or_token: str = typer.Argument(..., metavar="ADDRESS_OR_TOKEN",
                                           help="An email address or an unsubscribe token."),
    registry: Path = REGISTRY,
    subscribers: Path | None = SUBSCRIBERS,
    state: Path | None = STATE,
) -> None:
    """Add an address to the suppression list; `feedkit send` never mails it again."""
    from .errors import FeedkitError
    from .send import run_unsubscribe

    try:
        address, added = run_unsubscribe(address_or_token, registry_path=registry,
                                         subscribers_path=subscribers, state_path=state)
    except FeedkitError as error:
        raise fail(error) from None
    typer.echo(f"unsubscribed {address}" if added else f"{address} was already unsubscribed")


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
