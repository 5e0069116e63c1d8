"""What every feed format shares about a post: its texts, and its entry in each format.

A post reads the same in every feed it is in, so its texts (and each format's
entry text) are worked out once per build and kept; archive pages, where each
post appears once, ask for fresh ones instead of filling the caches.
"""

from __future__ import annotations

from functools import lru_cache

from ..model import Options, Post
from ..text.content import post_texts
from . import atom, rss
from .catalogue import FeedSpec

kept_texts = lru_cache(maxsize=4096)(post_texts)


def texts(post: Post, options: Options, *, keep: bool = True) -> tuple[str, str]:
    """The post's texts, from the per-build cache when `keep`, else worked out afresh."""
    return kept_texts(post, options) if keep else post_texts(post, options)


@lru_cache(maxsize=16384)
def kept_entry(post: Post, options: Options) -> str:
    """The post's Atom <entry>, written once for every feed it is in."""
    return atom.entry(post, texts(post, options))


@lru_cache(maxsize=16384)
def kept_item(post: Post, options: Options) -> str:
    """The post's RSS <item>, written once for every feed it is in."""
    return rss.item(post, texts(post, options))


def render_atom(spec: FeedSpec) -> bytes:
    """The Atom document of `spec`; an archive page's entries are not kept."""
    options = spec.site.options
    if spec.keep_entries:
        return atom.document(spec, (kept_entry(post, options) for post in spec.posts))
    return atom.document(spec, (atom.entry(post, texts(post, options, keep=False))
                                for post in spec.posts))


def render_rss(spec: FeedSpec) -> bytes:
    """The RSS 2.0 document of `spec`."""
    options = spec.site.options
    return rss.document(spec, (kept_item(post, options) for post in spec.posts))
