"""The `feedkit` command: the app, its global options and its commands.

Each command lives in feedkit/commands/ (parse options, call one library job in
feedkit/jobs/, print); this module only assembles them. `report` and `run` are
re-exported for callers that map a FeedkitError to output themselves.
"""

from __future__ import annotations

import sys

import typer

from . import __version__
from .commands.build import build_command
from .commands.common import report, run
from .commands.digest import digest_command
from .commands.doctor import doctor_command
from .commands.helptext import Command, Group
from .commands.inbox import inbox_command
from .commands.init import init_command
from .commands.new import new_command
from .commands.pins import pin_ids_command
from .commands.publish import publish_command
from .commands.schedule import schedule_command
from .commands.send import send_command
from .commands.serve import serve_command
from .commands.state import state_app
from .commands.status import status_command
from .commands.subscribers import subscribers_app
from .commands.unsubscribe import unsubscribe_command
from .commands.validate import validate_command

__all__ = ["app", "main", "report", "run"]

app = typer.Typer(
    name="feedkit",
    help="Turn a posts registry (posts.yaml) into feeds and email digests.",
    epilog="Start a site with `feedkit init`; `feedkit COMMAND -h` explains each command.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=Group,
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


for name, command in (
    ("init", init_command), ("new", new_command), ("build", build_command),
    ("digest", digest_command), ("validate", validate_command), ("pin-ids", pin_ids_command),
    ("publish", publish_command), ("send", send_command),
    ("unsubscribe", unsubscribe_command), ("serve", serve_command),
    ("status", status_command), ("inbox", inbox_command), ("doctor", doctor_command),
    ("schedule", schedule_command),
):
    app.command(name, cls=Command)(command)
for info in subscribers_app.registered_commands:
    info.cls = Command  # the same plain help for `feedkit subscribers ...`
app.add_typer(subscribers_app, name="subscribers", cls=Group)
for info in state_app.registered_commands:
    info.cls = Command
app.add_typer(state_app, name="state", cls=Group)


def main() -> None:
    """Run the CLI (the console script enters through commands/fastpath.py)."""
    sys.exit(app())
