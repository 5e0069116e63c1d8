"""`feedkit send`: each period's digest to each subscriber exactly once.

The state decides what is left to do (jobs/sending.py's plan over state.SendState);
each period is handed over by jobs/delivery.py (render once per language,
personalise, sign, hand over on a pool of connections, record); `--to` is
jobs/testsend.py's. SendRequest and Summary, shared by all three, live in
jobs/sending.py and are importable from here as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FeedkitError, UsageError
from ..load.subscribers import Subscriber
from ..model import Post, Registry
from ..periods import PERIODS, Period, last_complete
from ..retry import Backoff
from ..state import Delivery, SendState, StateError, StateLocation, locate
from .sending import (
    LEASE,
    Reporter,
    SendRequest,
    Summary,
    connections_for,
    planned,
    posts_for,
)

__all__ = ["Reporter", "SendRequest", "Sender", "Summary", "recipients", "run_send"]

if TYPE_CHECKING:
    from ..mail.handover import Transport
    from ..mail.signing import DkimSigner


@dataclass
class Sender:
    """Runs one `feedkit send` over an open state. `connect` (a new transport per
    connection) is None for a dry run."""

    registry: Registry
    subscribers: tuple[Subscriber, ...]
    state: SendState
    connect: Callable[[], Transport] | None
    secret: bytes | None
    reporter: Reporter
    retry: Backoff = field(default_factory=Backoff)
    template_dirs: tuple[Path, ...] = ()
    connections: int = 1
    signer: DkimSigner | None = None
    per_second: float = 0.0
    per_hour: int = 0
    worker: str = ""
    summary: Summary = field(default_factory=Summary)
    lease: float = LEASE

    @property
    def dry_run(self) -> bool:
        return self.connect is None

    def run(self, kind: str, now: datetime) -> Summary:
        """Work through every planned period of `kind`, oldest first."""
        self.now = now
        today = now.astimezone(self.registry.site.tz).date()
        periods = self.planned(kind, today)
        if not periods:
            last = last_complete(kind, today)
            self.reporter.log(f"nothing to send: every {kind} up to {last.end} is done" if last
                              else f"nothing to send: no {kind} has ended yet")
        for period in periods:
            if self.summary.stopped:
                counts = self.state.counts(period.key)
                self.summary.pending += counts.get("pending", 0) + counts.get("sending", 0)
                self.summary.periods_left.append(period.label)
                continue
            self._period(period)
        return self.summary

    def planned(self, kind: str, today: date) -> list[Period]:
        """The periods a run on `today` works through, oldest first."""
        return planned(self.state, kind, today)

    def posts_for(self, period: Period) -> tuple[tuple[Post, ...], bool]:
        """(the period's posts, whether the state has started it)."""
        return posts_for(self.registry, self.state, period)

    # -- one period ---------------------------------------------------------------
    def _period(self, period: Period) -> None:
        posts, started = self.posts_for(period)
        if not posts and not started:
            verb = "would record" if self.dry_run else "recorded"
            self.reporter.log(f"{period.label}: no posts; {verb} as done, nothing sent")
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
                [(s.key, s.email, s.name, s.language) for s in self.subscribers]):
            posts, _ = self.posts_for(period)  # another sender started it meanwhile
        self._deliver(period, posts)

    def _todo(self, period: Period, started: bool) -> list[Delivery]:
        if started:
            return self.state.open_deliveries(period.key)
        return [Delivery(s.key, s.email, s.name, s.language, "pending", 0, None)
                for s in self.subscribers]

    def _dry(self, period: Period, posts: Sequence[Post], todo: list[Delivery]) -> None:
        suppressed = self.state.suppressed()
        current = {s.key for s in self.subscribers}
        self.reporter.log(f"{period.label}: {len(posts)} post(s), {len(todo)} recipient(s)")
        for delivery in todo:
            if delivery.recipient in suppressed:
                self.summary.suppressed += 1
                self.reporter.log(f"  skip {delivery.address} (unsubscribed)")
            elif delivery.recipient not in current:
                self.summary.removed += 1
                self.reporter.log(f"  skip {delivery.address} (no longer subscribed)")
            else:
                self.summary.pending += 1
                self.reporter.log(f"  would send {period.label} to {delivery.address}")

    def _deliver(self, period: Period, posts: tuple[Post, ...]) -> None:
        from .delivery import Delivering, deliver

        assert self.connect is not None and self.secret is not None
        deliver(Delivering(self.registry, self.state, self.connect, self.connections,
                           self.secret, self.reporter, self.retry, self.template_dirs,
                           self.now, self.worker, {s.key for s in self.subscribers},
                           self.summary, self.signer, self.per_second, self.per_hour,
                           self.lease),
                period, posts)
        done = self.state.finish_period_if_complete(period.key)
        counts = self.state.counts(period.key)
        if done:
            self.summary.periods_done.append(period.label)
            self.reporter.log(f"{period.label}: done ({counts.get('sent', 0)} sent in all)")
        else:  # what is open and nobody may claim now is another sender's
            self.summary.held += max(0, counts.get("pending", 0) + counts.get("sending", 0)
                                     - self.state.unclaimed(period.key))


