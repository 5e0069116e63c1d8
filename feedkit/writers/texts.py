"""A post's summary and content HTML, worked out once per post for every feed."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..content import body_html, excerpt
from ..model import Options, Post

Texts = tuple[str, str]
_cache: dict[tuple[Post, Options], Texts] = {}

# Below this many posts a process pool costs more than it saves.
PARALLEL_FROM = 1000


def _compute(post: Post, options: Options) -> Texts:
    return excerpt(post, options), body_html(post) if post.body else ""


def entry_texts(post: Post, options: Options) -> Texts:
    """(summary, content HTML) as every writer shows them; content is "" without a body."""
    key = (post, options)
    texts = _cache.get(key)
    if texts is None:
        texts = _cache[key] = _compute(post, options)
    return texts


def _cache_clear() -> None:
    _cache.clear()


entry_texts.cache_clear = _cache_clear  # type: ignore[attr-defined]

_job: tuple[Sequence[Post], Options] | None = None


def _work(bounds: tuple[int, int]) -> list[Texts]:
    assert _job is not None
    posts, options = _job
    return [_compute(post, options) for post in posts[bounds[0] : bounds[1]]]


def prerender(posts: Sequence[Post], options: Options) -> None:
    """Work out the texts of many posts at once, on every core (Markdown and HTML
    sanitizing are the bulk of a large build). Results are the same as one by one."""
    global _job
    todo = [p for p in posts if (p, options) not in _cache]
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_FROM or workers < 2:
        for post in todo:
            entry_texts(post, options)
        return
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        for post in todo:
            entry_texts(post, options)
        return
    step = -(-len(todo) // (workers * 4))
    chunks = [(start, min(start + step, len(todo))) for start in range(0, len(todo), step)]
    _job = (todo, options)
    try:
        with context.Pool(workers) as pool:
            for (start, _), results in zip(chunks, pool.map(_work, chunks), strict=True):
                for post, texts in zip(todo[start : start + len(results)], results, strict=True):
                    _cache[(post, options)] = texts
    finally:
        _job = None
