"""`feedkit init`: a new site's folder with a commented posts.yaml and a .gitignore.

Nothing is asked: the title comes from the folder's name, the author from git's
user.name (else the login name), the timezone from the system; each is a line of
posts.yaml to change later.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

from ..errors import FeedkitError, UsageError
from ..project import STATE_DIR

LANGUAGES = ("en", "sv")
GITIGNORE = f"# Written by feedkit build, and feedkit's private state (subscribers' \
addresses, tokens).\nout/\n{STATE_DIR}/\n"
FIRST_TITLE = {"en": "Hello, world", "sv": "Hej, världen"}


@dataclass(frozen=True)
class InitResult:
    """What was written, and the commands to run next."""

    folder: Path
    written: tuple[Path, ...]
    next_commands: tuple[str, ...]


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def guess_author() -> str:
    """git's user.name, else the login name, else "Author"."""
    import subprocess

    try:
        done = subprocess.run(["git", "config", "user.name"], capture_output=True,
                              text=True, timeout=5, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "Author"


def guess_timezone() -> str:
    """The system's IANA timezone (TZ, /etc/timezone, /etc/localtime), else UTC."""
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text("utf-8").strip())
    with contextlib.suppress(OSError):
        candidates.append(str(Path("/etc/localtime").resolve()).split("zoneinfo/", 1)[-1])
    for name in candidates:
        try:
            if name and "/" in name and ZoneInfo(name):
                return name
        except (ValueError, KeyError, OSError):
            continue
    return "UTC"


def init_site(folder: Path, now: datetime, *, language: str = "en",
              author: str | None = None, timezone: str | None = None) -> InitResult:
    """Write posts.yaml and .gitignore into `folder` (made if missing); refuse to
    overwrite an existing posts.yaml."""
    from ..load import loads
    from ..text.slugify import slugify
    from ..text.templating import template_bytes

    if language not in LANGUAGES:
        raise UsageError("--language", f"'{language}' is not one of: {', '.join(LANGUAGES)}")
    registry = folder / "posts.yaml"
    if registry.exists():
        raise FeedkitError(f"{registry}: already exists; feedkit init never overwrites it "
                           "(use `feedkit new` to add a post)")
    from zoneinfo import ZoneInfo

    zone = timezone or guess_timezone()
    name = folder.resolve().name or "site"
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or "My site"
    text = Template(template_bytes((), f"init/posts.{language}.yaml").decode("utf-8"))
    body = text.substitute(
        title=_quote(title), url=_quote(f"https://example.org/{slugify(name) or 'site'}/"),
        timezone=_quote(zone), post_title=_quote(FIRST_TITLE[language]),
        date=now.astimezone(ZoneInfo(zone)).date().isoformat(),
        author=_quote(author or guess_author()))
    loads(body.encode("utf-8"), str(registry))  # what init writes must load
    folder.mkdir(parents=True, exist_ok=True)
    written = [registry]
    registry.write_text(body, "utf-8")
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, "utf-8")
        written.append(ignore)
    go = [] if folder.resolve() == Path.cwd().resolve() else [f"cd {folder}"]
    new = "Mitt första inlägg" if language == "sv" else "My first post"
    steps = (*go, f'feedkit new "{new}"', "feedkit build", "feedkit digest --period month")
    return InitResult(folder, tuple(written), steps)
