"""Pacing a pool of links (channels/pool.py). Both answer at once (how long to wait,
or whether a slot is free); the pool's event loop does the waiting.

- Rate limits (`Pacer`): at most `per_second` starts a second, evenly spaced, and at
  most `per_hour` in any hour, counting what earlier runs sent. When the hour's
  budget is used up for longer than a minute, the pool stops and the rest waits for a
  later run.
- Slowing down (`Throttle`): a refused or dropped connection, or a 421, halves the
  links in use and pauses every link for the retry delay (doubling with each failure
  in a row); successes add a link back one at a time. Failures of hand-overs already
  in flight when the pool slowed down count once. When `retries` failures follow each
  other, the pool stops. A throttle started below its most (`start`) adds links
  while hand-overs wait for one, and stays under the number at which the other side
  first refused.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable

from ..retry import Backoff


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
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)

    def reserve(self) -> float:
        """Take the next start: the seconds to wait before it (HourlyLimit when that is
        too far)."""
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
        return max(0.0, start - now)


class Throttle:
    """How many connections may work now, and until when they all pause. Used by one
    thread (the pool's event loop); `changed` is called whenever a slot may have come
    free, for the pool to wake its waiting links."""

    RAMP = 4  # successes per link added while growing, until the first failure

    def __init__(self, connections: int, retry: Backoff,
                 clock: Callable[[], float] = time.monotonic, *, start: int = 0) -> None:
        self.most = max(1, connections)
        self.limit = min(self.most, start) if start > 0 else self.most
        self.adaptive = self.limit < self.most  # growing from `start` while it helps
        self._ramping = self.adaptive
        self.retry = retry
        self.failures = 0  # connection failures in a row, pool-wide
        self.active = 0
        self.paused_until = 0.0
        self._successes = 0
        self._clock = clock
        self.changed: Callable[[], None] = lambda: None

    def acquire(self) -> int | None:
        """Take a slot if one is free now: the failure epoch to hand to failure(), or
        None (full, or paused: `pause_left()` says how long)."""
        if self.active < self.limit and self.pause_left() <= 0:
            self.active += 1
            return self.failures
        return None

    def pause_left(self) -> float:
        return max(0.0, self.paused_until - self._clock())

    def release(self) -> None:
        self.active -= 1
        self.changed()

    def success(self, demand: bool = True) -> None:
        """A hand-over went through. Links come back (or, growing, are added) while
        hand-overs wait for one (`demand`): one per `limit` successes after a failure,
        one per RAMP successes before the first."""
        self.failures = 0
        if self.limit < self.most and demand:
            self._successes += 1
            if self._successes >= (self.RAMP if self._ramping else self.limit):
                self.limit += 1
                self._successes = 0
                self.changed()

    def failure(self, epoch: int) -> tuple[bool, bool, float, int]:
        """A connection failed for a try started at `epoch`: (counted, give up, pause,
        limit). A failure already counted since that try started changes nothing more."""
        counted = epoch == self.failures
        if counted:
            if self.adaptive:  # grown past what the other side takes: stay under it
                self.most = max(1, min(self.most, self.limit - 1))
                self._ramping = False
            self.failures += 1
            self.limit = max(1, self.limit // 2)
            self._successes = 0
            pause = self.retry.wait(self.failures - 1)
            self.paused_until = max(self.paused_until, self._clock() + pause)
        give_up = self.failures > self.retry.retries
        return counted, give_up, self.pause_left(), self.limit
