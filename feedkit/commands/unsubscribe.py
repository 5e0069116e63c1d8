"""`feedkit unsubscribe`: an address (or a token's owner) onto the suppression list."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import QUIET, REGISTRY, STATE, SUBSCRIBERS, VERBOSE, require_registry, run


def unsubscribe_command(
    address_or_token: str = typer.Argument(..., metavar="ADDRESS_OR_TOKEN",
                                           help="An email address, an unsubscribe token or "
                                           "the whole unsubscribe link from a message."),
    registry: Path = REGISTRY, subscribers: Path | None = SUBSCRIBERS,
    state: Path | None = STATE, verbose: bool = VERBOSE, quiet: bool = QUIET,
) -> None:
    """Add an address to the suppression list; `feedkit send` never mails it again."""
    from ..jobs.unsubscribe import run_unsubscribe

    require_registry(registry)
    address, added = run(lambda: run_unsubscribe(address_or_token, registry_path=registry,
                                                 subscribers_path=subscribers,
                                                 state_path=state), verbose)
    if not quiet:
        typer.echo(f"unsubscribed {address}" if added else
                   f"{address} was already unsubscribed")
