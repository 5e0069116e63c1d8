"""The one thread of a send run that talks to the state, for one period: it claims
deliveries for the pool (channels/pool.py), records each start before its hand-over
and each outcome after it, and stops the run cleanly when the state fails.

Exactly once: a delivery is committed `sending` (attempt counted, Message-ID stored)
before its payload is handed over, and `sent` in the next commit after the answer.
Everything the pool reported since the last commit is written in one transaction,
outcomes first; a worker's next start is answered only after the commit that holds
its previous outcome, so a run killed at any moment leaves at most one accepted
message per link still `sending`: the next run sends it again with the same
Message-ID. Deliveries claimed but never handed over are put back to pending when a
run stops, and are simply sent by the next one when it was killed.

When the state fails (locked, a dropped connection, a full disk), nothing new starts,
what is in flight finishes, and its outcomes are written as soon as the state takes
writes again (for a few seconds); the period stays open for the next run.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Container, Iterable

from ..channels import Recipient
from ..channels.pool import Done, Event, Job, Pool, Start
from ..periods import Period
from ..state import SendState, StateError
from .sending import SendReport

SETTLE = (0.1, 0.2, 0.4, 0.8, 1.0)  # waits before trying an unrecorded outcome again
TAKEN = "another sender took it over (this run's claim ran out); not sent by this one"


class Suppressed:
    """The suppression list, re-read at most once a second during a run, so that an
    unsubscribe made while a long batch runs is honoured within a second."""

    def __init__(self, state: SendState, every: float = 1.0) -> None:
        self.state = state
        self.every = every
        self.loaded = -every
        self.keys: set[str] = set()

    def __contains__(self, key: str) -> bool:
        now = time.monotonic()
        if now - self.loaded >= self.every:
            self.keys = self.state.suppressed()
            self.loaded = now
        return key in self.keys


class Bookkeeper:
    """Feeds one period's deliveries to a pool and records what becomes of them."""

    def __init__(self, state: SendState, period: Period, worker: str, lease: float,
                 current: Container[str], report: SendReport) -> None:
        self.state, self.period, self.worker, self.lease = state, period, worker, lease
        self.key = period.key
        self.current = current
        self.report = report
        self.suppressed = Suppressed(state)
        self.failed: StateError | None = None
        self._unrecorded: list[Done] = []
        self.claimed = self.settled = 0

    def run(self, pool: Pool) -> None:
        """Hand every open delivery of the period to `pool` until it is done or stopped
        (`pool.stopped` says why)."""
        pool.start()
        more = True
        try:
            while True:
                if more and not self.failed and (room := pool.room()):
                    more = self._claim(pool, room)
                    if not more:
                        pool.no_more()
                if pool.idle and pool.events.empty():
                    break
                self._record(pool, self._events(pool))
        except BaseException:  # a bug here: still record what finished in flight
            pool.close()
            with contextlib.suppress(Exception):
                self._record(pool, self._events(pool, wait=False))
            raise
        pool.close()
        self._record(pool, self._events(pool, wait=False))
        if self.failed:
            self._settle()
        try:
            self.state.release(self.key, self.worker)
        except StateError as exc:
            self._fail(pool, exc)

    def left(self) -> int:
        """Open deliveries no other sender holds: what the next run has to send."""
        try:
            return self.state.unclaimed(self.key)
        except StateError:
            return self.claimed - self.settled  # at least these; the state can't say

    # -- claims ------------------------------------------------------------------------
    def _claim(self, pool: Pool, room: int) -> bool:
        """Claim up to `room` deliveries for the pool; False when none is left."""
        try:
            batch = self.state.claim(self.key, self.worker, room, self.lease)
            gone = [d for d in batch if d.recipient not in self.current]
            if gone:
                with self.state.transaction():
                    for delivery in gone:
                        self.state.mark(self.key, delivery.recipient, "removed",
                                        "no longer subscribed")
        except StateError as exc:
            self._fail(pool, exc)
            return False
        if not batch:
            return False
        resumed = sum(1 for d in batch if d.status == "sending")
        if resumed:
            self.report.note(f"{self.period.label}: {resumed} message(s) were claimed or being "
                             "handed over when an earlier run stopped; sending them with the "
                             "same Message-ID")
        for delivery in gone:
            self.report.outcome(delivery.address, "removed")
        self.claimed += len(batch) - len(gone)
        pool.add([Job(Recipient(d.recipient, d.address, d.name, d.language)) for d in batch
                  if d.recipient in self.current])
        return True

    # -- starts and outcomes -------------------------------------------------------------
    @staticmethod
    def _events(pool: Pool, wait: bool = True) -> list[Event]:
        """What the pool said since the last call: waits up to a second for the first."""
        found: list[Event] = []
        try:
            found += pool.events.get(timeout=1.0) if wait else pool.events.get_nowait()
            while len(found) < 5000:
                found += pool.events.get_nowait()
        except queue.Empty:
            pass
        return found

    def _record(self, pool: Pool, events: Iterable[Event]) -> None:
        """Write the outcomes and starts in one transaction, then answer the starts."""
        starts = [e for e in events if isinstance(e, Start)]
        self._unrecorded += [e for e in events if isinstance(e, Done)]
        if self.failed:
            pool.answer(starts, [False] * len(starts))
            return
        verdicts: list[str] = []
        try:
            with self.state.transaction():
                self._write(self._unrecorded)
                verdicts = self._start([start.job for start in starts])
        except StateError as exc:
            pool.answer(starts, [False] * len(starts))
            self._fail(pool, exc)
            return
        recorded, self._unrecorded = self._unrecorded, []
        self._told(recorded)
        for start, verdict in zip(starts, verdicts, strict=True):
            address = start.job.recipient.address
            if verdict == "suppressed":
                self.report.outcome(address, "suppressed")
            elif verdict == "taken":
                self.report.outcome(address, "taken", TAKEN)
            self.settled += verdict != "ok"
        pool.answer(starts, [verdict == "ok" for verdict in verdicts])

    def _start(self, jobs: list[Job]) -> list[str]:
        """Record that `jobs` are being handed over: for each, 'ok' or why not."""
        verdicts: list[str] = []
        starting: list[tuple[str, str]] = []
        for job in jobs:
            key = job.recipient.key
            if key in self.suppressed:
                self.state.mark(self.key, key, "suppressed")
                verdicts.append("suppressed")
            else:
                assert job.parcel is not None
                starting.append((key, job.parcel.ident))
                verdicts.append("")
        held = iter(self.state.mark_sending_many(self.key, starting, self.worker, self.lease))
        return [verdict or ("ok" if next(held) else "taken") for verdict in verdicts]

    def _write(self, dones: list[Done]) -> None:
        sent = [done.job.recipient.key for done in dones if done.outcome.status == "sent"]
        if sent:
            self.state.mark_sent_many(self.key, sent)
        for done in dones:
            key, outcome = done.job.recipient.key, done.outcome
            if outcome.status == "gone":
                self.state.mark(self.key, key, "failed", outcome.reason)
                self.state.suppress(key, "gone")
            elif outcome.status != "sent":
                status = "failed" if outcome.status == "failed" else "pending"
                self.state.mark(self.key, key, status, outcome.reason)

    def _told(self, dones: list[Done]) -> None:
        for done in dones:
            outcome = done.outcome
            self.report.outcome(done.job.recipient.address, outcome.status, outcome.log)
            self.settled += outcome.status != "retry"

    # -- when the state fails ------------------------------------------------------------
    def _fail(self, pool: Pool, exc: StateError) -> None:
        if self.failed is None:
            self.failed = exc
            pool.halt(f"the state failed: {exc}; nothing new was started, and `feedkit "
                      "send` resumes the period")

    def _settle(self) -> None:
        """Try to write what the pool did after the state failed, for a few seconds."""
        for wait in SETTLE:
            if not self._unrecorded:
                return
            time.sleep(wait)
            try:
                with self.state.transaction():
                    self._write(self._unrecorded)
            except StateError:
                continue
            recorded, self._unrecorded = self._unrecorded, []
            self._told(recorded)
        accepted = sum(1 for d in self._unrecorded if d.outcome.status == "sent")
        if accepted:
            self.report.note(f"{self.period.label}: {accepted} message(s) the server accepted "
                             "could not be recorded as sent; the next run sends them again "
                             "with the same Message-ID")
        recorded, self._unrecorded = self._unrecorded, []
        self._told(recorded)
