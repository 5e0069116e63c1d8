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


def in_child(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work()` in a process forked now; the function returned waits for it
    and gives its result (or raises its error).

    What the work imports and allocates stays in the child; forked early, the
    child also starts from a small process, and the caller goes on meanwhile.
    """
    import multiprocessing
    import pickle

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        done = work()
        return lambda: done
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome: tuple[bool, Any] = (True, work())
        except BaseException as exc:  # the parent raises it
            outcome = (False, exc)
        sender.send_bytes(pickle.dumps(outcome))

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()

    def result() -> T:
        try:
            ok, value = pickle.loads(receiver.recv_bytes())
        except EOFError:
            raise RuntimeError(f"a worker process died (exit {process.exitcode})") from None
        finally:
            receiver.close()
            process.join()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    return result
