"""The pool's parts alone, on a pretend clock: the pacer's rate limits and the
throttle that slows down when a relay refuses."""

from __future__ import annotations

import pytest

from feedkit.channels.pacing import HourlyLimit, Pacer, Throttle
from feedkit.retry import Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_per_second_spaces_messages_evenly() -> None:
    clock = Clock()
    pacer = Pacer(per_second=10, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        pacer.wait()
    assert clock.slept == pytest.approx([0.1] * 4)


def test_per_hour_counts_earlier_sends_and_stops_when_the_wait_is_long() -> None:
    clock = Clock()
    pacer = Pacer(per_hour=3, sent_before=[clock.now - 3590, clock.now - 100],
                  clock=clock, sleep=clock.sleep)
    pacer.wait()  # the third of the hour
    pacer.wait()  # waits 10 s for the send of 3590 s ago to age out
    assert clock.slept == pytest.approx([10.0])
    with pytest.raises(HourlyLimit, match="limit of 3 messages an hour"):
        pacer.wait()  # the next slot is about an hour away


def test_throttle_counts_a_wave_of_failures_once_and_recovers() -> None:
    clock = Clock()
    throttle = Throttle(8, Backoff(retries=2, delay=1.0), clock)
    epochs = [throttle.acquire() for _ in range(8)]
    assert epochs == [0] * 8 and throttle.active == 8
    first = throttle.failure(0)
    assert first == (True, False, 1.0, 4)  # counted, not giving up, pause 1 s, 4 left
    assert throttle.failure(0)[:2] == (False, False)  # the same wave: not counted again
    assert throttle.limit == 4
    for _ in range(8):
        throttle.release()
    clock.now += 1.0
    assert throttle.acquire() == 1
    throttle.success()
    assert throttle.failures == 0
    for _ in range(4):
        throttle.success()
    assert throttle.limit == 5  # one connection back after a run of successes
    assert throttle.failure(0)[:2] == (True, False)
    assert throttle.failure(1)[:2] == (True, False)
    assert throttle.failure(2)[:2] == (True, True)  # three in a row with retries=2: stop
