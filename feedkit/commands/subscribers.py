"""`feedkit subscribers import | list | remove`: the list kept in the state database."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import REGISTRY, STATE, VERBOSE, require_registry, run

subscribers_app = typer.Typer(help="The list kept in the state database: import, list, "
                              "remove, export, erase.", no_args_is_help=True,
                              rich_markup_mode=None)


FILE = typer.Argument(..., metavar="FILE", dir_okay=False, help="CSV (email,name,language) "
                      "or YAML list, as for `feedkit send`.")
ADDRESS = typer.Argument(..., metavar="ADDRESS", help="The address to remove.")


@subscribers_app.command("import")
def import_command(
    path: Path = FILE,
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Add a subscribers file as confirmed subscribers (consent source "import")."""
    from ..jobs.subscribers import import_subscribers

    require_registry(registry, state)
    added, kept = run(lambda: import_subscribers(path, registry=registry, state=state),
                      verbose, "nothing was imported")
    typer.echo(f"imported {added}, already in the list {kept}")


@subscribers_app.command("list")
def list_command(
    status: str | None = typer.Option(None, "--status", help="pending, confirmed, "
                                      "unsubscribed or bounced."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json or csv."),
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """List the subscribers with their status and consent timestamps."""
    from ..jobs.subscribers import list_subscribers

    require_registry(registry, state)
    typer.echo(run(lambda: list_subscribers(registry=registry, state=state, status=status,
                                            fmt=fmt), verbose), nl=False)


@subscribers_app.command("remove")
def remove_command(
    address: str = ADDRESS,
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Unsubscribe an address for good; its consent records are kept as proof."""
    from ..jobs.subscribers import remove_subscriber

    require_registry(registry, state)
    removed = run(lambda: remove_subscriber(address, registry=registry, state=state), verbose)
    typer.echo(f"removed {address.strip().lower()}" if removed else
               f"{address.strip().lower()} was already unsubscribed")


@subscribers_app.command("export")
def export_command(
    address: str = typer.Argument(..., metavar="ADDRESS", help="The address to export."),
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Everything kept about one address, as JSON (a subscriber's copy of their data)."""
    from ..jobs.subscribers import export_subscriber

    typer.echo(run(lambda: export_subscriber(address, registry=registry, state=state),
                   verbose), nl=False)


@subscribers_app.command("erase")
def erase_command(
    address: str = typer.Argument(..., metavar="ADDRESS", help="The address to erase."),
    registry: Path = REGISTRY, state: str | None = STATE, verbose: bool = VERBOSE,
) -> None:
    """Erase an address: only a hash stays, so that nothing is sent to it again."""
    from ..jobs.subscribers import erase_subscriber

    key = address.strip().lower()
    erased, listed = run(lambda: erase_subscriber(address, registry=registry, state=state),
                         verbose)
    typer.echo(f"erased {key}: only its hash is kept, on the suppression list" if erased
               else f"nothing was kept about {key}; its hash is on the suppression list")
    if listed is not None:
        typer.echo(f"{listed} still names it: remove that line (it is never mailed again "
                   "either way)")
