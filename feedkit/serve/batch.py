"""Off the event loop: the state's worker threads, and group commit.

`Offload` runs a blocking call (a state transaction, a file read) in a thread pool
sized for the state: one thread for SQLite (one connection, used by one thread at
a time), a pool's worth for PostgreSQL. The loop only awaits.

`Admission`: at most a few form POSTs (each a state transaction and perhaps a
message) are worked on at once; the others wait, which costs the loop nothing, so a
flood of them queues behind the gate instead of in front of every other request.

`Batcher`: requests that arrive together are written in one transaction. A view
awaits `submit(item)`; the first item schedules a flush for the end of the loop's
turn, so every request parsed meanwhile joins it; while a flush runs in its
thread, the next batch gathers, and goes as soon as it is done.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, ParamSpec, TypeVar

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Offload:
    """Blocking calls in `threads` worker threads of their own."""

    def __init__(self, threads: int, name: str = "feedkit-state") -> None:
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix=name)

    async def __call__(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class Admission:
    """Wraps endpoints so that at most `limit` of them run at once."""

    def __init__(self, limit: int) -> None:
        self._gate = asyncio.Semaphore(limit)

    def __call__(self, endpoint: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(endpoint)
        async def admitted(*args: P.args, **kwargs: P.kwargs) -> R:
            async with self._gate:
                return await endpoint(*args, **kwargs)

        return admitted


class Batcher(Generic[T, R]):
    """Collects items and hands them to `flush` (run by `offload`) together; each
    gets its own result."""

    def __init__(self, flush: Callable[[list[T]], list[R]], offload: Offload) -> None:
        self._flush = flush
        self._offload = offload
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[R]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._items.append(item)
        self._waiters.append(future)
        if self._task is None:
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # the requests parsed in this turn join the batch
            while self._items:
                items, waiters = self._items, self._waiters
                self._items, self._waiters = [], []
                try:
                    results = await self._offload(self._flush, items)
                except Exception as exc:  # every waiter learns of the failure
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_exception(exc)
                    continue
                for waiter, result in zip(waiters, results, strict=True):
                    if not waiter.done():
                        waiter.set_result(result)
        finally:
            self._task = None
