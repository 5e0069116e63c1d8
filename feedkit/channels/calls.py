"""Calling a link's methods from the pool's event loop, whichever kind they are: a
coroutine function is awaited on the loop; a plain (blocking) function runs in a
thread of the pool's own, so a slow open, hand-over or close never stalls the other
links. `open()` is always a plain function (the first link is opened before the loop
starts, where a channel that can't be used at all stops the run at once)."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .contract import Answer, Link, Parcel


class LinkCalls:
    """Runs links' methods for a pool of up to `threads` links."""

    OPENING = 8  # connections set up at once (a plain `open` blocks a thread)

    def __init__(self, threads: int) -> None:
        self._threads = max(1, threads)
        self._executor: ThreadPoolExecutor | None = None
        self._opener: ThreadPoolExecutor | None = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads,
                                                thread_name_prefix="feedkit-link")
        return self._executor

    def _opening(self) -> ThreadPoolExecutor:
        if self._opener is None:
            self._opener = ThreadPoolExecutor(self.OPENING, thread_name_prefix="feedkit-open")
        return self._opener

    @staticmethod
    def run_sync(link: Link, name: str) -> None:
        """`open`, or `close` of a link that never ran on the loop, on the caller's
        thread (before the loop runs)."""
        method = getattr(link, name)
        if inspect.iscoroutinefunction(method):
            asyncio.run(method())
        else:
            method()

    async def run(self, link: Link, name: str) -> None:
        method = getattr(link, name)
        if inspect.iscoroutinefunction(method):
            await method()
        else:
            threads = self._opening() if name == "open" else self._pool()
            await asyncio.get_running_loop().run_in_executor(threads, method)

    async def hand_over(self, link: Link, parcel: Parcel) -> Answer:
        method: Any = link.hand_over
        if inspect.iscoroutinefunction(method):
            answer: Answer = await method(parcel)
            return answer
        done: Answer = await asyncio.get_running_loop().run_in_executor(self._pool(), method,
                                                                         parcel)
        return done

    def close(self) -> None:
        for threads in (self._executor, self._opener):
            if threads is not None:
                threads.shutdown(wait=True)
