"""What every feed format shares about a post: its texts, and its entry in each format.

A post reads the same in every feed it is in, so its texts (and each format's
entry text) are worked out once per build and kept; archive pages, where each
post appears once, ask for fresh ones instead of filling the caches. A build's
text store also holds each post's Atom <entry> as the build's reading rendered it
(`stored_entry`): a document joins those bytes as they are.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from ..model import Options, Post
from ..text.content import post_texts
from . import atom, rss
from .catalogue import FeedSpec

kept_texts = lru_cache(maxsize=4096)(post_texts)


def texts(post: Post, options: Options, *, keep: bool = True) -> tuple[str, str]:
    """The post's texts, from the per-build cache when `keep`, else worked out afresh."""
    return kept_texts(post, options) if keep else post_texts(post, options)


class EntryStore(Protocol):
    """The build's text store, as the feeds read it (jobs/textstore.py)."""

    def entry(self, source: str) -> bytes | None:
        """A post's <entry> (None: not kept)."""

    def entries(self, sources: list[str]) -> list[bytes | None]:
        """The entries of many posts, read together."""


_stored: list[EntryStore] = []


def use_entries(store: EntryStore | None) -> None:
    """Where the Atom entries of posts read without their bodies come from: the
    build's text store, with `entry(source)` and `entries(sources)` (None: rendered
    here)."""
    _stored[:] = [store] if store is not None else []


def entries_stored() -> bool:
    """Whether the build's text store holds the posts' entries (documents of them are
    then joined, not rendered)."""
    return bool(_stored)


def entry_bytes(post: Post, post_texts: tuple[str, str]) -> bytes | None:
    """The post's <entry> as UTF-8, as the text store keeps it; None when it can't
    be encoded (the document's own encoding then reports it)."""
    try:
        return atom.entry(post, post_texts).encode("utf-8")
    except UnicodeEncodeError:
        return None


def fresh_entry(post: Post, options: Options, *, keep: bool = False) -> bytes:
    """The post's Atom <entry> as UTF-8: the stored one, else rendered."""
    if _stored and post.source and (found := _stored[0].entry(post.source)) is not None:
        return found
    return atom.entry(post, texts(post, options, keep=keep)).encode("utf-8")


def fresh_entries(posts: tuple[Post, ...], options: Options) -> list[bytes]:
    """`fresh_entry` of each post, the stored ones read together."""
    stored = _stored[0].entries([post.source for post in posts]) if _stored and all(
        post.source for post in posts) else [None] * len(posts)
    return [found if found is not None else fresh_entry(post, options)
            for post, found in zip(posts, stored, strict=True)]


@lru_cache(maxsize=16384)
def kept_entry(post: Post, options: Options) -> bytes:
    """The post's Atom <entry>, written once for every feed it is in."""
    return fresh_entry(post, options, keep=True)


@lru_cache(maxsize=16384)
def kept_item(post: Post, options: Options) -> str:
    """The post's RSS <item>, written once for every feed it is in."""
    return rss.item(post, texts(post, options))


def render_atom(spec: FeedSpec) -> bytes:
    """The Atom document of `spec`; an archive page's entries are not kept."""
    options = spec.site.options
    if spec.keep_entries:
        return atom.document(spec, (kept_entry(post, options) for post in spec.posts))
    return atom.document(spec, fresh_entries(spec.posts, options))


def render_rss(spec: FeedSpec) -> bytes:
    """The RSS 2.0 document of `spec`."""
    options = spec.site.options
    return rss.document(spec, (kept_item(post, options) for post in spec.posts))
