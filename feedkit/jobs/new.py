"""`feedkit new`: a post added at the top of posts.yaml, the rest of the file untouched.

The post is inserted as text before the first item of the `posts:` list, at its
indentation, so comments, blank lines and the layout of everything else stay as
they were. The new file is checked with the loader before it replaces the old
one (atomically); a problem leaves posts.yaml as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import FeedkitError


@dataclass(frozen=True)
class NewPost:
    """Where the post went: its first line's number and the lines written."""

    registry: Path
    line: int
    lines: tuple[str, ...]
    slug: str


_BODY = {"en": "Write the post here (Markdown).", "sv": "Skriv inlägget här (Markdown)."}


def _quote(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _insertion(text: str, path: Path) -> tuple[str, int, int]:
    """Where the post goes: (the text, a line index, a column). Before the first item
    of the top-level `posts:` block list; for a list with no posts yet (`posts:`,
    `posts: []`, `posts: ~`), on the line after the key, with the empty value taken
    out of the text."""
    import yaml

    if not text.endswith("\n"):
        text += "\n"  # the post may go after the last line
    events = yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    depth = 0
    key: Any = None  # the `posts` key's yaml Mark
    for event in events:
        value_of_posts = depth == 1 and key is not None
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if value_of_posts and isinstance(event, yaml.SequenceStartEvent):
                nxt = next(events)
                if isinstance(nxt, yaml.SequenceEndEvent) and event.flow_style:
                    return _emptied(text, key, event.start_mark, nxt.end_mark)
                mark: Any = event.start_mark
                if event.flow_style or isinstance(nxt, yaml.SequenceEndEvent) or mark is None:
                    break
                return text, mark.line, mark.column
            depth += 1
            key = None
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        elif depth == 1 and isinstance(event, yaml.ScalarEvent):
            if value_of_posts:
                if event.tag is None and event.value in ("", "~", "null", "Null", "NULL"):
                    return _emptied(text, key, event.start_mark, event.end_mark)
                break
            key = event.start_mark if event.value == "posts" else None
    raise FeedkitError(f"{path}: feedkit new needs a 'posts:' list written one item per "
                       "'- title: ...' block; add the first post by hand")


def _emptied(text: str, key: Any, start: Any, end: Any) -> tuple[str, int, int]:
    """The text without the empty value between `start` and `end` (`[]`, `~`), and
    the line after the `posts:` key, indented one step further."""
    assert key is not None and start is not None and end is not None
    head, tail = text[:start.index], text[end.index:]
    if not tail.lstrip(" ").startswith("#"):
        head, tail = head.rstrip(" "), tail.lstrip(" ")
    return head + tail, key.line + 1, key.column + 2


def add_post(registry: Path, title: str, now: datetime, *, when: str | None = None,
             author: str | None = None, tags: tuple[str, ...] = (),
             draft: bool = True) -> NewPost:
    """Insert a post at the top of `registry`'s posts, dated `when` (any form the
    registry takes; default: today in the site's timezone) by `author` (default: the
    newest post's). Raises RegistryError (nothing written) if the result won't load."""
    from ..load import load, loads

    current = load(registry, drafts=True)  # the file must be sound before we touch it
    if not title.strip():
        raise FeedkitError("the title is empty; give the post a title")
    if author is None:
        from .init import guess_author

        author = current.posts[0].author.name if current.posts else guess_author()
    try:
        text = registry.read_text("utf-8")
    except OSError as exc:
        raise FeedkitError(f"{registry}: can't read the registry: {exc.strerror}") from None
    text, index, column = _insertion(text, registry)
    pad = " " * column
    when = when or now.astimezone(current.site.tz).date().isoformat()
    block = [f"{pad}- title: {_quote(title)}", f"{pad}  date: {_quote(when)}",
             f"{pad}  author: {_quote(author)}"]
    if tags:
        block.append(f"{pad}  tags: [{', '.join(_quote(t) for t in tags)}]")
    if draft:
        block.append(f"{pad}  draft: true")
    block += [f"{pad}  body: |", f"{pad}    {_BODY.get(current.site.language[:2], _BODY['en'])}"]
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    new_text = "".join([*lines[:index], *(b + newline for b in block), newline,
                        *lines[index:]])
    added = loads(new_text.encode("utf-8"), str(registry), drafts=True)
    slug = next(p.slug for p in added.posts if p.line == index + 1)
    _replace(registry, new_text)
    return NewPost(registry, index + 1, tuple(block), slug)


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
