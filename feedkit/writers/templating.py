"""Finding templates: the --templates folder, templates/ beside the registry, then ours."""

from __future__ import annotations

from pathlib import Path

from . import BuildContext


def shipped_templates() -> Path:
    """The templates that ship with feedkit (feedkit/templates once installed)."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "templates"
    return inside if inside.is_dir() else package.parent / "templates"


def search_path(context: BuildContext) -> list[Path]:
    """Template folders, most specific first."""
    return [*context.template_dirs, shipped_templates()]


def environment(context: BuildContext):
    """A Jinja2 environment over the search path with autoescaping on."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader([str(p) for p in search_path(context)]),
        autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
    )


def template_bytes(context: BuildContext, name: str) -> bytes:
    """A template file's bytes as they are (for files Jinja2 should not touch)."""
    for folder in search_path(context):
        candidate = folder / name
        if candidate.is_file():
            return candidate.read_bytes()
    raise FileNotFoundError(name)
