"""One `feedkit send` run: every planned period of a kind, oldest first, each delivered
through a channel by a pool of links (channels/pool.py) that a bookkeeper feeds and
records (jobs/bookkeeper.py). The run's thread is the only one that talks to the state.

A dry run (no channel) only lists who would get which digest.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..addresses import redact
from ..channels import Channel
from ..load.subscribers import Subscriber
from ..model import Post, Registry
from ..periods import Period, last_complete
from ..retry import Backoff
from ..state import Delivery, SendState, StateError
from .sending import LEASE, SendReport, Summary, keys_of, planned, posts_for

# Payloads are made in processes of their own (channels/offload.py) for a period with
# at least OFFLOAD_FROM deliveries open, in two processes from TWO_FROM: starting one
# costs about half a second of CPU (imports, the digest rendered), what making about
# 1,500 payloads costs; beyond that each keeps a core busy that the sending process's
# interpreter lock would otherwise hold up.
OFFLOAD_FROM = 2000
TWO_FROM = 8000


def payload_processes(deliveries: int) -> int:
    """How many processes make the payloads of `deliveries` (0: the sending process)."""
    return 0 if deliveries < OFFLOAD_FROM else 1 if deliveries < TWO_FROM else 2


# Makes the channel for one period's digest; it may say things through the report.
ChannelFor = Callable[[Period, tuple[Post, ...], SendReport], Channel]


@dataclass
class SendRun:
    """Runs one `feedkit send` over an open state; `channel_for` is None for a dry run."""

    registry: Registry
    subscribers: Iterable[Subscriber]  # a tuple, or Recipients (a file read again when used)
    state: SendState
    channel_for: ChannelFor | None
    report: SendReport
    retry: Backoff = field(default_factory=Backoff)
    connections: int = 1
    per_second: float = 0.0
    per_hour: int = 0
    worker: str = ""
    lease: float = LEASE
    grow_to: int = 0  # more connections than `connections`, added while they help

    @property
    def summary(self) -> Summary:
        return self.report.summary

    @property
    def dry_run(self) -> bool:
        return self.channel_for is None

    def run(self, kind: str, now: datetime) -> Summary:
        """Work through every planned period of `kind`, oldest first."""
        today = now.astimezone(self.registry.site.tz).date()
        periods = planned(self.state, kind, today)
        if not periods:
            last = last_complete(kind, today)
            self.report.note(f"nothing to send: every {kind} up to {last.end} is done" if last
                             else f"nothing to send: no {kind} has ended yet")
        for period in periods:
            if self.summary.stopped:
                with contextlib.suppress(StateError):  # when the state is what failed
                    counts = self.state.counts(period.key)
                    self.summary.pending += counts.get("pending", 0) + counts.get("sending", 0)
                self.summary.periods_left.append(period.label)
                continue
            self._period(period)
        return self.summary

    def _period(self, period: Period) -> None:
        posts, started = posts_for(self.registry, self.state, period)
        if not posts and not started:
            verb = "would record" if self.dry_run else "recorded"
            self.report.note(f"{period.label}: no posts; {verb} as done, nothing sent")
            if not self.dry_run:
                self.state.start_period(period.key, period.kind, period.window.start.isoformat(),
                                        period.window.end.isoformat(), (), ())
            self.summary.periods_done.append(period.label)
            return
        if self.dry_run:
            self._dry(period, posts, self._todo(period, started))
            return
        if not started and not self.state.start_period(
                period.key, period.kind, period.window.start.isoformat(),
                period.window.end.isoformat(), [p.id for p in posts],
                ((s.key, s.email, s.name, s.language) for s in self.subscribers)):
            posts, _ = posts_for(self.registry, self.state, period)  # another sender's
        if self._deliver(period, posts):
            self._finish(period)

    def _deliver(self, period: Period, posts: tuple[Post, ...]) -> bool:
        """Hand the period over; False when the state failed under it."""
        from ..channels.pacing import Pacer
        from ..channels.pool import Pool
        from .bookkeeper import Bookkeeper

        assert self.channel_for is not None
        channel = self.channel_for(period, posts, self.report)
        pacer = Pacer(self.per_second, self.per_hour,
                      sent_in_last_hour(self.state) if self.per_hour else ())
        todo = self.state.unclaimed(period.key)
        prepare = getattr(channel, "prepare", None)
        if prepare is not None and payload_processes(todo):  # rendered once, here
            prepare(self.state.languages(period.key))
        pool = Pool(channel, channel.connections(self.connections), self.retry, pacer,
                    offload=payload_processes(todo),
                    note=self.report.note,
                    grow_to=channel.connections(self.grow_to) if self.grow_to else 0)
        keeper = Bookkeeper(self.state, period, self.worker, self.lease,
                            keys_of(self.subscribers), self.report)
        before = self.summary.pending
        self.report.period_started(period.label, todo)
        try:
            keeper.run(pool)
        finally:
            self.report.period_ended()
        if pool.stopped:
            self.summary.stopped, self.summary.fatal = redact(pool.stopped), pool.fatal
            self.summary.pending = before + keeper.left()
        return keeper.failed is None

    def _finish(self, period: Period) -> None:
        done = self.state.finish_period_if_complete(period.key)
        counts = self.state.counts(period.key)
        if done:
            self.summary.periods_done.append(period.label)
            self.report.note(f"{period.label}: done ({counts.get('sent', 0)} sent in all)")
        else:  # what is open and nobody may claim now is another sender's
            self.summary.held += max(0, counts.get("pending", 0) + counts.get("sending", 0)
                                     - self.state.unclaimed(period.key))

    # -- a dry run -------------------------------------------------------------------
    def _todo(self, period: Period, started: bool) -> list[Delivery]:
        if started:
            return self.state.open_deliveries(period.key)
        return [Delivery(s.key, s.email, s.name, s.language, "pending", 0, None)
                for s in self.subscribers]

    def _dry(self, period: Period, posts: Sequence[Post], todo: list[Delivery]) -> None:
        suppressed = self.state.suppressed()
        current = keys_of(self.subscribers)
        self.report.note(f"{period.label}: {len(posts)} post(s), {len(todo)} recipient(s)")
        for delivery in todo:
            if delivery.recipient in suppressed:
                self.summary.suppressed += 1
                self.report.note(f"  skip {delivery.address} (unsubscribed)")
            elif delivery.recipient not in current:
                self.summary.removed += 1
                self.report.note(f"  skip {delivery.address} (no longer subscribed)")
            else:
                self.summary.pending += 1
                self.report.note(f"  would send {period.label} to {delivery.address}")


def sent_in_last_hour(state: SendState) -> list[float]:
    """What the state sent in the past hour, as monotonic-clock moments (the pacer's)."""
    from datetime import UTC, timedelta

    wall = datetime.now(UTC)
    mono = time.monotonic()
    since = (wall - timedelta(hours=1)).isoformat(timespec="milliseconds")
    return [mono - (wall - datetime.fromisoformat(at)).total_seconds()
            for at in state.sent_since(since)]
