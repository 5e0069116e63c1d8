"""`feedkit send`: each period's digest to each subscriber exactly once.

The state (feedkit.state) decides what is left to do; the digest (feedkit.digest)
is rendered once per period and language and personalised per recipient; the
transport (feedkit.mail) only hands messages over.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import FeedkitError
from .subscribers import Subscriber

if TYPE_CHECKING:
    from .digest import Window
    from .mail import Transport
    from .model import Registry
    from .state import Delivery, SendState

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: delay, 2*delay, 4*delay ... at most `max_delay`."""

    retries: int = 4
    delay: float = 2.0
    max_delay: float = 60.0

    def wait(self, attempt: int) -> float:
        return min(self.max_delay, self.delay * (2 ** attempt))


@dataclass
class Summary:
    """What a run did (or, for a dry run, would do)."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    suppressed: int = 0
    removed: int = 0
    periods_done: list[str] = field(default_factory=list)
    periods_left: list[str] = field(default_factory=list)
    stopped: str = ""
    fatal: bool = False  # stopped by a set-up problem (login, TLS) rather than a fault

    def line(self) -> str:
        text = (f"sent {self.sent}, pending {self.pending}, failed {self.failed}, "
                f"suppressed {self.suppressed}")
        return text + (f", removed {self.removed}" if self.removed else "")


class Reporter(Protocol):
    """Where progress goes: a rich bar on a terminal, plain lines otherwise."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self) -> None: ...

    def log(self, text: str) -> None: ...

    def done(self) -> None: ...


@dataclass(frozen=True)
class Period:
    """One period to send: its kind ("week") and inclusive window."""

    kind: str
    window: Window

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.window.start.isoformat()}"

    @property
    def label(self) -> str:
        start, end = self.window.start, self.window.end
        return f"{self.kind} {start}" if start == end else f"{self.kind} {start}..{end}"


def last_complete(kind: str, today: date) -> Window:
    """The most recent period of `kind` that ended before `today`."""
    from .digest import window_for_period

    current = window_for_period(kind, today)
    return window_for_period(kind, current.start - timedelta(days=1))


def plan(kind: str, today: date, recorded: Sequence[tuple[date, str]]) -> list[Period]:
    """Periods to work on, oldest first.

    `recorded` holds (start, status) of periods of this kind already in the state.
    Unfinished ones are resumed; then every complete period after the newest recorded
    one up to the last complete one. With nothing recorded: only the last complete one.
    """
    from .digest import window_for_period

    target = last_complete(kind, today)
    todo = [Period(kind, window_for_period(kind, start)) for start, status in recorded
            if status != "done"]
    if not recorded:
        return [Period(kind, target)]
    newest = max(start for start, _ in recorded)
    window = window_for_period(kind, window_for_period(kind, newest).end + timedelta(days=1))
    while window.start <= target.start:
        todo.append(Period(kind, window))
        window = window_for_period(kind, window.end + timedelta(days=1))
    return sorted(todo, key=lambda p: p.window.start)


