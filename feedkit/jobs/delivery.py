"""One period's deliveries: claim from the state, personalise, sign, hand over on the
pool, record.

The parts, each testable alone: `state.claim` says who is next (rows marked
`sending`); `Letters` renders once per language and personalises per recipient;
the DKIM signer signs each personal message (in the pool's threads, so the RSA
work of several messages overlaps); `mail.pool.Pool` hands over on N connections;
the callbacks here record each outcome at once.

Exactly once: a delivery is committed `sending` (attempt counted, Message-ID
stored) before its message is handed over and `sent` the moment the 250 arrives.
A run killed in between leaves at most one message per connection accepted by
the server but still `sending`; the next run sends those again with the same
Message-ID. Deliveries claimed but not yet handed over are put back to pending
when a run stops, and are simply sent by the next one when it was killed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..addresses import envelope_address, redact, reference
from ..errors import FeedkitError
from ..model import Post, Registry
from ..periods import Period
from ..retry import Backoff
from ..state import SendState, StateError
from .sending import LEASE

if TYPE_CHECKING:
    from datetime import datetime

    from ..mail.handover import Transport
    from ..mail.personal import Letters
    from ..mail.pool import Job, Outcome
    from ..mail.signing import DkimSigner
    from .sending import Reporter, Summary


@dataclass
class Delivering:
    """Everything one period's hand-over needs."""

    registry: Registry
    state: SendState
    connect: Callable[[], Transport]
    connections: int
    secret: bytes
    reporter: Reporter
    retry: Backoff
    template_dirs: tuple[Path, ...]
    now: datetime
    worker: str
    current: set[str]
    summary: Summary
    signer: DkimSigner | None = None
    per_second: float = 0.0
    per_hour: int = 0
    lease: float = LEASE  # how long a claim holds (senders sharing a PostgreSQL state)


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


def sent_in_last_hour(state: SendState) -> list[float]:
    """What the state sent in the past hour, as monotonic-clock moments (the pacer's)."""
    from datetime import UTC, datetime, timedelta

    wall = datetime.now(UTC)
    mono = time.monotonic()
    since = (wall - timedelta(hours=1)).isoformat(timespec="milliseconds")
    return [mono - (wall - datetime.fromisoformat(at)).total_seconds()
            for at in state.sent_since(since)]


def deliver(ctx: Delivering, period: Period, posts: tuple[Post, ...]) -> None:
    """Hand over every open delivery of `period`; the summary counts what happened."""
    from ..mail.personal import Letters
    from ..mail.pool import Job, Pacer, Pool
    from ..mail.tokens import sign
    from ..mail.verp import verp_address
    from ..text.i18n import resolve_language

    site, state, summary = ctx.registry.site, ctx.state, ctx.summary
    lock = threading.Lock()  # the state's connection and the reporter, across threads
    templates: dict[str, Letters] = {}
    languages: dict[str, str] = {}
    suppressed = _Suppressed(state)
    ctx.reporter.start(period.label, state.unclaimed(period.key))

    def letters(tag: str) -> Letters:
        language = languages.get(tag) or languages.setdefault(tag, resolve_language(tag))
        if language not in templates:
            templates[language] = Letters(
                ctx.registry, period.window, posts, language=language,
                template_dirs=ctx.template_dirs, date=ctx.now, log=ctx.reporter.log,
                label=f"{period.label} ({language})")
        return templates[language]

    def skip(key: str, status: str, reason: str | None = None) -> None:
        with lock:
            state.mark(period.key, key, status, reason)
            ctx.reporter.outcome(period.label, reference(key), status, reason)
            ctx.reporter.advance()

    def source(limit: int) -> list[Job]:
        jobs: list[Job] = []
        while not jobs:
            with lock:
                batch = state.claim(period.key, ctx.worker, limit, ctx.lease)
                resumed = sum(1 for d in batch if d.status == "sending")
                if resumed:
                    ctx.reporter.log(f"{period.label}: {resumed} message(s) were claimed or "
                                     "being handed over when an earlier run stopped; sending "
                                     "them with the same Message-ID")
            if not batch:
                return []
            for delivery in batch:
                key = delivery.recipient
                if key not in ctx.current:
                    skip(key, "removed", "no longer subscribed")
                    summary.removed += 1
                    continue
                template = letters(delivery.language or site.language)
                try:
                    message_id, data = template.message(
                        delivery.name, delivery.address, key,
                        sign("unsubscribe", key, ctx.secret))
                except (ValueError, UnicodeError, FeedkitError) as exc:
                    skip(key, "failed", f"can't be written: {exc}")
                    ctx.reporter.log(f"{reference(delivery.address)}: can't be written as a "
                                     f"message: {redact(str(exc))}")
                    summary.failed += 1
                    continue
                sender = (verp_address(site.bounce_address, key, period.key, ctx.secret)
                          if site.bounce_address else template.envelope)
                jobs.append(Job(key, delivery.address, sender,
                                envelope_address(delivery.address), message_id, data))
        return jobs

    def started(job: Job) -> bool:
        with lock:
            if suppressed.contains(job.key):
                state.mark(period.key, job.key, "suppressed")
                summary.suppressed += 1
                ctx.reporter.outcome(period.label, reference(job.address), "suppressed")
                ctx.reporter.advance()
                return False
            if not state.mark_sending(period.key, job.key, job.message_id, ctx.worker,
                                      ctx.lease):
                ctx.reporter.log(f"{reference(job.address)}: another sender took it over "
                                 "(this run's claim ran out); not sent by this one")
                ctx.reporter.advance()
                return False
        return True

    def finished(job: Job, outcome: Outcome) -> None:
        with lock:
            if outcome.status == "sent":
                state.mark_sent(period.key, job.key)
                summary.sent += 1
            else:
                status = "failed" if outcome.status == "failed" else "pending"
                state.mark(period.key, job.key, status, outcome.reason)
                summary.failed += outcome.status == "failed"
                summary.pending += outcome.status == "pending"
            if outcome.status != "retry":
                ctx.reporter.outcome(period.label, reference(job.address), outcome.status,
                                     redact(outcome.reason) if outcome.reason else None)
                ctx.reporter.advance()

    def log(text: str) -> None:
        with lock:
            ctx.reporter.log(text)

    signer = ctx.signer
    pacer = Pacer(ctx.per_second, ctx.per_hour,
                  sent_in_last_hour(state) if ctx.per_hour else ())
    pool = Pool(ctx.connect, ctx.connections, ctx.retry, pacer,
                prepare=(lambda job: signer.sign(job.data)) if signer else (lambda job: job.data),
                started=started, finished=finished, log=log)
    before = summary.pending
    pool.run(source)
    try:
        state.release(period.key, ctx.worker)
    except StateError:
        if pool.error is None:
            raise
    if pool.error is not None:  # the state (or a bug) failed: exit 1 naming it
        ctx.reporter.done()
        if isinstance(pool.error, FeedkitError):
            raise pool.error
        raise FeedkitError(f"the send run stopped: {pool.stopped}") from pool.error
    if pool.stopped:
        summary.stopped, summary.fatal = pool.stopped, pool.fatal
        summary.pending = before + state.unclaimed(period.key)  # not another sender's
    ctx.reporter.done()
