"""`feedkit send`: each complete period's digest to each subscriber, exactly once."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID, EXIT_PENDING
from .common import (
    LOG_FORMAT,
    LOG_LEVEL,
    NOW,
    QUIET,
    REGISTRY,
    SMTP_CA,
    STATE,
    SUBSCRIBERS,
    TEMPLATES,
    VERBOSE,
    require_registry,
    run,
)

CONNECTIONS = typer.Option(None, "--connections", min=1, max=500, metavar="N",
                           show_default=False, help="SMTP connections used at once (default "
                           "FEEDKIT_SMTP_CONNECTIONS, else 32, and more up to 128 while the "
                           "server keeps up).")
RATE = typer.Option(0.0, "--rate", min=0.0, metavar="PER_SECOND", help="At most this many "
                    "messages a second (0: no limit).")
PER_HOUR = typer.Option(0, "--per-hour", min=0, metavar="N", help="At most this many "
                        "messages in any hour, counting earlier runs (0: no limit).")
TO = typer.Option(None, "--to", metavar="ADDRESS", help="Test: send the message the next run "
                  "would send, personalised and signed for ADDRESS, to it alone; record "
                  "nothing.")
IF_NEW = typer.Option(False, "--if-new", help="Stop at once (exit 0, saying so) when no "
                      "complete period has a post left to send: for runs from an hourly "
                      "timer.")
LEASE = typer.Option(600.0, "--lease", min=1.0, metavar="SECONDS", help="With a PostgreSQL "
                     "state: how long a claim on deliveries lasts before another sender may "
                     "take them over.")


def send_command(
    period: str = typer.Option(..., "--period", metavar="day|week|month",
                               help="Send the digest of each complete day, week or month."),
    subscribers: Path | None = SUBSCRIBERS,
    smtp: str | None = typer.Option(
        None, "--smtp", metavar="URL", help="smtp://host:587 (STARTTLS when offered; "
        "?starttls=required) or smtps://host:465; default FEEDKIT_SMTP_URL, else a Maildir "
        "at .feedkit/outbox beside the registry.", show_default=False),
    state: str | None = STATE, now: str | None = NOW,
    dry_run: bool = typer.Option(False, "--dry-run", help="List who would get which digest; "
                                 "send nothing, write nothing."),
    registry: Path = REGISTRY, templates: Path | None = TEMPLATES, verbose: bool = VERBOSE,
    quiet: bool = QUIET,
    retries: int = typer.Option(4, "--retries", min=0, metavar="N", help="Retries per "
                                "message after a temporary failure."),
    retry_delay: float = typer.Option(2.0, "--retry-delay", min=0.0, metavar="SECONDS",
                                      help="First retry delay; doubles each time, at most "
                                      "60."),
    smtp_ca: Path | None = SMTP_CA,
    connections: int | None = CONNECTIONS, rate: float = RATE, per_hour: int = PER_HOUR,
    to: str | None = TO, lease: float = LEASE, if_new: bool = IF_NEW,
    log_format: str = LOG_FORMAT, log_level: str = LOG_LEVEL,
) -> None:
    """Send each subscriber each complete period's digest exactly once.

    Several `feedkit send` runs may share a PostgreSQL state and split its deliveries.

    Exit status: 0 when nothing is left pending, 75 when some deliveries wait for the
    next run, 1 on an error.
    """
    import sys

    from ..clock import resolve_now
    from ..jobs.send import SendRequest, run_send
    from ..logs import LogReporter, configure
    from ..progress import reporter_for
    from ..retry import Backoff

    require_registry(registry)
    logger = run(lambda: configure(log_format, "warning" if quiet else log_level, sys.stdout))
    logs = log_format == "json" or quiet  # else the progress lines (or bar) as before
    moment = run(lambda: resolve_now(now), verbose)
    if if_new and not dry_run and to is None:
        from ..jobs.ifnew import nothing_new

        reason = run(lambda: nothing_new(registry, period, moment, state), verbose)
        if reason is not None:
            if logs:
                logger.info(reason, extra={"fields": {"event": "nothing_new"}})
            else:
                typer.echo(reason)
            return
    request = SendRequest(registry, period, moment,
                          subscribers, smtp, state, templates, dry_run,
                          Backoff(retries=retries, delay=retry_delay), smtp_ca, connections,
                          rate, per_hour, to, lease)
    reporter = LogReporter(logger.getChild("send")) if logs else reporter_for()
    summary = run(lambda: run_send(request, reporter), verbose, "nothing was sent")
    if log_format == "json":
        counts = {k: getattr(summary, k) for k in ("sent", "pending", "failed", "suppressed")}
        logger.log(30 if summary.pending or summary.failed else 20, summary.line(),
                   extra={"fields": {"event": "summary", **counts}})
    elif not quiet or summary.pending or summary.failed:
        typer.echo(f"dry run, nothing sent: would send {summary.pending}, suppressed "
                   f"{summary.suppressed}" if dry_run else summary.line())
    if summary.periods_left:
        typer.echo(f"not started: {', '.join(summary.periods_left)}")
    if summary.stopped:
        typer.echo(f"Error: {summary.stopped}", err=True)
    if not dry_run and (summary.fatal or summary.pending or summary.periods_left):
        raise typer.Exit(EXIT_INVALID if summary.fatal else EXIT_PENDING)
