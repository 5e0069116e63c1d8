"""`feedkit send`: each period's digest to each subscriber exactly once.

The state decides what is left to do (periods.plan, state.SendState); the digest
is rendered once per period and language and personalised per recipient
(mail.personal.Letters); the transport (mail.transport) only hands messages over.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..addresses import envelope_address
from ..errors import FeedkitError, UsageError
from ..load.subscribers import Subscriber
from ..model import Post, Registry
from ..periods import PERIODS, Period, last_complete, local_day, plan
from ..retry import Backoff
from ..state import Delivery, SendState
from ..state.store import worker_name

CLAIM_BATCH = 20  # deliveries a sender claims at a time
LEASE = 600.0  # seconds a claim lasts unless a hand-over renews it (--lease)

if TYPE_CHECKING:
    from ..mail.handover import Transport
    from ..mail.personal import Letters


@dataclass
class Summary:
    """What a run did (or, for a dry run, would do)."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    suppressed: int = 0
    removed: int = 0
    held: int = 0  # open deliveries other senders still held when this one finished
    periods_done: list[str] = field(default_factory=list)
    periods_left: list[str] = field(default_factory=list)
    stopped: str = ""
    fatal: bool = False  # stopped by a set-up problem (login, TLS) rather than a fault

    def line(self) -> str:
        text = (f"sent {self.sent}, pending {self.pending}, failed {self.failed}, "
                f"suppressed {self.suppressed}")
        text += f", removed {self.removed}" if self.removed else ""
        return text + (f", held by other senders {self.held}" if self.held else "")


