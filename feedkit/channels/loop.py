"""The pool's event loop (channels/pool.py): making one, and tasks waiting on it for
something to change."""

from __future__ import annotations

import asyncio
import collections
import contextlib


class Waiters:
    """Tasks of the loop waiting for something to change (a condition without a lock:
    only the loop's thread uses it)."""

    def __init__(self) -> None:
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def wait(self, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append(future)
        timer = loop.call_later(timeout, _wake, future) if timeout is not None else None
        try:
            await future
        finally:
            if timer is not None:
                timer.cancel()
                with contextlib.suppress(ValueError):  # woken by the timer: still queued
                    self._waiting.remove(future)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def notify(self, count: int = 1) -> None:
        while count > 0 and self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                count -= 1

    def notify_all(self) -> None:
        self.notify(len(self._waiting))


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (less work per turn), else asyncio's selector
    loop (links watch their sockets with add_reader, which every platform's selector
    loop has)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.SelectorEventLoop()
    return uvloop.new_event_loop()
