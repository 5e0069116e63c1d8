"""The pool's parts alone, on a pretend clock: the pacer's rate limits and the
throttle that slows down when a relay refuses."""

from __future__ import annotations

import pytest

from feedkit.channels import Parcel, Recipient
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


def test_a_growing_throttle_adds_links_while_wanted_and_stays_under_a_refusal() -> None:
    clock = Clock()
    throttle = Throttle(64, Backoff(retries=3, delay=1.0), clock, start=8)
    assert (throttle.limit, throttle.most, throttle.adaptive) == (8, 64, True)
    for _ in range(4 * Throttle.RAMP):
        throttle.success(demand=True)
    assert throttle.limit == 12  # one more link every RAMP successes
    for _ in range(40):
        throttle.success(demand=False)  # nobody waits for a link: no growth
    assert throttle.limit == 12
    while throttle.limit < 20:
        throttle.success()
    assert throttle.failure(0)[:2] == (True, False)  # refused at 20
    assert (throttle.limit, throttle.most) == (10, 19)  # halved; never 20 again
    for _ in range(2000):
        throttle.success()
    assert throttle.limit == 19


def test_payload_processes_started_early_end_when_not_needed() -> None:
    from feedkit.channels import offload

    offload.prewarm(2, ["json"])
    processes = list(offload._warm)
    assert len(processes) == 2 and all(p.poll() is None for p in processes)
    offload.cool()
    assert offload._warm == [] and all(p.returncode == 0 for p in processes)


class BigPayloads:
    """A recipe (made again in the payload process) whose payloads fill pipes fast."""

    def __call__(self, log: object) -> BigPayloads:
        return self

    def payload(self, recipient: Recipient) -> Parcel:
        return Parcel(recipient, recipient.key, b"x" * 20_000, "", "")


def test_asking_for_many_payloads_never_deadlocks_on_the_pipes() -> None:
    """Requests fill the process's input while its answers fill its output: the answers
    are still read, so every request gets through and every chunk is answered."""
    import threading

    from feedkit.channels.offload import Offload

    offload = Offload(BigPayloads(), 1)
    chunks: list[object] = []
    asking = threading.Thread(target=lambda: chunks.extend(offload.submit(
        [Recipient(f"reader{i}-{n}@example.org" + "x" * 40, "", "", None)
         for n in range(32)]) for i in range(60)), daemon=True)
    try:
        asking.start()
        asking.join(20)
        assert not asking.is_alive(), "deadlocked"
        assert all(len(chunk.result(20)[0]) == 32 for chunk in chunks)  # type: ignore
    finally:
        offload.close()
