"""`feedkit inbox`: bounces, complaints and `mailto:` unsubscribes from the list's
mailbox: a Maildir, an mbox file, standard input (`-`, a mail server's pipe) or IMAP.

Read from standard input, the exit status is one a mail server understands
(sysexits.h): 0 read (acted on or left alone), 75 EX_TEMPFAIL when the state, the
registry or the secret can't be had (Postfix and Exim keep the message and try
again later), 64 EX_USAGE for a wrong command line, 65 EX_DATAERR for empty input.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import (
    LOG_FORMAT,
    LOG_LEVEL,
    QUIET,
    REGISTRY,
    STATE,
    VERBOSE,
    echo_lines,
    report,
    require_registry,
    run,
)

if TYPE_CHECKING:
    from ..jobs.mailboxes import Mailbox

EX_USAGE, EX_DATAERR, EX_TEMPFAIL = 64, 65, 75

SOURCE = typer.Argument(None, metavar="-", show_default=False, help="`-` reads one "
                        "message from standard input (for a Postfix or Exim pipe).")
MAILDIR = typer.Option(None, "--maildir", metavar="DIR", file_okay=False,
                       help="The Maildir that receives bounces (site.bounce_address) and "
                       "replies to site.email; messages read are moved from new/ to cur/.")
MBOX = typer.Option(None, "--mbox", metavar="FILE", dir_okay=False, help="An mbox file to "
                    "read (it is never changed; a message read again counts once).")
IMAP = typer.Option(None, "--imap", metavar="URL", help="imaps://USER@HOST[:PORT]/MAILBOX "
                    "(imap:// for STARTTLS; the password in FEEDKIT_IMAP_PASSWORD): reads the "
                    "messages not read before and flags them.")
IMAP_CA = typer.Option(None, "--imap-ca", metavar="FILE", dir_okay=False, exists=True,
                       help="PEM file of a private CA to trust for the IMAP server's "
                       "certificate (besides the system's and SSL_CERT_FILE).")


def inbox_command(source: str | None = SOURCE, maildir: Path | None = MAILDIR,
                  mbox: Path | None = MBOX, imap: str | None = IMAP,
                  imap_ca: Path | None = IMAP_CA, registry: Path = REGISTRY,
                  state: str | None = STATE, verbose: bool = VERBOSE, quiet: bool = QUIET,
                  log_format: str = LOG_FORMAT, log_level: str = LOG_LEVEL) -> None:
    """Suppress hard bounces and repeated soft ones, unsubscribe complaints, count
    sender-side refusals; act on mailto: unsubscribes. Reads `-` (one message on
    standard input, from a Postfix or Exim pipe), --maildir DIR, --mbox FILE or
    --imap URL (over TLS)."""
    from ..errors import EXIT_USAGE, UsageError
    from ..jobs.inbox import read_mailbox
    from ..logs import configure

    logger = run(lambda: configure(log_format, log_level, sys.stdout)).getChild("inbox")
    show = _Show(logger if log_format == "json" else None, quiet)

    chosen = [n for n, v in (("-", source), ("--maildir", maildir), ("--mbox", mbox),
                             ("--imap", imap)) if v is not None]
    if len(chosen) != 1 or (source is not None and source != "-"):
        report(UsageError("--maildir", "give one of -, --maildir DIR, --mbox FILE or "
                          "--imap URL" + (f" (not {' and '.join(chosen)})" if chosen else "")))
        raise typer.Exit(EX_USAGE if source == "-" else EXIT_USAGE)
    if source == "-":
        _from_stdin(registry, state, verbose, show)
        return
    require_registry(registry)  # its site says which addresses are the list's
    summary = run(lambda: read_mailbox(_box(maildir, mbox, imap, imap_ca), registry, state),
                  verbose)
    show(summary)


def _box(maildir: Path | None, mbox: Path | None, imap: str | None,
         imap_ca: Path | None) -> Mailbox:
    from ..jobs.mailboxes import MaildirBox, MboxBox

    if maildir is not None:
        return MaildirBox(maildir)
    if mbox is not None:
        return MboxBox(mbox)
    from ..jobs.imapbox import ImapBox

    assert imap is not None
    return ImapBox.from_url(imap, imap_ca)


def _from_stdin(registry: Path, state: str | None, verbose: bool,
                show: Callable[[object], None]) -> None:
    from ..errors import FeedkitError, UsageError
    from ..jobs.inbox import read_mailbox
    from ..jobs.mailboxes import StdinBox

    try:
        summary = read_mailbox(StdinBox(sys.stdin.buffer), registry, state)
    except FeedkitError as error:
        if verbose:
            raise
        report(error)
        code = EX_TEMPFAIL
        if isinstance(error, UsageError):
            code = EX_DATAERR if error.option == "-" else EX_USAGE
        raise typer.Exit(code) from None
    except OSError as error:  # a disk or a network failing under the state
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EX_TEMPFAIL) from None
    show(summary)


class _Show:
    """Prints what a run did: its lines and summary as text (none with --quiet), or as
    JSON log records (--log-format json); warnings always."""

    def __init__(self, logger: logging.Logger | None, quiet: bool) -> None:
        self.logger, self.quiet = logger, quiet

    def __call__(self, summary: object) -> None:
        from ..jobs.inbox import InboxSummary

        assert isinstance(summary, InboxSummary)
        if self.logger is not None:
            for line in summary.lines:
                self.logger.info(line, extra={"fields": {"event": "message"}})
            counts = {k: v for k, v in vars(summary).items() if isinstance(v, int)}
            self.logger.info(summary.line(), extra={"fields": {"event": "summary",
                                                                **counts}})
        elif not self.quiet:
            echo_lines(summary.lines)
            typer.echo(summary.line())
        for warning in summary.warnings():
            typer.echo(warning, err=True)
