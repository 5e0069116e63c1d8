"""The Jinja2 environment: override folders first, then the shipped templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import feedkit

from ..errors import TemplateError
from .i18n import translations


def shipped_dir() -> Path:
    """The default templates: inside the installed package, else the checkout's templates/."""
    packaged = Path(feedkit.__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(feedkit.__file__).resolve().parent.parent / "templates"


def templates_fingerprint(template_dirs: tuple[Path, ...]) -> str:
    """SHA-256 of the template folders' files (names, sizes, times), the shipped ones
    last."""
    import hashlib

    from ..fingerprint import hash_files

    digest = hashlib.sha256()
    for folder in (*template_dirs, shipped_dir()):
        digest.update(f"\0{folder.resolve()}\0".encode())
        hash_files(digest, folder, ("*",))
    return digest.hexdigest()


def _autoescape(name: str | None) -> bool:
    """Escape everything except plain-text templates (*.txt.j2)."""
    return not (name or "").endswith(".txt.j2")


_compiled_in: list[tuple[Path, str]] = []  # the folder, and feedkit's code fingerprint


def keep_compiled(folder: Path | None) -> None:
    """Keep the templates' compiled code in `folder` (a build's .feedkit/cache/), so
    that the next process renders them without compiling (Jinja2's bytecode cache,
    checked against each template's source); None: compile in memory only."""
    from ..fingerprint import code_fingerprint

    chosen = [(folder, code_fingerprint()[:16])] if folder is not None else []
    if chosen != _compiled_in:
        _compiled_in[:] = chosen
        environment.cache_clear()


def _bytecode_cache() -> Any:
    """Jinja2's bytecode cache in the folder `keep_compiled` named, or None. A folder
    that can't be written or read only costs the compiling."""
    if not _compiled_in:
        return None
    import contextlib

    from jinja2 import FileSystemBytecodeCache

    class Quiet(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError, ValueError, EOFError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                Path(self.directory).mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)

    # Jinja2 checks its own version and each template's source, not the options
    # feedkit compiles with: the files are feedkit's code's own.
    folder, code = _compiled_in[0]
    return Quiet(str(folder), f"{code}-%s.cache")


@lru_cache(maxsize=16)
def environment(template_dirs: tuple[Path, ...], language: str) -> Any:
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
        bytecode_cache=_bytecode_cache(),
    )
    # Added by the i18n extension, which the stubs of Environment don't know.
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(language), newstyle=True)
    return env


def template_bytes(template_dirs: tuple[Path, ...], name: str) -> bytes:
    """A template file's bytes as they are (for files Jinja2 should not touch)."""
    for folder in (*template_dirs, shipped_dir()):
        candidate = folder / name
        if candidate.is_file():
            return candidate.read_bytes()
    raise TemplateError(f"{name}: template not found in "
                        f"{', '.join(str(d) for d in (*template_dirs, shipped_dir()))}")


def render_template(template_dirs: Sequence[Path], language: str, name: str,
                    context: Mapping[str, Any]) -> str:
    """Render one template; Jinja2's errors become a TemplateError naming FILE:LINE."""
    import jinja2

    env = environment(tuple(template_dirs), language)
    template = None
    try:
        template = env.get_template(name)
        return str(template.render(context))
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise TemplateError(f"{where}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{name}: template not found") from None
    except jinja2.TemplateError as exc:
        filename = (template.filename if template is not None else None) or name
        line = _template_line(exc, filename)
        raise TemplateError(f"{filename}:{line}: {exc}") from None


def _template_line(exc: BaseException, filename: str) -> int:
    """The template line a render error happened on, from Jinja2's traceback."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == filename and frame.lineno:
            return frame.lineno
    return 1
