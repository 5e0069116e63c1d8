"""`feedkit state migrate`: move the state from its SQLite file to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import VERBOSE, echo_lines, run

state_app = typer.Typer(help="The state itself: copy it from SQLite into PostgreSQL.",
                        no_args_is_help=True, rich_markup_mode=None)

SOURCE = typer.Option(..., "--from", metavar="FILE", dir_okay=False, help="The SQLite "
                      "state to copy (.feedkit/state.sqlite beside the registry).")
TARGET = typer.Option(..., "--to", metavar="URL", help="An empty PostgreSQL database: "
                      "postgresql://user@host/database.")


@state_app.command("migrate")
def migrate_command(source: Path = SOURCE, target: str = TARGET,
                    verbose: bool = VERBOSE) -> None:
    """Copy a SQLite state into an empty PostgreSQL database and check every count.

    Subscribers with their consent records, periods, deliveries, suppressions, pings.

    Stop `feedkit serve` and `feedkit send` on the file first.

    Then point --state or FEEDKIT_STATE_URL at the database."""
    from ..jobs.statecopy import migrate_state
    from ..state.location import redact

    copied = run(lambda: migrate_state(source, target), verbose)
    echo_lines(f"copied {rows:>9} {table}" for table, rows in copied)
    typer.echo(f"every count matches: {source} is copied into {redact(target)}")
