"""Help that reads well: metavars as written (FILE, DATE, day|week|month), no type
tags such as <bool> or <str> beside flags, and arguments shown as NAME or [NAME].

typer's rich help labels every parameter with its Python type; feedkit's commands
say what a value is in their metavars instead, so these classes show only those.
"""

from __future__ import annotations

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
    """A feedkit command: its parameters shown by their metavars."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _plain(params)
        return params


class Group(TyperGroup):
    """The feedkit app: its own options (completion, version) shown the same way."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _plain(params)
        return params
