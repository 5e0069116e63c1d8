"""Group commit: requests that arrive together are written in one transaction.

A view awaits `submit(item)`; the first item of a loop iteration schedules a flush
for the end of it, so every request parsed meanwhile joins the same batch and
nobody waits longer than one turn of the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Collects items and hands them to `flush` together; each gets its own result."""

    def __init__(self, flush: Callable[[list[T]], list[R]]) -> None:
        self._flush = flush
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[R]] = []

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        if not self._items:
            loop.call_soon(self._run)
        self._items.append(item)
        self._waiters.append(future)
        return await future

    def _run(self) -> None:
        items, waiters = self._items, self._waiters
        self._items, self._waiters = [], []
        try:
            results = self._flush(items)
        except Exception as exc:  # every waiter learns of the failure
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        for waiter, result in zip(waiters, results, strict=True):
            if not waiter.done():
                waiter.set_result(result)
