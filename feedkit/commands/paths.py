"""Path options, for every command at once: checked before the command runs, and an
operating-system error about one of them said as that option's error.

Before: a path that runs through a file (`init notes.txt/site`), or a folder given
where a file or URL is wanted (`--state`), is a usage error naming the option
(exit 2), whatever the command. During: an OSError that escapes a
command (a place nobody may write, a disk that is full) becomes one line naming the
option whose path it is about, exit 1, never a traceback (`--verbose` shows it).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Any

import click

from ..errors import EXIT_INVALID


def is_path(param: click.Parameter) -> bool:
    """An option or argument that names a file or a folder (FILE, DIR, FILE|URL)."""
    metavar = param.metavar or ""
    return isinstance(param.type, click.Path) or "FILE" in metavar or "DIR" in metavar


def _values(ctx: click.Context) -> list[tuple[click.Parameter, Path]]:
    found = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or not is_path(param):
            continue
        for item in value if isinstance(value, list | tuple) else (value,):
            text = str(item)
            if text and text != "-" and "://" not in text:  # a URL, or stdin: not a path
                found.append((param, Path(text)))
    return found


def check_paths(ctx: click.Context) -> None:
    """Refuse a path whose nearest existing ancestor is not a folder."""
    for param, path in _values(ctx):
        nearest = path
        try:
            while not nearest.exists() and nearest != nearest.parent:
                nearest = nearest.parent
            through = nearest != path and not nearest.is_dir()
        except OSError:
            continue  # unreadable on the way: the command says what it can't reach
        if through:
            raise click.BadParameter(f"'{path}' runs through '{nearest}', which is a file, "
                                     "not a folder", ctx=ctx, param=param)
        # A FILE that is a folder (click checks only the Paths it was told the kind of).
        metavar = param.metavar or ""
        if "FILE" in metavar and "DIR" not in metavar and nearest == path and path.is_dir():
            raise click.BadParameter(f"'{path}' is a folder, not a file", ctx=ctx,
                                     param=param)


def _owner(ctx: click.Context, filename: Any) -> click.Parameter | None:
    """The path option that `filename` (from an OSError) lies in, on or above."""
    if not filename:
        return None
    where = Path(str(filename)).absolute()
    best: tuple[int, click.Parameter] | None = None
    for param, path in _values(ctx):
        given = path.absolute()
        if where == given or given in where.parents or where in given.parents:
            depth = len(given.parts)
            if best is None or depth > best[0]:
                best = (depth, param)
    return best[1] if best else None


def named(message: str) -> str:
    """`message` (an error about a path) led by the option that path came from, when
    it names a path given on the command line, or a folder above one (not a file
    inside it), and doesn't name the option already: `--out: can't create the
    folder /sys/x: ...`."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return message
    best: tuple[int, click.Parameter] | None = None
    for param, path in _values(ctx):
        if any(opt in message for opt in param.opts):
            return message
        for place in (path, *path.parents[:-1]):
            # that path itself, or a folder above it: not a file inside it
            if str(place) not in (".", "/", "") and re.search(
                    re.escape(str(place)) + r"(?![/\w])", message):
                depth = len(path.parts)
                if best is None or depth > best[0]:
                    best = (depth, param)
                break
    return f"{_label(best[1])}: {message}" if best else message


def _label(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return param.metavar or (param.name or "").upper()
    return param.opts[0] if param.opts else param.name or ""


def os_error(ctx: click.Context, error: OSError) -> None:
    """Print an OSError that escaped a command as one line naming its option; exit 1."""
    if error.errno == errno.EPIPE:
        raise error
    param = _owner(ctx, error.filename) or _owner(ctx, error.filename2)
    reason = error.strerror or str(error)
    place = f"'{error.filename}': " if error.filename else ""
    name = f"{_label(param)}: " if param is not None else ""
    click.echo(f"Error: {name}{place}{reason}", err=True)
    raise click.exceptions.Exit(EXIT_INVALID)
