"""The Jinja2 environment: override folders first, then the shipped templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import feedkit

from .i18n import translations


def shipped_dir() -> Path:
    """The default templates: inside the installed package, else the checkout's templates/."""
    packaged = Path(feedkit.__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(feedkit.__file__).resolve().parent.parent / "templates"


def _autoescape(name: str | None) -> bool:
    """Escape everything except plain-text templates (*.txt.j2)."""
    return not (name or "").endswith(".txt.j2")


@lru_cache(maxsize=16)
def environment(template_dirs: tuple[Path, ...], language: str):
    """An Environment for one language whose loader tries `template_dirs` in order."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

    loaders = [FileSystemLoader(str(d)) for d in (*template_dirs, shipped_dir())]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=_autoescape,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)
    return env