@dataclass
class Sender:
    """Runs one `feedkit send` over an open state. `transport` is None for a dry run."""

    registry: Registry
    subscribers: tuple[Subscriber, ...]
    state: SendState
    transport: Transport | None
    secret: bytes | None
    reporter: Reporter
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    template_dirs: tuple[Path, ...] = ()
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    summary: Summary = field(default_factory=Summary)

    @property
    def dry_run(self) -> bool:
        return self.transport is None

    def run(self, kind: str, now: datetime) -> Summary:
        """Work through every planned period of `kind`, oldest first."""
        today = now.astimezone(self.registry.site.tz).date()
        recorded = [(date.fromisoformat(r.start), r.status) for r in self.state.periods(kind)]
        periods = plan(kind, today, recorded)
        if not periods:
            self.reporter.log(f"nothing to send: every {kind} up to {today} is done")
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
        from .digest import posts_in_window

        started = period.key in {r.period for r in self.state.periods(period.kind)}
        if started:
            ids = self.state.period_post_ids(period.key)
            posts = tuple(p for p in self.registry.posts if p.id in ids)
        else:
            already = self.state.sent_post_ids()
            posts = tuple(p for p in posts_in_window(self.registry, period.window)
                          if p.id not in already)
        if not posts and not started:
            verb = "would record" if self.dry_run else "recorded"
            self.reporter.log(f"{period.label}: no posts; {verb} as done, nothing sent")
            if not self.dry_run:
                self.state.start_period(period.key, period.kind, period.window.start.isoformat(),
                                        period.window.end.isoformat(), (), ())
            self.summary.periods_done.append(period.label)
            return
        if not started and not self.dry_run:
            self.state.start_period(
                period.key, period.kind, period.window.start.isoformat(),
                period.window.end.isoformat(), [p.id for p in posts],
                [(s.key, s.email, s.name, s.language) for s in self.subscribers])
        todo = self._todo(period, started)
        if self.dry_run:
            self._dry(period, posts, todo)
            return
        self._deliver(period, posts, todo)

    def _todo(self, period: Period, started: bool) -> list[Delivery]:
        from .state import Delivery

        if started or not self.dry_run:
            return self.state.open_deliveries(period.key)
        return [Delivery(s.key, s.email, s.name, s.language, "pending", 0, None)
                for s in self.subscribers]

    def _dry(self, period: Period, posts: Sequence[object], todo: list[Delivery]) -> None:
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

    def _deliver(self, period: Period, posts: Sequence[object], todo: list[Delivery]) -> None:

        from .i18n import resolve_language
        from .mail import SetupError, TransportError
        from .tokens import make_token

        assert self.transport is not None and self.secret is not None
        site = self.registry.site
        current = {s.key for s in self.subscribers}
        templates: dict[str, _Personaliser] = {}
        languages: dict[str, str] = {}
        suppressed = _Suppressed(self.state)
        resumed = sum(1 for d in todo if d.status == "sending")
        if resumed:
            self.reporter.log(f"{period.label}: {resumed} message(s) were being handed over "
                              "when an earlier run stopped; sending them again with the same "
                              "Message-ID")
        self.reporter.start(period.label, len(todo))
        date_header = self.clock()
        for index, delivery in enumerate(todo):
            key = delivery.recipient
            if key not in current:
                self.state.mark(period.key, key, "removed", "no longer in the subscribers file")
                self.summary.removed += 1
                self.reporter.advance()
                continue
            if suppressed.contains(key):
                self.state.mark(period.key, key, "suppressed")
                self.summary.suppressed += 1
                self.reporter.advance()
                continue
            tag = delivery.language or site.language
            language = languages.get(tag) or languages.setdefault(tag, resolve_language(tag))
            template = templates.get(language)
            if template is None:
                template = _Personaliser(self, period, posts, language, date_header)
                templates[language] = template
            message_id, data = template.message(delivery, make_token(key, self.secret))
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
                self.summary.pending += len(todo) - index
                break
            if outcome == "pending":
                self.summary.pending += 1
        self.reporter.done()
        if self.state.finish_period_if_complete(period.key):
            self.summary.periods_done.append(period.label)
            counts = self.state.counts(period.key)
            self.reporter.log(f"{period.label}: done ({counts.get('sent', 0)} sent in all)")

    def _hand_over(self, period: Period, delivery: Delivery, data: bytes,
                   message_id: str, envelope_from: str) -> str:
        """Send with retries; returns 'sent', 'failed' or 'pending' (retry next run)."""
        from .mail import SetupError, TransportError

        assert self.transport is not None
        key = delivery.recipient
        for attempt in range(self.retry.retries + 1):
            self.state.mark_sending(period.key, key, message_id)
            try:
                self.transport.send(data, envelope_from, _envelope(delivery.address))
            except SetupError:
                self.state.mark(period.key, key, "pending", "not sent: the transport failed")
                raise
            except TransportError as exc:
                if not exc.temporary:
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


class _Personaliser:
    """One period's digest in one language: rendered once, personalised per recipient.

    The first message is built both ways (substitution and the email package); if
    they differ, this rendering falls back to the email package for everyone.
    """

    def __init__(self, sender: Sender, period: Period, posts: Sequence[object], language: str,
                 date_header: datetime) -> None:
        from email.utils import parseaddr

        from .digest import (
            build_message,
            default_list_id,
            render_digest,
            sender_for,
            stable_message_id,
        )
        from .personal import PLACEHOLDER_RECIPIENT, MessageTemplate
        from .tokens import unsubscribe_url

        site = sender.registry.site
        rendered = render_digest(sender.registry, period.window, language=language,
                                 template_dirs=sender.template_dirs, posts=posts)
        from_header = sender_for(site)
        self.envelope = parseaddr(from_header)[1]
        list_id = default_list_id(site)
        self.message_id_for = lambda key: stable_message_id(site, period.window, key)

        def build(to: str, message_id: str, token: str):
            return build_message(
                rendered, to=to, sender=from_header, message_id=message_id, date=date_header,
                unsubscribe_url=unsubscribe_url(site.unsubscribe_url, token), list_id=list_id,
                unsubscribe_mailto=_mailto(self.envelope, token))

        self.template = MessageTemplate(build, self.message_id_for(PLACEHOLDER_RECIPIENT))
        self.checked = False
        self.fast = True
        self.reporter = sender.reporter
        self.label = f"{period.label} ({language})"

    def message(self, delivery: Delivery, token: str) -> tuple[str, bytes]:
        """(Message-ID, CRLF bytes) of this recipient's message."""
        who = (delivery.name, delivery.address)
        message_id = self.message_id_for(delivery.recipient)
        if not self.checked:
            self.checked = True
            self.fast = self.template.check(*who, message_id, token)
            if not self.fast:
                self.reporter.log(f"{self.label}: the template can't be personalised by "
                                  "substitution; building each message in full (slower)")
        if self.fast:
            return message_id, self.template.render(*who, message_id, token)
        return message_id, self.template.slow(*who, message_id, token)


