"""What `feedkit send`, its run and its test send share: the request, the summary,
the report (everything a run tells, in one place), and the plan (which periods,
which posts)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from ..addresses import redact, reference
from ..errors import UsageError
from ..load.subscribers import Subscriber
from ..model import Post, Registry
from ..periods import Period, local_day, plan
from ..retry import Backoff
from ..state import SendState


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

    def outcome(self, period: str, recipient: str, status: str,
                reason: str | None = None) -> None:
        """One delivery's outcome (sent, failed, pending, suppressed, removed); the
        recipient by reference."""

    def done(self) -> None: ...


class SendReport:
    """Everything one send run tells, in one place: progress, one call per delivery
    outcome (counted in `summary`; logged by the recipient's reference, never the
    address, unless it was simply sent) and notes. Safe to call from any thread."""

    def __init__(self, reporter: Reporter, summary: Summary | None = None) -> None:
        self.reporter = reporter
        self.summary = summary or Summary()
        self._lock = threading.Lock()
        self._period = ""

    def note(self, text: str) -> None:
        """A line about the run (never an address in it)."""
        with self._lock:
            self.reporter.log(text)

    def period_started(self, label: str, total: int) -> None:
        with self._lock:
            self._period = label
            self.reporter.start(label, total)

    def period_ended(self) -> None:
        with self._lock:
            self.reporter.done()

    def outcome(self, address: str, status: str, log: str = "") -> None:
        """One delivery's outcome: sent, failed, gone (failed, and suppressed from now
        on), pending (left for the next run), retry (tried again in this run),
        suppressed, removed (no longer subscribed) or taken (another sender has it).
        `log`: what to say about it, if anything."""
        summary = self.summary
        with self._lock:
            if status == "sent":
                summary.sent += 1
            elif status in ("failed", "gone"):
                summary.failed += 1
            elif status == "pending":
                summary.pending += 1
            elif status == "suppressed":
                summary.suppressed += 1
            elif status == "removed":
                summary.removed += 1
            if log:
                self.reporter.log(f"{reference(address)}: {redact(log)}")
            if status != "retry":
                self.reporter.outcome(self._period, reference(address), status,
                                      redact(log) if log else None)
                self.reporter.advance()


class Recipients:
    """Who a run sends to: the subscribers file's (a SubscriberFile reads itself again
    whenever iterated, so a long list isn't held), then the list's confirmed
    subscribers the file doesn't hold. `key in recipients`: whether an address is one."""

    def __init__(self, from_file: Collection[Subscriber], extra: Sequence[Subscriber] = ()
                 ) -> None:
        self.from_file, self.extra = from_file, tuple(extra)
        keys = getattr(from_file, "keys", None)
        self._file_keys: Container[str] = keys() if keys else {s.key for s in from_file}
        self._extra_keys = {s.key for s in self.extra}

    def __iter__(self) -> Iterator[Subscriber]:
        yield from self.from_file
        yield from self.extra

    def __len__(self) -> int:
        return len(self.from_file) + len(self.extra)

    def __contains__(self, key: object) -> bool:
        return key in self._file_keys or key in self._extra_keys


def keys_of(subscribers: Iterable[Subscriber]) -> Container[str]:
    """What answers `key in ...` for these subscribers (Recipients answer it themselves)."""
    if isinstance(subscribers, Recipients):
        return subscribers
    return {s.key for s in subscribers}


LEASE = 600.0  # seconds a claim on deliveries lasts in a state several senders share


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
    connections: int | None = None  # None: FEEDKIT_SMTP_CONNECTIONS, else the default
    per_second: float = 0.0  # 0: no limit
    per_hour: int = 0
    to: str | None = None  # a test send to this one address, touching no state
    lease: float = LEASE


DEFAULT_CONNECTIONS = 32
GROW_TO = 128  # with neither --connections nor the variable: links added up to this many
CONNECTIONS_ENV = "FEEDKIT_SMTP_CONNECTIONS"


def grows(request: SendRequest, env: Mapping[str, str]) -> bool:
    """Whether the run picks its number of connections itself: it starts with the
    default and adds connections while messages wait for one and the relay keeps
    accepting (up to GROW_TO), staying under the number at which it refused."""
    return request.connections is None and not env.get(CONNECTIONS_ENV, "").strip()


def connections_for(request: SendRequest, env: Mapping[str, str]) -> int:
    """--connections, else FEEDKIT_SMTP_CONNECTIONS, else the default."""
    if request.connections is not None:
        return request.connections
    raw = env.get(CONNECTIONS_ENV, "").strip()
    if not raw:
        return DEFAULT_CONNECTIONS
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise UsageError(CONNECTIONS_ENV, f"'{raw}' is not a number of connections from 1 "
                         "to 500")
    return int(raw)


def planned(state: SendState, kind: str, today: date) -> list[Period]:
    """The periods a run on `today` works through, oldest first."""
    recorded = [(date.fromisoformat(r.start), r.status) for r in state.periods(kind)]
    return plan(kind, today, recorded)


def posts_for(registry: Registry, state: SendState, period: Period
              ) -> tuple[tuple[Post, ...], bool]:
    """(the period's posts, whether the state has started it). A started period keeps
    the posts recorded when it started; a new one takes those dated in its window and
    late ones (dated in an earlier period of the list's life but added after it was
    sent), never a post some period already holds."""
    starts = [r.start for r in state.periods(period.kind)]
    if period.key in {r.period for r in state.periods(period.kind)}:
        ids = state.period_post_ids(period.key)
        return tuple(p for p in registry.posts if p.id in ids), True
    already = state.sent_post_ids()
    first = date.fromisoformat(min(starts)) if starts else period.window.start
    return tuple(p for p in registry.posts if p.id not in already
                 and first <= local_day(p, registry.site) <= period.window.end), False
