"""Help and usage errors that read well.

Help: metavars as written (FILE, DATE, day|week|month), no type tags such as <bool>
or <str> beside flags, and arguments shown as NAME or [NAME]. typer's rich help
labels every parameter with its Python type; feedkit's commands say what a value is
in their metavars instead, so these classes show only those.

Usage errors (a mistyped command, a bad option value): one plain line, `Error: ...`
naming the option, then where to find help; exit status 2. No box drawn around it,
and a suggestion ("Did you mean 'build'?") given once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _Option(TyperOption):
    def make_metavar(self, ctx: Any = None) -> str:
        return "" if self.is_flag else (self.metavar or (self.name or "").upper())


class _Argument(TyperArgument):
    def make_metavar(self, ctx: Any = None) -> str:
        name = self.metavar or (self.name or "").upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


class _Text(click.types.StringParamType):
    """Text, named as the argument's metavar: the help's type column shows that
    (typer writes the type's name beside an argument whose metavar is its name)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _plain(params: list[Any]) -> None:
    """Give typer's own parameter classes the plain display (in place)."""
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
            if param.metavar and isinstance(param.type, click.types.StringParamType):
                param.type = _Text(param.metavar.lower())


class Command(TyperCommand):
    """A feedkit command: its parameters shown by their metavars; its path options
    checked before it runs, and an OS error about one said as that option's
    (commands/paths.py)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _plain(params)
        return params

    def invoke(self, ctx: click.Context) -> Any:
        from .paths import check_paths, os_error

        check_paths(ctx)
        try:
            return super().invoke(ctx)
        except OSError as error:
            if ctx.params.get("verbose"):
                raise
            os_error(ctx, error)


class Group(TyperGroup):
    """The feedkit app: its own options (completion, version) shown the same way, and
    usage errors as one plain line."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _plain(params)
        return params

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            raise click.UsageError(_once(error.message), error.ctx) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except click.ClickException as error:
            usage_error(error)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _once(message: str) -> str:
    """The message with a repeated "Did you mean ...?" sentence said once."""
    return re.sub(r"( Did you mean [^?]*\?)(?:\1)+", r"\1", message)


def usage_error(error: click.ClickException) -> None:
    """`Error: ...` on one line, then where to find help (for a usage error)."""
    message = _once(error.format_message())
    if not message:
        return  # `feedkit` alone: the help was the answer
    click.echo(f"Error: {message}", err=True)
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        click.echo(f"Try '{ctx.command_path} -h' for help.", err=True)
