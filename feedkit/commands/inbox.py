"""`feedkit inbox`: bounces and `mailto:` unsubscribes from the list's mailbox."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import REGISTRY, STATE, VERBOSE, echo_lines, require_registry, run

MAILDIR = typer.Option(..., "--maildir", file_okay=False, help="The Maildir that receives "
                       "bounces (site.bounce_address) and replies to site.email; messages "
                       "read are moved from new/ to cur/.")


def inbox_command(maildir: Path = MAILDIR, registry: Path = REGISTRY,
                  state: str | None = STATE, verbose: bool = VERBOSE) -> None:
    """Suppress hard bounces and repeated soft ones; act on mailto: unsubscribes."""
    from ..jobs.inbox import read_inbox

    require_registry(registry)  # its site says which addresses are the list's
    summary = run(lambda: read_inbox(maildir, registry, state), verbose)
    echo_lines(summary.lines)
    typer.echo(summary.line())
