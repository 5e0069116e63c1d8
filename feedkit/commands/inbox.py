"""`feedkit inbox`: bounces and `mailto:` unsubscribes from the list's mailbox."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import LOG_FORMAT, LOG_LEVEL, QUIET, REGISTRY, STATE, VERBOSE, echo_lines, run

MAILDIR = typer.Option(..., "--maildir", file_okay=False, help="The Maildir that receives "
                       "bounces (site.bounce_address) and replies to site.email; messages "
                       "read are moved from new/ to cur/.")


def inbox_command(maildir: Path = MAILDIR, registry: Path = REGISTRY,
                  state: str | None = STATE, verbose: bool = VERBOSE, quiet: bool = QUIET,
                  log_format: str = LOG_FORMAT, log_level: str = LOG_LEVEL) -> None:
    """Suppress hard bounces and repeated soft ones; act on mailto: unsubscribes."""
    import sys

    from ..jobs.inbox import read_inbox
    from ..logs import configure

    logger = run(lambda: configure(log_format, log_level, sys.stdout)).getChild("inbox")
    summary = run(lambda: read_inbox(maildir, registry, state), verbose)
    if log_format == "json":
        for line in summary.lines:
            logger.info(line, extra={"fields": {"event": "message"}})
        counts = {k: getattr(summary, k) for k in
                  ("hard", "soft", "unsubscribed", "suppressed", "ignored")}
        logger.info(summary.line(), extra={"fields": {"event": "summary", **counts}})
    elif not quiet:
        echo_lines(summary.lines)
        typer.echo(summary.line())