def load_subscribers_for(registry_path: Path, explicit: Path | None) -> tuple[Subscriber, ...]:
    """The subscribers file given, else the one beside the registry, loaded and checked
    (none at all when there is no file: the list in the state may hold everyone)."""
    from ..load.subscribers import load_subscribers
    from ..project import Project

    path = explicit or Project(registry_path).subscribers_file()
    return () if path is None else load_subscribers(path)


def recipients(from_file: tuple[Subscriber, ...], state: SendState,
               registry_path: Path) -> tuple[Subscriber, ...]:
    """The file's subscribers, then the list's confirmed ones the file doesn't hold (an
    address in both is one recipient, as the file has it). Unsubscribed addresses stay
    in and are skipped by the suppression list, so the state records why."""
    listed = state.list_entries("confirmed") if state.has_table("list_subscribers") else []
    if not from_file and not listed and not (state.has_table("list_subscribers")
                                             and state.list_entries()):
        raise FeedkitError(f"no subscribers: put subscribers.csv (columns email, name, "
                           f"language) beside {registry_path}, pass --subscribers FILE, or "
                           "let people subscribe with feedkit serve")
    known = {s.key for s in from_file}
    extra = tuple(Subscriber(e.address, e.name, e.language) for e in listed
                  if e.recipient not in known)
    return from_file + extra


def run_send(request: SendRequest, reporter: Reporter,
             environ: Mapping[str, str] | None = None) -> Summary:
    """Load everything, take the lock (SQLite) and send (or, with dry_run, only list; with
    `to`, send one test message)."""
    import os

    from ..load import load
    from ..mail.signing import load_signer
    from ..mail.tokens import secret_from_env
    from ..mail.transport import open_transport
    from ..project import Project

    env = dict(os.environ if environ is None else environ)
    if request.kind not in PERIODS:
        raise UsageError("--period", f"'{request.kind}' is not one of: {', '.join(PERIODS)}")
    connections = connections_for(request, env)
    project = Project(request.registry)
    registry = load(request.registry)
    subscribers = load_subscribers_for(request.registry, request.subscribers)
    location = locate(request.state, request.registry)
    dirs = project.template_dirs(request.templates)
    if request.dry_run:
        state = location.peek()
        try:
            everyone = recipients(subscribers, state, request.registry)
            return Sender(registry, everyone, state, None, None, reporter, request.retry,
                          dirs).run(request.kind, request.now)
        finally:
            with contextlib.suppress(StateError):
                state.close()
    secret = secret_from_env(env)
    signer = load_signer(registry.site.dkim, request.registry) if registry.site.dkim else None
    transport = open_transport(request.smtp_url, project.outbox, env, ca_file=request.smtp_ca)
    if request.to is not None:
        from .testsend import test_send

        return test_send(request, registry, location, dirs, transport, secret, signer,
                         reporter, subscribers)
    connect, connections = pool_of(transport, connections)

    def sender(state: SendState) -> Sender:
        return Sender(registry, (), state, connect, secret, reporter, request.retry, dirs,
                      connections, signer, request.per_second, request.per_hour,
                      lease=request.lease)

    return _locked_run(location, sender, request, subscribers, transport.description)


def pool_of(transport: Transport, connections: int) -> tuple[Callable[[], Transport], int]:
    """A maker of transports for the pool: another SMTP connection each time; the one
    Maildir writer (which is local: one is enough)."""
    from ..mail.transport import SmtpTransport

    if isinstance(transport, SmtpTransport):
        return transport.another, connections
    return (lambda: transport), 1


def _locked_run(location: StateLocation, make: Callable[[SendState], Sender],
                request: SendRequest, subscribers: tuple[Subscriber, ...], via: str) -> Summary:
    """Hold the one-sender lock (SQLite), open the state, record the run and send."""
    from ..state.store import worker_name

    with location.sender_lock():
        state = location.open(threads=True)
        try:
            sender = make(state)
            sender.worker = worker_name()
            who = f" as {sender.worker}" if location.shared else ""
            sender.reporter.log(f"sending {request.kind} digests via {via} "
                                f"({sender.connections} connection(s)){who}")
            sender.subscribers = recipients(subscribers, state, request.registry)
            run = state.start_run(sender.worker, request.kind)
            try:
                summary = sender.run(request.kind, request.now)
            except BaseException as exc:
                with contextlib.suppress(StateError):  # the state may be what failed
                    state.finish_run(run, f"error: {exc}"[:500], (0, 0, 0, 0))
                raise
            outcome = (f"stopped: {summary.stopped}" if summary.stopped else
                       "pending" if summary.pending or summary.periods_left else "done")
            state.finish_run(run, outcome[:500], (summary.sent, summary.pending,
                                                  summary.failed, summary.suppressed))
            return summary
        finally:
            with contextlib.suppress(StateError):
                state.close()
