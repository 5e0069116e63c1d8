"""The hand-over on a pool of links: N worker threads, each with its own link of one
channel (an SMTP connection reused for many messages), paced by rate limits and
slowed down when the other side starts refusing.

The pool never touches the state. It tells the run that owns the state everything
through one queue, `events`: a `Start` it must answer before a payload is handed over
(recorded as being handed over, or refused: an unsubscribe made meanwhile, a claim
another sender took over, a run that is stopping), a `Done` for every outcome, and a
`Wake` when it wants more jobs or has finished. Workers do only what is slow and
stateless: make the payload, hand it over, read the answer. Whatever a worker raises
becomes an outcome (the recipient pending, with the cause) or stops the run; a
thread never ends on its own while the run waits for it.

- Rate limits (`Pacer`): at most `per_second` starts a second, evenly spaced, and at
  most `per_hour` in any hour, counting what earlier runs sent (`sent_before`). When
  the hour's budget is used up for longer than `max_wait` seconds, the pool stops
  and the rest waits for a later run.
- Slowing down (`Throttle`): a refused or dropped connection, or a 421, halves the
  links in use and pauses every link for the retry delay (doubling with each failure
  in a row); successes add a link back one at a time. Failures of hand-overs already
  in flight when the pool slowed down count once. When `retries` failures follow each
  other, the pool stops.
- A temporary refusal of one recipient is retried after the retry delay, doubling,
  `retries` times, then left for the next run. A permanent one is that recipient's.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from ..retry import Backoff
from .contract import (
    FAILED,
    GONE,
    SENT,
    Answer,
    Channel,
    Link,
    Parcel,
    Recipient,
    SetupError,
    Undeliverable,
    cause,
)
from .offload import Chunk, Offload, parcel_of
from .pacing import HourlyLimit, Pacer, Throttle

__all__ = ["Done", "Job", "Outcome", "Pool", "Start", "Wake"]


@dataclass(eq=False)
class Job:
    """One recipient's delivery in this run."""

    recipient: Recipient
    parcel: Parcel | None = None
    made: tuple[Future[Chunk], int] | None = None  # its payload, being made elsewhere
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
    """A worker asks to hand `job` over; it waits until `answer` is called (the first
    answer counts: a pool that stops answers every open one False)."""

    __slots__ = ("_reply", "job")

    def __init__(self, job: Job) -> None:
        self.job = job
        self._reply: queue.SimpleQueue[bool] = queue.SimpleQueue()

    def answer(self, ok: bool) -> None:
        self._reply.put(ok)

    def wait(self) -> bool:
        return self._reply.get()


@dataclass(frozen=True, slots=True)
class Done:
    job: Job
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Wake:
    """The pool wants more jobs, has stopped, or has finished."""


Event = Start | Done | Wake


