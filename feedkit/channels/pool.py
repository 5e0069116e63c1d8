"""The hand-over on a pool of links: one event loop, in a thread of its own, drives up
to N links of one channel (an SMTP connection reused for many messages), each link a
task, paced by rate limits and slowed down when the other side starts refusing.

One loop instead of a thread per link: a message's hand-over is a few writes and
reads, and with dozens of threads the interpreter lock passing from one to the next
cost more than the work. A link whose `hand_over` (or `open`, `close`) is a coroutine
function runs on the loop (the email channel's SMTP link); a plain function runs in
a thread of the pool's own, one call at a time per link (a Maildir, a webhook written
with a blocking client).

The pool never touches the state. It tells the run that owns the state everything
through one queue, `events` (lists of events, one list per turn of the loop): a
`Start` it must answer before a payload is handed over (recorded as being handed
over, or refused: an unsubscribe made meanwhile, a claim another sender took over, a
run that is stopping), a `Done` for every outcome, and a `Wake` when it wants more
jobs or has finished. Links do only what is slow and stateless: make the payload (or
wait for the process that makes it), hand it over, read the answer. Whatever a link
raises becomes an outcome (the recipient pending, with the cause) or stops the run; a
link never ends on its own while the run waits for it.

Rate limits and slowing down are channels/pacing.py's. A temporary refusal of one
recipient is retried after the retry delay, doubling, `retries` times, then left for
the next run; a permanent one is that recipient's.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..retry import Backoff
from .calls import LinkCalls
from .contract import (
    FAILED,
    Channel,
    Link,
    Parcel,
    SetupError,
    Undeliverable,
    cause,
)
from .events import Done, Event, Job, Outcome, Start, Wake, answer_all
from .loop import Waiters, new_loop
from .offload import Offload, parcel_of
from .pacing import HourlyLimit, Pacer, Throttle
from .verdicts import Verdicts

__all__ = ["Done", "Event", "Job", "Outcome", "Pool", "Start", "Wake"]


@dataclass(eq=False)
class Pool(Verdicts):
    """Hands jobs over on up to `connections` links of `channel`."""

    channel: Channel
    connections: int
    retry: Backoff
    pacer: Pacer = field(default_factory=Pacer)
    clock: Callable[[], float] = time.monotonic
    offload: int = 0  # processes making the payloads, when the channel can (0: the loop)
    note: Callable[[str], None] = lambda text: None  # what those processes logged
    errors_in_a_row: int = 10  # unexpected errors, one after the other, that stop the run
    grow_to: int = 0  # more than `connections`: start there, add links up to this many
    stopped: str = ""
    fatal: bool = False  # stopped by a set-up problem or an error, not by the rate limits

    def __post_init__(self) -> None:
        start = max(1, self.connections)
        self.connections = max(start, self.grow_to)
        self.throttle = Throttle(self.connections, self.retry, self.clock, start=start)
        self.throttle.changed = self._slot_changed
        self.events: queue.SimpleQueue[list[Event]] = queue.SimpleQueue()
        self.low = 2 * self.connections
        # Written by the owner's thread only:
        self._added = 0
        # Owned by the loop's thread (the owner only reads them):
        self._ready: collections.deque[Job] = collections.deque()
        self._later: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._taken = 0
        self._busy = 0
        self._more = True
        self._hungry = False
        self._unexpected = 0
        self._tickets: set[Start] = set()
        self._closed = False
        self._outbox: list[Event] = []
        self._jobs = Waiters()
        self._slots = Waiters()
        self._offload: Offload | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._calls = LinkCalls(self.connections)

    # -- the owner's side ------------------------------------------------------------
    def start(self) -> None:
        """Open the first link (a channel that can't be used at all stops the pool at
        once) and start the loop with its links."""
        first = self.channel.connect()
        try:
            self._calls.run_sync(first, "open")
        except SetupError as exc:
            self._calls.run_sync(first, "close")
            self._stop(str(exc), fatal=True)
            return
        except Exception:  # a refusal of service: left to the retries
            pass
        recipe = self.channel.recipe() if self.offload else None
        if recipe is not None:
            self._offload = Offload(recipe, self.offload)
        self._loop = new_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete,
                                        args=(self._main(first),), name="feedkit-send",
                                        daemon=True)
        self._thread.start()

    def room(self) -> int:
        """How many more jobs the pool would take now (0 once it stopped)."""
        ready = self._added - self._taken
        if self.stopped or not self._more or ready >= self.low:
            return 0
        return 2 * self.low - ready

    def add(self, jobs: list[Job]) -> None:
        made: list[concurrent.futures.Future[object]] = []
        if self._offload is not None:
            size = Offload.CHUNK
            for begin in range(0, len(jobs), size):
                made.append(self._offload.submit(  # type: ignore[arg-type]
                    [job.recipient for job in jobs[begin:begin + size]]))
        self._added += len(jobs)
        self._call(self._add, jobs, made)

    def no_more(self) -> None:
        """Every job is added: the pool finishes once they are done."""
        self._call(self._no_more)

    @property
    def idle(self) -> bool:
        """Nothing in flight, and nothing more will start."""
        if self._busy or self._outbox:
            return False
        return bool(self.stopped) or (not self._more and not self._ready and not self._later)

    def answer(self, starts: list[Start], oks: list[bool]) -> None:
        """Answer the starts the owner recorded (or refused), with one wake-up."""
        if self._loop is not None:
            answer_all(self._loop, starts, oks)

    def halt(self, reason: str) -> None:
        """Start nothing more; what is in flight finishes (the run stops with an error)."""
        if not self._call(self._stop, reason, True):
            self._stop(reason, fatal=True)

    def close(self) -> None:
        """Stop and wait for the links (they finish what is in flight)."""
        self._call(self._close)
        if self._thread is not None:
            self._thread.join()
        if self._loop is not None:
            self._loop.close()
        self._calls.close()
        if self._offload is not None:
            self._offload.close()

    def _call(self, function: Callable[..., None], *args: object) -> bool:
        """Run `function` on the loop's thread; False when the loop doesn't run."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return False
        try:
            loop.call_soon_threadsafe(function, *args)
        except RuntimeError:  # closed meanwhile
            return False
        return True

    # -- on the loop -------------------------------------------------------------------
    async def _main(self, first: Link) -> None:
        links = [asyncio.ensure_future(self._work(first if number == 0 else None))
                 for number in range(self.connections)]
        try:
            await asyncio.gather(*links)
        finally:
            self._flush()

    def _add(self, jobs: list[Job], made: list[concurrent.futures.Future[object]]) -> None:
        for number, future in enumerate(made):
            waited = asyncio.wrap_future(future)
            size = Offload.CHUNK
            for index, job in enumerate(jobs[number * size:(number + 1) * size]):
                job.made = (waited, index)  # type: ignore[assignment]
        self._ready.extend(jobs)
        self._hungry = False
        self._jobs.notify(len(jobs))

    def _no_more(self) -> None:
        self._more = False
        self._jobs.notify_all()
        self._wake_if_idle()

    FLUSH = 0.001  # seconds events wait for others to go to the owner with them

    def _emit(self, event: Event) -> None:
        """Queue an event for the owner: sent with the others of the next millisecond
        (waking the owner's thread for each turn of the loop costs more than the wait)."""
        if not self._outbox:
            asyncio.get_running_loop().call_later(self.FLUSH, self._flush)
        self._outbox.append(event)

    def _flush(self) -> None:
        if self._outbox:
            self.events.put(self._outbox)
            self._outbox = []

    def _stop(self, reason: str, fatal: bool = False) -> None:
        if not self.stopped:
            self.stopped, self.fatal = reason, fatal
        self._refuse_tickets()
        self._jobs.notify_all()
        self._slots.notify_all()
        self.events.put([Wake()])

    def _close(self) -> None:
        self._closed = True
        self._refuse_tickets()
        self._jobs.notify_all()
        self._slots.notify_all()

    def _refuse_tickets(self) -> None:
        tickets, self._tickets = self._tickets, set()
        for ticket in tickets:
            ticket.settle(False)

    def _wake_if_idle(self) -> None:
        if not self._busy and not self._ready and not self._later and not self._more:
            self.events.put([Wake()])

    def _due(self) -> float | None:
        if not self._later:
            return None
        return max(0.0, self._later[0][0] - self.clock())

    async def _next(self) -> Job | None:
        while not self.stopped and not self._closed:
            if self._later and self._later[0][0] <= self.clock():
                self._busy += 1  # before the job leaves the queue: never seen idle between
                return heapq.heappop(self._later)[2]
            if self._ready:
                self._busy += 1
                job = self._ready.popleft()
                self._taken += 1
                if self._more and not self._hungry and len(self._ready) < self.low:
                    self._hungry = True
                    self.events.put([Wake()])
                return job
            if not self._more and not self._later and not self._busy:
                return None
            await self._jobs.wait(self._due())
        return None

    def _later_again(self, job: Job, delay: float) -> None:
        heapq.heappush(self._later, (self.clock() + delay, next(self._order), job))
        self._jobs.notify()

    def _done(self) -> None:
        self._busy -= 1
        if self._busy:
            return
        if self.stopped:
            self.events.put([Wake()])
        elif not self._ready and not self._later and not self._more:
            self._jobs.notify_all()  # the others may end now
            self.events.put([Wake()])

    def _finished(self, job: Job, outcome: Outcome) -> None:
        self._emit(Done(job, outcome))

    def _slot_changed(self) -> None:
        self._slots.notify_all()

    async def _slot(self) -> int | None:
        """A free slot of the throttle (its failure epoch), or None once stopping."""
        while not self.stopped and not self._closed:
            epoch = self.throttle.acquire()
            if epoch is not None:
                return epoch
            await self._slots.wait(self.throttle.pause_left() or None)
        return None

    async def _work(self, link: Link | None) -> None:
        """One link's task. Whatever it raises stops the run, never the task alone: a
        run waiting for a link that is gone would never end."""
        try:
            while (job := await self._next()) is not None:
                try:
                    link = await self._one(link, job)
                except BaseException as exc:  # a link must not vanish
                    self._finished(job, Outcome("pending", cause(exc)))
                    self._stop(f"stopped: {cause(exc)}", fatal=True)
                finally:
                    self._done()
        finally:
            if link is not None:
                try:
                    await self._calls.run(link, "close")
                except Exception as exc:  # closing is best effort
                    self.note(f"closing a connection failed: {cause(exc)}")

    async def _connect(self) -> Link:
        """A new link, opened before its first job is paced (a connection's set-up
        must not eat into the spacing of messages). A failure here is left to the
        hand-over, which tries again and reports it."""
        link = self.channel.connect()
        with contextlib.suppress(Exception):  # the hand-over says what it is
            await self._calls.run(link, "open")
        return link

    async def _one(self, link: Link | None, job: Job) -> Link | None:
        """Hand `job` over on `link` (connected once a slot is free); the link."""
        if job.parcel is None:
            try:
                job.parcel = await self._payload(job)
            except Undeliverable as exc:
                self._finished(job, Outcome(FAILED, f"can't be written: {exc}",
                                            f"can't be written as a message: {exc}"))
                return link
            except Exception as exc:  # one recipient's problem (a signer that broke)
                self._unexpected_error(job, exc, "can't be prepared")
                return link
        epoch = await self._slot()
        if epoch is None:
            self._later_again(job, 0.0)
            return link
        try:
            job.epoch = epoch
            link = link or await self._connect()
            if not await self._started(job):
                return link
            try:  # paced right before the hand-over: the spacing the other side sees
                delay = self.pacer.reserve()
            except HourlyLimit as exc:
                self._later_again(job, 0.0)
                self._stop(str(exc))
                return link
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                answer = await self._calls.hand_over(link, job.parcel)
            except SetupError as exc:
                self._finished(job, Outcome("pending", "not sent: the channel failed"))
                self._stop(str(exc), fatal=True)
                return link
            except Exception as exc:  # one recipient's problem
                self._unexpected_error(job, exc, "hand-over failed")
                return link
            self._answered(job, answer)
        finally:
            self.throttle.release()
        return link

    async def _payload(self, job: Job) -> Parcel:
        if job.made is None:
            return self.channel.payload(job.recipient)
        (future, index), job.made = job.made, None
        assert self._offload is not None
        made, notes = await self._offload.result(future)
        if index == 0:
            for text in notes:
                self.note(text)
        return parcel_of(job.recipient, made[index])

    async def _started(self, job: Job) -> bool:
        """Ask the owner to record the start; wait for its answer."""
        if self.stopped or self._closed:
            return False
        ticket = Start(job, asyncio.get_running_loop())
        self._tickets.add(ticket)
        self._emit(ticket)
        try:
            return await ticket.future
        finally:
            self._tickets.discard(ticket)

    def _wanted(self) -> bool:
        return bool(self._slots.waiting)
