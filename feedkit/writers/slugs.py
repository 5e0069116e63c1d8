"""Folder names for tag and author feeds: safe on every file system and in URLs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..text.slugify import slugify

# Names Windows refuses as a file or folder, whatever the extension or case.
RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def short_hash(name: str) -> str:
    """Eight hex digits that stand for `name` on every build."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def base_slug(name: str, fallback: str) -> str:
    """The name's slug; `fallback-<hash>` when nothing is left of it (emoji, empty)."""
    slug = slugify(name)
    if not slug:
        return f"{fallback}-{short_hash(name)}"
    if slug in RESERVED:
        return f"{slug}-{short_hash(name)}"
    return slug


def assign_slugs(names: Iterable[str], fallback: str) -> dict[str, str]:
    """A distinct slug for each name, given in order of first use (oldest first).

    The first name to use a slug keeps it; later names that slug alike get the
    hash of their own text appended, so a path never moves when newer posts
    bring a look-alike name.
    """
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in result:
            continue
        slug = base_slug(name, fallback)
        if slug in taken:
            slug = f"{slug}-{short_hash(name)}"
            while slug in taken:  # a hash clash between two look-alikes: extend it
                slug = f"{slug}-{short_hash(slug)}"
        taken.add(slug)
        result[name] = slug
    return result