@dataclass(eq=False)
class Pool:
    """Hands jobs over on up to `connections` links of `channel`."""

    channel: Channel
    connections: int
    retry: Backoff
    pacer: Pacer = field(default_factory=Pacer)
    clock: Callable[[], float] = time.monotonic
    offload: bool = False  # make the payloads in a process of their own, when the channel can
    note: Callable[[str], None] = lambda text: None  # what that process logged
    errors_in_a_row: int = 10  # unexpected errors, one after the other, that stop the run
    stopped: str = ""
    fatal: bool = False  # stopped by a set-up problem or an error, not by the rate limits

    def __post_init__(self) -> None:
        self.connections = max(1, self.connections)
        self.throttle = Throttle(self.connections, self.retry, self.clock)
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._cond = threading.Condition()
        self._ready: collections.deque[Job] = collections.deque()
        self._later: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._busy = 0
        self._more = True
        self._hungry = False
        self._unexpected = 0
        self._tickets: set[Start] = set()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._offload: Offload | None = None
        self.low = 2 * self.connections

    # -- the owner's side ------------------------------------------------------------
    def start(self) -> None:
        """Open the first link (a channel that can't be used at all stops the pool at
        once) and start the workers."""
        first = self.channel.connect()
        try:
            first.open()
        except SetupError as exc:
            first.close()
            self._stop(str(exc), fatal=True)
            return
        except Exception:  # a refusal of service: left to the retries
            pass
        recipe = self.channel.recipe() if self.offload else None
        if recipe is not None:
            self._offload = Offload(recipe)
        for number in range(self.connections):
            thread = threading.Thread(target=self._work, args=(first if number == 0 else None,),
                                      name=f"feedkit-send-{number}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def room(self) -> int:
        """How many more jobs the pool would take now (0 once it stopped)."""
        with self._cond:
            if self.stopped or not self._more or len(self._ready) >= self.low:
                return 0
            return 2 * self.low - len(self._ready)

    def add(self, jobs: list[Job]) -> None:
        if self._offload is not None:
            size = Offload.CHUNK
            for start in range(0, len(jobs), size):
                chunk = jobs[start:start + size]
                future = self._offload.submit([job.recipient for job in chunk])
                for index, job in enumerate(chunk):
                    job.made = (future, index)
        with self._cond:
            self._ready.extend(jobs)
            self._hungry = False
            self._cond.notify(len(jobs))

    def no_more(self) -> None:
        """Every job is added: the pool finishes once they are done."""
        with self._cond:
            self._more = False
            self._cond.notify_all()
            self._wake_if_idle()

    @property
    def idle(self) -> bool:
        """Nothing in flight, and nothing more will start."""
        with self._cond:
            return not self._busy and (bool(self.stopped) or (
                not self._more and not self._ready and not self._later))

    def halt(self, reason: str) -> None:
        """Start nothing more; what is in flight finishes (the run stops with an error)."""
        self._stop(reason, fatal=True)

    def close(self) -> None:
        """Stop and wait for the workers (they finish what is in flight)."""
        with self._cond:
            self._closed = True
            tickets, self._tickets = self._tickets, set()
            self._cond.notify_all()
        for ticket in tickets:
            ticket.answer(False)
        self.throttle.stop()
        for thread in self._threads:
            thread.join()
        if self._offload is not None:
            self._offload.close()

    # -- shared ------------------------------------------------------------------------
    def _stop(self, reason: str, fatal: bool = False) -> None:
        with self._cond:
            if not self.stopped:
                self.stopped, self.fatal = reason, fatal
            tickets, self._tickets = self._tickets, set()
            self._cond.notify_all()
        for ticket in tickets:
            ticket.answer(False)
        self.throttle.stop()
        self.events.put(Wake())

    def _wake_if_idle(self) -> None:  # under self._cond
        if not self._busy and not self._ready and not self._later and not self._more:
            self.events.put(Wake())

    def _due(self) -> float | None:
        if not self._later:
            return None
        return max(0.0, self._later[0][0] - self.clock())

    def _next(self) -> Job | None:
        with self._cond:
            while not self.stopped and not self._closed:
                if self._later and self._later[0][0] <= self.clock():
                    job = heapq.heappop(self._later)[2]
                elif self._ready:
                    job = self._ready.popleft()
                    if self._more and not self._hungry and len(self._ready) < self.low:
                        self._hungry = True
                        self.events.put(Wake())
                elif not self._more and not self._later and not self._busy:
                    return None
                else:
                    self._cond.wait(self._due())
                    continue
                self._busy += 1
                return job
            return None

    def _later_again(self, job: Job, delay: float) -> None:
        with self._cond:
            heapq.heappush(self._later, (self.clock() + delay, next(self._order), job))
            self._cond.notify()

    def _done(self) -> None:
        with self._cond:
            self._busy -= 1
            if self._busy:
                return
            if self.stopped:
                self.events.put(Wake())
            elif not self._ready and not self._later and not self._more:
                self._cond.notify_all()  # the others may end now
                self.events.put(Wake())

    def _finished(self, job: Job, outcome: Outcome) -> None:
        self.events.put(Done(job, outcome))

    # -- the working side --------------------------------------------------------------
    def _work(self, link: Link | None) -> None:
        """One link's thread. Whatever it raises stops the run, never the thread alone:
        a run waiting for a thread that is gone would never end."""
        try:
            while (job := self._next()) is not None:
                try:
                    link = link or self._connect()
                    self._one(link, job)
                except BaseException as exc:  # a thread must not vanish
                    self._finished(job, Outcome("pending", cause(exc)))
                    self._stop(f"stopped: {cause(exc)}", fatal=True)
                finally:
                    self._done()
        finally:
            if link is not None:
                link.close()

    def _connect(self) -> Link:
        """A new link, opened before its first job is paced (a connection's set-up
        must not eat into the spacing of messages). A failure here is left to the
        hand-over, which tries again and reports it."""
        link = self.channel.connect()
        with contextlib.suppress(Exception):  # the hand-over says what it is
            link.open()
        return link

    def _one(self, link: Link, job: Job) -> None:
        if job.parcel is None:
            try:
                job.parcel = self._payload(job)
            except Undeliverable as exc:
                self._finished(job, Outcome(FAILED, f"can't be written: {exc}",
                                            f"can't be written as a message: {exc}"))
                return
            except Exception as exc:  # one recipient's problem (a signer that broke)
                self._unexpected_error(job, exc, "can't be prepared")
                return
        epoch = self.throttle.acquire()
        if epoch is None:
            self._later_again(job, 0.0)
            return
        try:
            job.epoch = epoch
            if not self._started(job):
                return
            try:  # paced right before the hand-over: the spacing the other side sees
                self.pacer.wait()
            except HourlyLimit as exc:
                self._later_again(job, 0.0)
                self._stop(str(exc))
                return
            try:
                answer = link.hand_over(job.parcel)
            except SetupError as exc:
                self._finished(job, Outcome("pending", "not sent: the channel failed"))
                self._stop(str(exc), fatal=True)
                return
            except Exception as exc:  # one recipient's problem
                self._unexpected_error(job, exc, "hand-over failed")
                return
            self._answered(job, answer)
        finally:
            self.throttle.release()

    def _payload(self, job: Job) -> Parcel:
        if job.made is None:
            return self.channel.payload(job.recipient)
        (future, index), job.made = job.made, None
        assert self._offload is not None
        made, notes = self._offload.result(future)
        if index == 0:
            for text in notes:
                self.note(text)
        return parcel_of(job.recipient, made[index])

    def _started(self, job: Job) -> bool:
        """Ask the owner to record the start; wait for its answer."""
        ticket = Start(job)
        with self._cond:
            if self.stopped or self._closed:
                return False
            self._tickets.add(ticket)
        self.events.put(ticket)
        ok = ticket.wait()
        with self._cond:
            self._tickets.discard(ticket)
        return ok

    def _answered(self, job: Job, answer: Answer) -> None:
        if answer.verdict == SENT:
            self.throttle.success()
            self._unexpected = 0
            self._finished(job, Outcome(SENT))
        elif answer.verdict in (FAILED, GONE):
            self._finished(job, Outcome(answer.verdict, answer.reason,
                                        f"refused for good: {answer.reason}"))
        elif answer.connection:
            self._connection_failed(job, answer.reason)
        else:
            self._retry(job, answer.reason)

    def _connection_failed(self, job: Job, reason: str) -> None:
        counted, give_up, pause, limit = self.throttle.failure(job.epoch)
        if give_up:
            self._finished(job, Outcome("retry", reason))
            self._later_again(job, 0.0)
            self._stop(f"giving up for now: {reason}")
            return
        log = (f"{reason}; slowing down to {limit} connection(s), retrying in {pause:g}s"
               if counted else "")
        self._finished(job, Outcome("retry", reason, log))
        self._later_again(job, pause)

    def _retry(self, job: Job, reason: str) -> None:
        job.tries += 1
        if job.tries > self.retry.retries:
            self._finished(job, Outcome("pending", reason,
                                        f"still failing, left for the next run: {reason}"))
            return
        wait = self.retry.wait(job.tries - 1)
        self._finished(job, Outcome("retry", reason, f"{reason}; retrying in {wait:g}s"))
        self._later_again(job, wait)

    def _unexpected_error(self, job: Job, exc: Exception, what: str) -> None:
        """An error nobody expected, for one recipient: that one is left pending with
        the cause; the run stops when such errors keep coming one after the other."""
        reason = f"{what}: {cause(exc)}"
        self._finished(job, Outcome("pending", reason, f"{reason}; left for the next run"))
        with self._cond:
            self._unexpected += 1
            many = self._unexpected >= self.errors_in_a_row
        if many:
            self._stop(f"stopped after {self.errors_in_a_row} errors in a row, the last: "
                       f"{reason}", fatal=True)