def _mailto(address: str, token: str) -> str:
    from urllib.parse import quote

    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def _envelope(address: str) -> str:
    """The address for RCPT TO: an international domain in its ASCII (IDNA) form."""
    local, _, domain = address.rpartition("@")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def default_subscribers(registry_path: Path) -> Path:
    """subscribers.csv (or .yaml/.yml) beside the registry."""
    for name in ("subscribers.csv", "subscribers.yaml", "subscribers.yml"):
        candidate = registry_path.parent / name
        if candidate.exists():
            return candidate
    raise FeedkitError(f"no subscribers file: put subscribers.csv (columns email, name, "
                       f"language) beside {registry_path} or pass --subscribers FILE")


def default_state(registry_path: Path) -> Path:
    """.feedkit/state.sqlite beside the registry."""
    return registry_path.parent / ".feedkit" / "state.sqlite"


def run_send(
    registry_path: Path, *, kind: str, now: datetime, reporter: Reporter,
    subscribers_path: Path | None = None, smtp_url: str | None = None,
    state_path: Path | None = None, out_dir: Path = Path("out"), dry_run: bool = False,
    template_dirs: tuple[Path, ...] = (), retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
) -> Summary:
    """Load everything, take the lock and send (or, with dry_run, only list)."""
    import os
    import sqlite3

    from .mail import SMTP_URL_ENV, MaildirTransport, SmtpTransport, parse_smtp_url
    from .registry import load
    from .state import SendState, StateError, send_lock
    from .subscribers import load_subscribers
    from .tokens import secret_from_env

    env = dict(os.environ if environ is None else environ)
    if kind not in PERIODS:
        raise FeedkitError(f"unknown period '{kind}'; use one of: {', '.join(PERIODS)}")
    registry = load(registry_path)
    subscribers = load_subscribers(subscribers_path or default_subscribers(registry_path))
    state_path = state_path or default_state(registry_path)
    retry = retry or RetryPolicy()
    if dry_run:
        state = SendState.peek(state_path)
        try:
            sender = Sender(registry, subscribers, state, None, None, reporter, retry,
                            template_dirs)
            return sender.run(kind, now)
        finally:
            state.close()
    secret = secret_from_env(env)
    url = smtp_url or env.get(SMTP_URL_ENV, "")
    transport: Transport = (SmtpTransport(parse_smtp_url(url, env)) if url
                            else MaildirTransport(out_dir / "outbox"))
    with send_lock(state_path):
        state = SendState.open(state_path)
        try:
            reporter.log(f"sending {kind} digests via {transport.description}")
            sender = Sender(registry, subscribers, state, transport, secret, reporter, retry,
                            template_dirs)
            try:
                return sender.run(kind, now)
            finally:
                transport.close()
        except sqlite3.Error as exc:
            raise StateError(f"{state_path}: {exc}") from None
        finally:
            state.close()


def run_unsubscribe(
    value: str, *, registry_path: Path, subscribers_path: Path | None = None,
    state_path: Path | None = None, environ: Mapping[str, str] | None = None,
) -> tuple[str, bool]:
    """Add an address (or the owner of a token) to the suppression list.

    Returns the address and whether it was newly added.
    """
    import os

    from .state import SendState
    from .subscribers import address_problem, load_subscribers
    from .tokens import find_address, secret_from_env

    value = value.strip()
    state_path = state_path or default_state(registry_path)
    state = SendState.open(state_path)
    try:
        if "@" in value:
            why = address_problem(value)
            if why:
                raise FeedkitError(f"'{value}' {why}; give an address or a token")
            address = value
        else:
            secret = secret_from_env(dict(os.environ if environ is None else environ))
            known = list(state.known_addresses())
            path = subscribers_path
            if path is None:
                try:
                    path = default_subscribers(registry_path)
                except FeedkitError:
                    path = None
            if path is not None:
                known += [s.email for s in load_subscribers(path)]
            found = find_address(value, known, secret)
            if found is None:
                raise FeedkitError("the token matches no known subscriber (was it made with "
                                   "another FEEDKIT_SECRET?); nothing was changed")
            address = found
        return address.lower(), state.suppress(address, "token" if "@" not in value
                                               else "address")
    finally:
        state.close()
