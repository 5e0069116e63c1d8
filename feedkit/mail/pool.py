"""The hand-over on a pool of connections: N threads, each with its own transport
(one SMTP connection reused for many messages), paced by rate limits and slowed
down when the relay starts refusing.

The pool knows nothing of periods or the state: it takes jobs from a `source`,
asks `started` right before a message is handed over (which records it, or says
to skip it: an unsubscribe made meanwhile), calls `prepare` (signing) and reports
through `finished` once the server answered. It is the only part of
sending that talks to a server.

- Rate limits (`Pacer`): at most `per_second` message starts a second, spaced
  evenly, and at most `per_hour` in any hour, counting what earlier runs sent
  (`sent_before`). When the hour's budget is used up for longer than
  `max_wait` seconds, the pool stops and the rest waits for a later run.
- Slowing down (`Throttle`): a refused or dropped connection, or a 421, halves
  the connections in use and pauses every connection for the retry delay
  (doubling with each failure in a row); successes add a connection back one
  at a time. Failures of messages that were already in flight when the pool
  slowed down count once, so N connections failing together use one retry, not
  N. When `retries` failures in a row follow each other, the pool stops.
- A temporary refusal of one recipient (4xx other than 421) is retried after
  the retry delay, doubling, `retries` times; then left for the next run. A
  permanent one (5xx) is that recipient's failure; the rest go on.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..addresses import redact, reference
from ..errors import FeedkitError
from ..retry import Backoff
from .handover import SetupError, Transport, TransportError


@dataclass
class Job:
    """One message to one recipient."""

    key: str
    address: str
    envelope_from: str
    envelope_to: str
    message_id: str
    data: bytes
    tries: int = 0  # recipient-level temporary failures in this run
    epoch: int = 0  # the throttle's failure count when this try started


@dataclass
class Outcome:
    """What became of a try: 'sent', 'failed' (for good), 'pending' (left for the
    next run) or 'retry' (waiting to be tried again in this run)."""

    status: str
    reason: str = ""


def _cause(exc: BaseException) -> str:
    """An exception as a short cause: its message, or its type when it has none."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text and not isinstance(exc, FeedkitError) \
        else text or type(exc).__name__


class HourlyLimit(Exception):
    """The hour's budget is used up for longer than the pool may wait."""


