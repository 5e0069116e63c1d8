"""Load posts.yaml into the model, reporting every problem with its line and column."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import yaml

from ..errors import FeedkitError, Problem, RegistryError
from ..inputs import REGISTRY_LIMIT, check_input_file
from ..model import Post, Registry, Site
from .posts import read_posts
from .reader import Node, Reader
from .site import read_site, timezone_guess
from .yamlstream import ItemStream, top_level


def load(path: str | Path, *, drafts: bool = False) -> Registry:
    """Read and check a registry file; raise RegistryError listing every problem.

    Drafts (`draft: true`) are checked like every post but left out unless `drafts`.

    The file is streamed to the YAML parser rather than read whole, so a large
    registry costs little more memory than the posts it holds.
    """
    shown = str(path)
    check_input_file(path, "registry", REGISTRY_LIMIT)
    try:
        with open(path, "rb") as handle:
            if not _is_utf8(handle):
                registry = loads(Path(path).read_bytes(), shown, drafts=True)  # bad bytes
            else:
                handle.seek(0)
                registry = _load(handle, shown, lambda: Path(path).read_bytes())
    except OSError as exc:
        raise FeedkitError(f"{shown}: can't read the registry: {exc.strerror}") from None
    return registry if drafts else without_drafts(registry)


def without_drafts(registry: Registry) -> Registry:
    """The registry without its drafts. They are dropped after the posts are ordered,
    so publishing a draft later moves no other post's timestamp."""
    if not any(p.draft for p in registry.posts):
        return registry
    return Registry(registry.path, registry.site,
                    tuple(p for p in registry.posts if not p.draft))


def loads(data: bytes, path: str = "posts.yaml", *, drafts: bool = False) -> Registry:
    """Check and load registry bytes; `path` is only used in messages."""
    reader = Reader(path, [])
    _check_utf8(data, reader)
    if reader.problems:
        raise RegistryError(reader.problems)
    registry = _load(data, path, lambda: data)
    return registry if drafts else without_drafts(registry)


def _is_utf8(handle: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _load(source: bytes | BinaryIO, path: str, data: Callable[[], bytes]) -> Registry:
    reader = Reader(path, [])
    try:
        site, posts = _top_level(reader, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "malformed YAML"
        raise RegistryError(
            [Problem(path, line, col, f"malformed YAML: {what}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        raise RegistryError([_reader_problem(data(), path, exc)]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([Problem(path, 1, 1, f"malformed YAML: {exc}")]) from None
    if reader.problems or site is None:
        raise RegistryError(reader.problems)
    return Registry(path=path, site=site, posts=posts)


def _top_level(reader: Reader, data: bytes | BinaryIO) -> tuple[Site | None, tuple[Post, ...]]:
    """Walk the top level; posts are streamed when they follow the site section."""
    site: Site | None = None
    site_node: Node | None = None
    posts: tuple[Post, ...] = ()
    seen: dict[str, Node] = {}
    first: Node | None = None
    deferred: Node | ItemStream | None = None
    for key, value in top_level(data, "posts", after="site"):
        if key is None:
            reader.add(value, "the file must be a mapping with a 'site:' section and a "
                              "'posts:' list")
            return None, ()
        first = first or key
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in ("site", "posts"):
            reader.add(key, f"{name}: unknown field; the top level holds only 'site' and "
                            "'posts'")
            continue
        if name in seen:
            reader.add(key, f"{name}: given twice (first on line "
                            f"{seen[name].start_mark.line + 1}); keep one")
            continue
        seen[name] = key
        if name == "site" and not isinstance(value, ItemStream):
            site_node = value
            site = read_site(reader, value)
        elif "site" in seen:
            posts = read_posts(reader, value, site, timezone_guess(site_node))
        else:
            deferred = value  # posts before the site: check them once the site is known
    if deferred is not None:
        posts = read_posts(reader, deferred, site, timezone_guess(site_node))
    if first is None:
        reader.problems.append(Problem(
            reader.path, 1, 1,
            "the file is empty; it needs a 'site:' section and a 'posts:' list "
            "(see docs/registry.md)",
        ))
        return None, ()
    if "site" not in seen:
        reader.add(first, "site: missing; add a 'site:' section with title and url")
    if "posts" not in seen:
        reader.add(first, "posts: missing; add a 'posts:' list")
    return site, posts


def _reader_problem(data: bytes, path: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses (control characters), at its line and column."""
    before = data[: exc.position].decode("utf-8", "ignore")  # libyaml counts bytes
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Problem(path, line, column, f"contains the control character U+{ord(char):04X}, "
                                       "which YAML and XML can't carry; remove it")


def _check_utf8(data: bytes, reader: Reader) -> None:
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    for lineno, line in enumerate(text.splitlines(), start=1):
        for col, char in enumerate(line, start=1):
            if "\udc80" <= char <= "\udcff":
                reader.problems.append(
                    Problem(
                        reader.path, lineno, col,
                        f"not UTF-8: byte 0x{ord(char) - 0xDC00:02X} can't be read; "
                        "save the file as UTF-8",
                    )
                )
                break
        if len(reader.problems) >= 20:
            break

