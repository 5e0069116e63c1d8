"""`feedkit send`: each complete period's digest to each subscriber exactly once."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import EXIT_INVALID, EXIT_PENDING
from .common import NOW, REGISTRY, SMTP_CA, STATE, SUBSCRIBERS, TEMPLATES, VERBOSE, run

SMTP = typer.Option(None, "--smtp", help="smtp://host:587 (STARTTLS when offered; "
                    "?starttls=required) or smtps://host:465; default FEEDKIT_SMTP_URL, else a "
                    "Maildir at .feedkit/outbox beside the registry.", show_default=False)
DRY_RUN = typer.Option(False, "--dry-run", help="List who would get which digest; send "
                       "nothing, write nothing.")
RETRIES = typer.Option(4, "--retries", min=0, help="Retries per message after a temporary "
                       "failure.")
RETRY_DELAY = typer.Option(2.0, "--retry-delay", min=0.0, help="First retry delay in seconds; "
                           "doubles each time, at most 60.")
CONNECTIONS = typer.Option(None, "--connections", min=1, max=500, show_default=False,
                           help="SMTP connections used at once (default "
                           "FEEDKIT_SMTP_CONNECTIONS, else 32).")
RATE = typer.Option(0.0, "--rate", min=0.0, metavar="PER_SECOND", help="At most this many "
                    "messages a second (0: no limit).")
PER_HOUR = typer.Option(0, "--per-hour", min=0, help="At most this many messages in any "
                        "hour, counting earlier runs (0: no limit).")
TO = typer.Option(None, "--to", metavar="ADDRESS", help="Test: send the message the next run "
                  "would send, personalised and signed for ADDRESS, to it alone; record "
                  "nothing.")


def send_command(
    period: str = typer.Option(..., "--period", help="day, week or month."),
    subscribers: Path | None = SUBSCRIBERS, smtp: str | None = SMTP,
    state: Path | None = STATE, now: str | None = NOW, dry_run: bool = DRY_RUN,
    registry: Path = REGISTRY, templates: Path | None = TEMPLATES, verbose: bool = VERBOSE,
    retries: int = RETRIES, retry_delay: float = RETRY_DELAY, smtp_ca: Path | None = SMTP_CA,
    connections: int | None = CONNECTIONS, rate: float = RATE, per_hour: int = PER_HOUR,
    to: str | None = TO,
) -> None:
    """Send each subscriber each complete period's digest exactly once.

    Exit status: 0 when nothing is left pending, 75 when some deliveries wait for the
    next run, 1 on an error.
    """
    from ..clock import resolve_now
    from ..jobs.send import SendRequest, run_send
    from ..progress import reporter_for
    from ..retry import Backoff

    request = SendRequest(registry, period, run(lambda: resolve_now(now), verbose),
                          subscribers, smtp, state, templates, dry_run,
                          Backoff(retries=retries, delay=retry_delay), smtp_ca, connections,
                          rate, per_hour, to)
    summary = run(lambda: run_send(request, reporter_for()), verbose)
    typer.echo(f"dry run, nothing sent: would send {summary.pending}, suppressed "
               f"{summary.suppressed}" if dry_run else summary.line())
    if summary.periods_left:
        typer.echo(f"not started: {', '.join(summary.periods_left)}")
    if summary.stopped:
        typer.echo(f"Error: {summary.stopped}", err=True)
    if not dry_run and (summary.fatal or summary.pending or summary.periods_left):
        raise typer.Exit(EXIT_INVALID if summary.fatal else EXIT_PENDING)