class Reporter(Protocol):
    """Where progress goes: a rich bar on a terminal, plain lines otherwise."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self) -> None: ...

    def log(self, text: str) -> None: ...

    def done(self) -> None: ...


@dataclass
class Sender:
    """Runs one `feedkit send` over an open state. `transport` is None for a dry run."""

    registry: Registry
    subscribers: tuple[Subscriber, ...]
    state: SendState
    transport: Transport | None
    secret: bytes | None
    reporter: Reporter
    retry: Backoff = field(default_factory=Backoff)
    template_dirs: tuple[Path, ...] = ()
    sleep: Callable[[float], None] = time.sleep
    summary: Summary = field(default_factory=Summary)
    worker: str = field(default_factory=worker_name)
    lease: float = LEASE

    @property
    def dry_run(self) -> bool:
        return self.transport is None

    def run(self, kind: str, now: datetime) -> Summary:
        """Work through every planned period of `kind`, oldest first."""
        self.now = now
        today = now.astimezone(self.registry.site.tz).date()
        recorded = [(date.fromisoformat(r.start), r.status) for r in self.state.periods(kind)]
        periods = plan(kind, today, recorded)
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

    # -- one period ---------------------------------------------------------------
    def _period(self, period: Period) -> None:
        started = period.key in {r.period for r in self.state.periods(period.kind)}
        posts = self._recorded_posts(period) if started else self._new_posts(period)
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
            posts = self._recorded_posts(period)  # another sender started it meanwhile
        self._deliver(period, posts)

    def _recorded_posts(self, period: Period) -> tuple[Post, ...]:
        ids = self.state.period_post_ids(period.key)
        return tuple(p for p in self.registry.posts if p.id in ids)

    def _new_posts(self, period: Period) -> tuple[Post, ...]:
        """The period's posts: those dated in its window, and late ones (dated in an
        earlier period of the list's life but added after it was sent), never a post
        some period already holds."""
        already = self.state.sent_post_ids()
        site = self.registry.site
        starts = [r.start for r in self.state.periods(period.kind)]
        first = date.fromisoformat(min(starts)) if starts else period.window.start
        return tuple(p for p in self.registry.posts if p.id not in already
                     and first <= local_day(p, site) <= period.window.end)

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

    def _claimed(self, period: Period) -> Iterator[tuple[Delivery, int]]:
        """This run's deliveries of a period, claimed a few at a time so that several
        senders sharing a state split them; each with how many of its batch are left."""
        while batch := self.state.claim(period.key, self.worker, CLAIM_BATCH, self.lease):
            resumed = sum(1 for d in batch if d.status == "sending")
            if resumed:
                self.reporter.log(f"{period.label}: {resumed} message(s) were being handed "
                                  "over when an earlier run stopped; sending them again with "
                                  "the same Message-ID")
            for index, delivery in enumerate(batch):
                yield delivery, len(batch) - index

    def _deliver(self, period: Period, posts: Sequence[Post]) -> None:
        from ..mail.handover import SetupError, TransportError
        from ..mail.personal import Letters
        from ..mail.tokens import sign
        from ..text.i18n import resolve_language

        assert self.transport is not None and self.secret is not None
        site = self.registry.site
        current = {s.key for s in self.subscribers}
        templates: dict[str, Letters] = {}
        languages: dict[str, str] = {}
        suppressed = _Suppressed(self.state)
        self.reporter.start(period.label, self.state.unclaimed(period.key))
        for delivery, left in self._claimed(period):
            key = delivery.recipient
            if suppressed.contains(key):
                self.state.mark(period.key, key, "suppressed")
                self.summary.suppressed += 1
                self.reporter.advance()
                continue
            if key not in current:
                self.state.mark(period.key, key, "removed", "no longer subscribed")
                self.summary.removed += 1
                self.reporter.advance()
                continue
            tag = delivery.language or site.language
            language = languages.get(tag) or languages.setdefault(tag, resolve_language(tag))
            template = templates.get(language)
            if template is None:
                template = Letters(self.registry, period.window, posts, language=language,
                                   template_dirs=self.template_dirs, date=self.now,
                                   log=self.reporter.log, label=f"{period.label} ({language})")
                templates[language] = template
            try:
                message_id, data = template.message(delivery.name, delivery.address, key,
                                                    sign("unsubscribe", key, self.secret))
            except (ValueError, UnicodeError, FeedkitError) as exc:
                self.state.mark(period.key, key, "failed", f"can't be written: {exc}")
                self.reporter.log(f"{delivery.address}: can't be written as a message: {exc}")
                self.summary.failed += 1
                self.reporter.advance()
                continue
            try:
                outcome = self._hand_over(period, delivery, data, message_id, template.envelope)
            except SetupError as exc:
                self.summary.stopped = str(exc)
                self.summary.fatal = True
                outcome = "pending"
            except TransportError as exc:  # retries used up on a dead connection
                self.summary.stopped = f"giving up for now: {exc}"
                outcome = "pending"
            if outcome == "sent":
                self.summary.sent += 1
            elif outcome == "failed":
                self.summary.failed += 1
            self.reporter.advance()
            if self.summary.stopped:
                self.summary.pending += left + self.state.unclaimed(period.key)
                break
            if outcome == "pending":
                self.summary.pending += 1
        self.state.release(period.key, self.worker)
        self.reporter.done()
        done = self.state.finish_period_if_complete(period.key)
        counts = self.state.counts(period.key)
        if done:
            self.summary.periods_done.append(period.label)
            self.reporter.log(f"{period.label}: done ({counts.get('sent', 0)} sent in all)")
        else:  # what is open and nobody may claim now is another sender's
            self.summary.held += max(0, counts.get("pending", 0) + counts.get("sending", 0)
                                     - self.state.unclaimed(period.key))

    def _hand_over(self, period: Period, delivery: Delivery, data: bytes,
                   message_id: str, envelope_from: str) -> str:
        """Send with retries; returns 'sent', 'failed', 'pending' (retry next run) or
        'lost' (the claim ran out and another sender took the delivery over)."""
        from ..mail.handover import SetupError, TransportError

        assert self.transport is not None
        key = delivery.recipient
        for attempt in range(self.retry.retries + 1):
            if not self.state.mark_sending(period.key, key, message_id, self.worker,
                                           self.lease):
                self.reporter.log(f"{delivery.address}: another sender took it over (the "
                                  "claim's lease ran out); not sent by this one")
                return "lost"
            try:
                self.transport.send(data, envelope_from, envelope_address(delivery.address))
            except SetupError:
                self.state.mark(period.key, key, "pending", "not sent: the transport failed")
                raise
            except TransportError as exc:
                if not exc.temporary and not exc.connection:
                    self.state.mark(period.key, key, "failed", str(exc))
                    self.reporter.log(f"{delivery.address}: refused for good: {exc}")
                    return "failed"
                self.state.mark(period.key, key, "pending", str(exc))
                if attempt == self.retry.retries:
                    self.reporter.log(f"{delivery.address}: still failing, left for the next "
                                      f"run: {exc}")
                    if exc.connection:
                        raise
                    return "pending"
                wait = self.retry.wait(attempt)
                self.reporter.log(f"{delivery.address}: {exc}; retrying in {wait:g}s")
                self.sleep(wait)
                continue
            self.state.mark(period.key, key, "sent")
            return "sent"
        raise AssertionError("unreachable")


class _Suppressed:
    """The suppression list, re-read at most once a second during a run, so that an
    unsubscribe made while a long batch runs is honoured within a second."""

    def __init__(self, state: SendState, every: float = 1.0) -> None:
        self.state = state
        self.every = every
        self.loaded = -every
        self.keys: set[str] = set()

    def contains(self, key: str) -> bool:
        now = time.monotonic()
        if now - self.loaded >= self.every:
            self.keys = self.state.suppressed()
            self.loaded = now
        return key in self.keys



@dataclass(frozen=True)
class SendRequest:
    """What one `feedkit send` run is asked to do."""

    registry: Path
    kind: str
    now: datetime
    subscribers: Path | None = None
    smtp_url: str | None = None
    state: str | Path | None = None  # a SQLite file or a postgresql:// URL
    templates: Path | None = None
    dry_run: bool = False
    retry: Backoff = field(default_factory=Backoff)
    smtp_ca: Path | None = None
    lease: float = LEASE


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
    """Load everything, take the lock (SQLite) and send (or, with dry_run, only list)."""
    import os

    from ..load import load
    from ..mail.tokens import secret_from_env
    from ..mail.transport import open_transport
    from ..project import Project
    from ..state import locate

    env = dict(os.environ if environ is None else environ)
    if request.kind not in PERIODS:
        raise UsageError("--period", f"'{request.kind}' is not one of: {', '.join(PERIODS)}")
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
            state.close()
    secret = secret_from_env(env)
    transport = open_transport(request.smtp_url, project.outbox, env, ca_file=request.smtp_ca)
    with location.sender_lock():
        state = location.open()
        try:
            everyone = recipients(subscribers, state, request.registry)
            sender = Sender(registry, everyone, state, transport, secret, reporter,
                            request.retry, dirs, lease=request.lease)
            who = f" as {sender.worker}" if location.shared else ""
            reporter.log(f"sending {request.kind} digests via {transport.description}{who}")
            try:
                return sender.run(request.kind, request.now)
            finally:
                transport.close()
        finally:
            state.close()