class Pacer:
    """Message starts per second (evenly spaced) and per hour (a sliding window)."""

    def __init__(self, per_second: float = 0.0, per_hour: int = 0,
                 sent_before: Iterable[float] = (), *, max_wait: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.per_hour = per_hour
        self.max_wait = max_wait
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0
        self._window: collections.deque[float] = collections.deque(sorted(sent_before))

    def wait(self) -> None:
        """Block until the next message may start; HourlyLimit when that is too far."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            if self.per_hour:
                while self._window and self._window[0] <= start - 3600:
                    self._window.popleft()
                if len(self._window) >= self.per_hour:
                    start = max(start, self._window[len(self._window) - self.per_hour] + 3600)
                    if start - now > self.max_wait:
                        raise HourlyLimit(f"the limit of {self.per_hour} messages an hour is "
                                          f"reached; the next may go in {start - now:.0f} s")
                self._window.append(start)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


class Throttle:
    """How many connections may work now, and until when they all pause."""

    def __init__(self, connections: int, retry: Backoff,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.most = self.limit = max(1, connections)
        self.retry = retry
        self.failures = 0  # connection failures in a row, pool-wide
        self.active = 0
        self.paused_until = 0.0
        self._successes = 0
        self._clock = clock
        self.cond = threading.Condition()
        self.stopped = False

    def acquire(self) -> int | None:
        """Wait for a free slot; the failure epoch to hand to failure(), or None when
        the pool stopped meanwhile."""
        with self.cond:
            while not self.stopped:
                wait = self.paused_until - self._clock()
                if self.active < self.limit and wait <= 0:
                    self.active += 1
                    return self.failures
                self.cond.wait(max(wait, 0.0) if wait > 0 else None)
            return None

    def release(self) -> None:
        with self.cond:
            self.active -= 1
            self.cond.notify_all()

    def success(self) -> None:
        with self.cond:
            self.failures = 0
            if self.limit < self.most:
                self._successes += 1
                if self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
                    self.cond.notify_all()

    def failure(self, epoch: int) -> tuple[bool, bool, float, int]:
        """A connection failed for a try started at `epoch`: (counted, give up, pause,
        limit). A failure already counted since that try started changes nothing more."""
        with self.cond:
            counted = epoch == self.failures
            if counted:
                self.failures += 1
                self.limit = max(1, self.limit // 2)
                self._successes = 0
                pause = self.retry.wait(self.failures - 1)
                self.paused_until = max(self.paused_until, self._clock() + pause)
            give_up = self.failures > self.retry.retries
            return counted, give_up, max(0.0, self.paused_until - self._clock()), self.limit

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


@dataclass
class Pool:
    """Hands jobs over on `connections` transports made by `connect`."""

    connect: Callable[[], Transport]
    connections: int
    retry: Backoff
    pacer: Pacer = field(default_factory=Pacer)
    prepare: Callable[[Job], bytes] = lambda job: job.data
    started: Callable[[Job], bool] = lambda job: True  # False: skip it (recorded why)
    finished: Callable[[Job, Outcome], None] = lambda job, outcome: None
    log: Callable[[str], None] = lambda text: None
    clock: Callable[[], float] = time.monotonic
    stopped: str = ""
    fatal: bool = False
    error: BaseException | None = None  # what stopped the run from outside the hand-over
    errors_in_a_row: int = 10  # unexpected errors, one after the other, that stop the run

    def __post_init__(self) -> None:
        self.throttle = Throttle(self.connections, self.retry, self.clock)
        self._cond = self.throttle.cond
        self._ready: collections.deque[Job] = collections.deque()
        self._later: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._busy = 0
        self._more = True
        self._unexpected = 0  # unexpected errors since the last message that went well

    # -- the feeding side -----------------------------------------------------------
    def run(self, source: Callable[[int], list[Job]]) -> list[Job]:
        """Hand over every job `source(n)` gives (n: how many it may give; [] when
        there are no more). Returns the jobs left undone when the pool stopped."""
        first = self._check()
        if first is None:
            return []
        workers = [threading.Thread(target=self._work, args=(first if i == 0 else None,),
                                    name=f"feedkit-smtp-{i}", daemon=True)
                   for i in range(max(1, self.connections))]
        for worker in workers:
            worker.start()
        low = 2 * max(1, self.connections)
        try:
            while True:
                with self._cond:
                    while (self._more and len(self._ready) >= low and not self.stopped):
                        self._cond.wait()
                    if self.stopped or not self._more:
                        break
                jobs = source(low * 2 - len(self._ready))
                with self._cond:
                    self._ready.extend(jobs)
                    self._more = bool(jobs)
                    self._cond.notify_all()
            with self._cond:
                while not self.stopped and (self._ready or self._later or self._busy):
                    self._cond.wait(self._due())
        finally:
            self.throttle.stop()
            for worker in workers:
                worker.join()
        return list(self._ready) + [job for _, _, job in self._later]

    def _check(self) -> Transport | None:
        """The first connection, opened before anything is handed over: a server that
        can't be reached at all, a refused login or TLS is a set-up problem, said at
        once (None: the pool stopped). A refusal of service is left to the retries."""
        transport = self.connect()
        try:
            transport.open()
        except SetupError as exc:
            transport.close()
            self._stop(str(exc), fatal=True)
            return None
        except TransportError:
            pass
        return transport

    def _due(self) -> float | None:
        if not self._later:
            return None
        return max(0.0, self._later[0][0] - self.clock())

    def _stop(self, reason: str, fatal: bool = False,
              error: BaseException | None = None) -> None:
        with self._cond:
            if not self.stopped:
                self.stopped, self.fatal, self.error = reason, fatal, error
            self._cond.notify_all()
        self.throttle.stop()

    # -- the working side -----------------------------------------------------------
    def _next(self) -> Job | None:
        with self._cond:
            while not self.stopped and not self.throttle.stopped:
                if self._later and self._later[0][0] <= self.clock():
                    job = heapq.heappop(self._later)[2]
                elif self._ready:
                    job = self._ready.popleft()
                elif not self._more and not self._later and not self._busy:
                    self._cond.notify_all()
                    return None
                else:
                    self._cond.wait(self._due())
                    continue
                self._busy += 1
                self._cond.notify_all()
                return job
            return None

    def _later_again(self, job: Job, delay: float) -> None:
        with self._cond:
            heapq.heappush(self._later, (self.clock() + delay, next(self._order), job))
            self._cond.notify_all()

    def _done(self) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def _work(self, transport: Transport | None) -> None:
        """One connection's thread. Whatever it raises ends the run, never the thread
        alone: a run waiting for a thread that is gone would never end."""
        try:
            while (job := self._next()) is not None:
                try:
                    transport = transport or self.connect()
                    self._one(transport, job)
                except BaseException as exc:  # a thread must not vanish
                    self._stop(f"stopped: {_cause(exc)}", fatal=True, error=exc)
                finally:
                    self._done()
        finally:
            if transport is not None:
                transport.close()

    def _one(self, transport: Transport, job: Job) -> None:
        epoch = self.throttle.acquire()
        if epoch is None:
            self._later_again(job, 0.0)
            return
        try:
            try:
                self.pacer.wait()
            except HourlyLimit as exc:
                self._later_again(job, 0.0)
                self._stop(str(exc))
                return
            job.epoch = epoch
            try:
                data = self.prepare(job)
            except Exception as exc:  # one recipient's problem
                self._unexpected_error(job, exc, "can't be prepared")
                return
            if not self.started(job):
                return
            try:
                transport.send(data, job.envelope_from, job.envelope_to)
            except SetupError as exc:
                self.finished(job, Outcome("pending", "not sent: the transport failed"))
                self._stop(str(exc), fatal=True)
                return
            except TransportError as exc:
                self._refused(job, exc)
                return
            except Exception as exc:  # one recipient's problem
                self._unexpected_error(job, exc, "hand-over failed")
                return
            self.throttle.success()
            with self._cond:
                self._unexpected = 0
            self.finished(job, Outcome("sent"))
        finally:
            self.throttle.release()

    def _unexpected_error(self, job: Job, exc: Exception, what: str) -> None:
        """An error nobody expected, for one recipient: that one is left pending with
        the cause; the run stops when such errors keep coming one after the other."""
        reason = f"{what}: {_cause(exc)}"
        self.log(f"{reference(job.address)}: {redact(reason)}; left for the next run")
        self.finished(job, Outcome("pending", reason))
        with self._cond:
            self._unexpected += 1
            many = self._unexpected >= self.errors_in_a_row
        if many:
            self._stop(f"stopped after {self.errors_in_a_row} errors in a row, the last: "
                       f"{redact(reason)}", fatal=True)

    def _refused(self, job: Job, exc: TransportError) -> None:
        if exc.connection or exc.code == 421:
            counted, give_up, pause, limit = self.throttle.failure(job.epoch)
            self.finished(job, Outcome("retry", str(exc)))
            if give_up:
                self._later_again(job, 0.0)
                self._stop(f"giving up for now: {redact(str(exc))}")
                return
            if counted:
                self.log(f"{reference(job.address)}: {redact(str(exc))}; slowing down to "
                         f"{limit} connection(s), retrying in {pause:g}s")
            self._later_again(job, pause)
            return
        if not exc.temporary:
            self.log(f"{reference(job.address)}: refused for good: {redact(str(exc))}")
            self.finished(job, Outcome("failed", str(exc)))
            return
        job.tries += 1
        if job.tries > self.retry.retries:
            self.log(f"{reference(job.address)}: still failing, left for the next run: "
                     f"{redact(str(exc))}")
            self.finished(job, Outcome("pending", str(exc)))
            return
        wait = self.retry.wait(job.tries - 1)
        self.log(f"{reference(job.address)}: {redact(str(exc))}; retrying in {wait:g}s")
        self.finished(job, Outcome("retry", str(exc)))
        self._later_again(job, wait)
