"""What every feed format shares about a post: its texts, and handing kept entry
elements to feedgen.

A post reads the same in every feed it is in, so its texts (and each format's
entry element) are worked out once per build and kept; archive pages, where
each post appears once, ask for fresh ones instead of filling the caches.
"""

from __future__ import annotations

from copy import deepcopy
from functools import lru_cache
from typing import Any

from ..model import Options, Post
from ..text.content import body_html, excerpt
from .catalogue import FeedFile, FeedSpec


def post_texts(post: Post, options: Options) -> tuple[str, str]:
    """(summary, content HTML) as every writer shows them; content is "" without a body."""
    return excerpt(post, options), body_html(post) if post.body else ""


kept_texts = lru_cache(maxsize=4096)(post_texts)


def texts(post: Post, options: Options, *, keep: bool = True) -> tuple[str, str]:
    """The post's texts, from the per-build cache when `keep`, else worked out afresh."""
    return kept_texts(post, options) if keep else post_texts(post, options)


def generator(spec: FeedSpec, fmt: str) -> tuple[Any, FeedFile]:
    """A new feedgen FeedGenerator for `spec`, and the spec's file in `fmt`."""
    from feedgen.feed import FeedGenerator

    return FeedGenerator(), spec.file(fmt)


@lru_cache(maxsize=1)
def cached_entry_class() -> Any:
    """A feedgen entry that hands feedgen an element built beforehand.

    With `copy` it hands out a copy, so one kept element can go into many feeds.
    """
    from feedgen.entry import FeedEntry

    class CachedEntry(FeedEntry):  # type: ignore[misc]
        def __init__(self, atom: Any = None, rss: Any = None, copy: bool = True) -> None:
            super().__init__()
            self.elements = {"atom": atom, "rss": rss}
            self.copy = copy

        def atom_entry(self, extensions: bool = True) -> Any:
            element = self.elements["atom"]
            return deepcopy(element) if self.copy else element

        def rss_entry(self, extensions: bool = True) -> Any:
            element = self.elements["rss"]
            return deepcopy(element) if self.copy else element

    return CachedEntry
