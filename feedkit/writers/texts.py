"""A post's summary and content HTML, worked out once per post for every feed."""

from __future__ import annotations

from functools import lru_cache

from ..content import body_html, excerpt
from ..model import Options, Post


@lru_cache(maxsize=4096)
def entry_texts(post: Post, options: Options) -> tuple[str, str]:
    """(summary, content HTML) as every writer shows them; content is "" without a body."""
    return excerpt(post, options), body_html(post) if post.body else ""
