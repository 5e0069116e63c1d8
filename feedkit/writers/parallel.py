"""Rendering many independent documents on every core.

Archive pages and tag/author feeds don't depend on each other, and a large
registry has hundreds of them: worker processes forked from the build (so they
already hold the registry) each render a share and send back the bytes. The
bytes are the same as rendering them one by one, in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Below this many posts in all, starting processes costs more than it saves.
PARALLEL_FROM = 1000

_task: tuple[Callable[[Any], list[Any]], Sequence[Any]] | None = None


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    render, items = _task
    return [out for item in items[bounds[0] : bounds[1]] for out in render(item)]


def render_all(
    render: Callable[[Any], list[T]], items: Sequence[Any], *, posts: int
) -> Iterator[T]:
    """What `render` gives for every item (such as (path, bytes) pairs), in item
    order; `posts` says how much work it is."""
    global _task
    workers = min(os.cpu_count() or 1, 8)
    if posts < PARALLEL_FROM or workers < 2 or len(items) < 2:
        for item in items:
            yield from render(item)
        return
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        for item in items:
            yield from render(item)
        return
    step = max(1, -(-len(items) // (workers * 16)))
    bounds = [(start, min(start + step, len(items))) for start in range(0, len(items), step)]
    _task = (render, items)
    try:
        with context.Pool(workers) as pool:
            for rendered in pool.imap(_run, bounds):
                yield from rendered
    finally:
        _task = None


_single: Callable[[], Any] | None = None


def _call_single(_: object) -> Any:
    assert _single is not None
    return _single()


def in_child(work: Callable[[], T]) -> T:
    """`work()` run in a process forked now, its result sent back (errors too).

    What the work imports and allocates stays in the child; forked early, the
    child also starts from a small process.
    """
    global _single
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return work()
    _single = work
    try:
        with context.Pool(1) as pool:
            result: T = pool.apply(_call_single, (None,))
            return result
    finally:
        _single = None
