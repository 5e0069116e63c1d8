"""What a pool of links (channels/pool.py) and the run that owns the state
(jobs/bookkeeper.py) say to each other: the jobs handed down, and the events sent up
(a start to answer, an outcome, a wake-up)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from .contract import Parcel, Recipient
from .offload import Chunk


@dataclass(eq=False)
class Job:
    """One recipient's delivery in this run."""

    recipient: Recipient
    parcel: Parcel | None = None
    made: tuple[asyncio.Future[Chunk], int] | None = None  # its payload, made elsewhere
    tries: int = 0  # recipient-level temporary failures in this run
    epoch: int = 0  # the throttle's failure count when this try started


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a try: 'sent', 'failed' (for good), 'gone' (failed for good, and
    the recipient is to be suppressed), 'pending' (left for the next run) or 'retry'
    (tried again in this run). `log`: what to say about it (without the recipient)."""

    status: str
    reason: str = ""
    log: str = ""


class Start:
    """A link asks to hand `job` over and waits for the owner's answer (the first
    answer counts: a pool that stops answers every open one False). Made and awaited
    on the pool's event loop; `answer` may be called from any thread."""

    __slots__ = ("_loop", "future", "job")

    def __init__(self, job: Job, loop: asyncio.AbstractEventLoop) -> None:
        self.job = job
        self._loop = loop
        self.future: asyncio.Future[bool] = loop.create_future()

    def answer(self, ok: bool) -> None:
        answer_all(self._loop, [self], [ok])

    def settle(self, ok: bool) -> None:
        """Answer on the loop's own thread."""
        if not self.future.done():
            self.future.set_result(ok)


def answer_all(loop: asyncio.AbstractEventLoop, starts: list[Start], oks: list[bool]) -> None:
    """Answer many starts with one wake-up of the loop (a loop that has ended has no
    one waiting any more)."""
    def settle() -> None:
        for start, ok in zip(starts, oks, strict=True):
            start.settle(ok)

    if starts:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing waits
            loop.call_soon_threadsafe(settle)


@dataclass(frozen=True, slots=True)
class Done:
    job: Job
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Wake:
    """The pool wants more jobs, has stopped, or has finished."""


Event = Start | Done | Wake
