"""The state's shared operations: what `feedkit send` has done (periods, one row per
delivery, suppressions) and what `feedkit publish` last pinged.

Written once for both backends over the helpers of state/database.py; only claiming
deliveries differs (one sender per SQLite file, several per PostgreSQL database).
Every change is committed at once (autocommit), so a crash loses at most the step in
progress. The schema is versioned and upgraded on open (state/schema.py).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..clock import recorded_at
from .bounces import BounceOps
from .listing import ListOps, Suppressed
from .probe import ProbeOps
from .runs import RunOps


@dataclass(frozen=True, slots=True)
class PeriodRow:
    period: str
    kind: str
    start: str
    end: str
    status: str
    posts: int


@dataclass(frozen=True, slots=True)
class Delivery:
    recipient: str
    address: str
    name: str
    language: str | None
    status: str
    attempts: int
    message_id: str | None


def now_iso() -> str:
    """When a record is made, to the second (see clock.recorded_at)."""
    return recorded_at()


def moment() -> str:
    """Now (UTC, milliseconds) as sent_at holds it: rate limits count from these."""
    return recorded_at("milliseconds")


def worker_name() -> str:
    """Who claims deliveries: host, process and a random part (a process id may come back
    after a restart), so that senders on several hosts never share a name."""
    import os
    import socket
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SendState(ListOps, RunOps, BounceOps, ProbeOps):
    """One open state: the operations `send`, `serve`, `inbox`, `status`, `publish` and
    the subscriber commands use. Open one with `StateLocation.open()` (location.py); the
    backend (sqlite.py, postgresql.py) supplies the SQL helpers and the claims."""

    # -- periods -----------------------------------------------------------------
    def periods(self, kind: str) -> list[PeriodRow]:
        """Every recorded period of this kind, oldest first."""
        rows = self._all('SELECT period, kind, start, "end", status, posts FROM send_periods '
                         "WHERE kind = ? ORDER BY start", (kind,))
        return [PeriodRow(*row) for row in rows]

    def sent_post_ids(self) -> set[str]:
        """Ids of posts already in some period's digest (sent or being sent)."""
        return {row[0] for row in self._all("SELECT post_id FROM send_period_posts")}

    def period_post_ids(self, period: str) -> set[str]:
        return {row[0] for row in self._all(
            "SELECT post_id FROM send_period_posts WHERE period = ?", (period,))}

    def start_period(self, period: str, kind: str, start: str, end: str,
                     post_ids: Iterable[str], recipients: Iterable[tuple[str, str, str, str | None]]
                     ) -> bool:
        """Record a period with its posts and recipients (key, address, name, language).

        One transaction: either the period is there with every recipient pending, or
        nothing is. A period without posts is recorded as done straight away. False
        when another sender recorded it first: its posts and recipients stand.
        """
        post_ids = list(post_ids)
        status = "sending" if post_ids else "done"
        now = now_iso()
        with self.transaction():
            if not self._exec('INSERT INTO send_periods (period, kind, start, "end", status, '
                              "posts, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                              "ON CONFLICT (period) DO NOTHING",
                              (period, kind, start, end, status, len(post_ids), now,
                               None if post_ids else now)):
                return False
            self._many("INSERT INTO send_period_posts (period, post_id) VALUES (?, ?)",
                       [(period, p) for p in post_ids])
            self._many(
                "INSERT INTO send_deliveries (period, recipient, address, name, language, "
                "seq, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                ((period, key, address, name, language, seq, now)  # streamed, not held
                 for seq, (key, address, name, language) in enumerate(recipients)))
        return True

    def finish_period_if_complete(self, period: str) -> bool:
        """Mark the period done when no delivery is pending; True when it is done."""
        if self._exec(
                "UPDATE send_periods SET status = 'done', finished_at = ? WHERE period = ? "
                "AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM send_deliveries "
                "WHERE period = ? AND status IN ('pending', 'sending'))",
                (now_iso(), period, period)):
            return True
        row = self._one("SELECT status FROM send_periods WHERE period = ?", (period,))
        return row is not None and row[0] == "done"

    # -- deliveries --------------------------------------------------------------
    def open_deliveries(self, period: str) -> list[Delivery]:
        """Deliveries still to make (pending, or 'sending' left by a stopped run), in order."""
        rows = self._all("SELECT recipient, address, name, language, status, attempts, "
                         "message_id FROM send_deliveries WHERE period = ? AND status IN "
                         "('pending', 'sending') ORDER BY seq", (period,))
        return [Delivery(*row) for row in rows]

    # -- claims: which sender makes which delivery --------------------------------
    @abstractmethod
    def claim(self, period: str, worker: str, limit: int, lease: float = 600.0
              ) -> list[Delivery]:
        """The next `limit` deliveries of `period` for `worker` to hand over, in order,
        marked `sending` and claimed by it: pending ones and those a stopped run left in
        `sending`, never one this worker claimed before (a delivery it gave up on for
        this run stays pending for the next), never one another running sender holds.
        A shared state's claim holds for `lease` seconds (renewed by mark_sending)."""

    @abstractmethod
    def release(self, period: str, worker: str) -> int:
        """Put back the deliveries `worker` claimed but never handed over (the run
        stopped first): pending again, for the next run; and let other senders have
        what it left open. How many were put back."""

    @abstractmethod
    def unclaimed(self, period: str) -> int:
        """How many open deliveries no running sender holds."""

    def mark_sending(self, period: str, recipient: str, message_id: str, worker: str = "",
                     lease: float = 600.0) -> bool:
        """Before handing the message over: counts the attempt, records the Message-ID.
        False when `worker` no longer holds the delivery (another sender took it over
        once the lease ran out): it must not be sent. A single sender always holds it."""
        return bool(self._exec(
            "UPDATE send_deliveries SET status = 'sending', attempts = attempts + 1, "
            "message_id = ?, updated_at = ? WHERE period = ? AND recipient = ?",
            (message_id, now_iso(), period, recipient)))

    def mark_sending_many(self, period: str, started: Sequence[tuple[str, str]],
                          worker: str = "", lease: float = 600.0) -> list[bool]:
        """mark_sending for each (recipient, Message-ID), in one go where the state can."""
        return [self.mark_sending(period, recipient, message_id, worker, lease)
                for recipient, message_id in started]

    def mark_sent_many(self, period: str, recipients: Sequence[str]) -> None:
        """mark_sent for each recipient, at one moment, in one statement."""
        now = moment()
        self._many("UPDATE send_deliveries SET status = 'sent', last_error = NULL, "
                   "updated_at = ?, sent_at = ? WHERE period = ? AND recipient = ?",
                   [(now[:19] + "+00:00", now, period, recipient) for recipient in recipients])

    def mark_sent(self, period: str, recipient: str) -> None:
        """The server answered 250: sent, at this moment (rate limits count it)."""
        now = moment()
        self._exec("UPDATE send_deliveries SET status = 'sent', last_error = NULL, "
                   "updated_at = ?, sent_at = ? WHERE period = ? AND recipient = ?",
                   (now[:19] + "+00:00", now, period, recipient))

    def sent_since(self, since: str) -> list[str]:
        """When each message sent at or after `since` (any period) was sent, oldest
        first: what an hourly rate limit has already used."""
        return [row[0] for row in self._all(
            "SELECT sent_at FROM send_deliveries WHERE sent_at >= ? ORDER BY sent_at",
            (since,))]

    def mark(self, period: str, recipient: str, status: str, error: str | None = None) -> None:
        """Set a delivery's status (sent, pending, failed, suppressed, removed)."""
        self._exec("UPDATE send_deliveries SET status = ?, last_error = ?, updated_at = ? "
                   "WHERE period = ? AND recipient = ?",
                   (status, error, now_iso(), period, recipient))

    def languages(self, period: str) -> set[str | None]:
        """The language tags of a period's open deliveries (None: the site's)."""
        return {row[0] for row in self._all(
            "SELECT DISTINCT language FROM send_deliveries WHERE period = ? AND status IN "
            "('pending', 'sending')", (period,))}

    def counts(self, period: str) -> dict[str, int]:
        """Deliveries of a period by status."""
        return dict(self._all("SELECT status, COUNT(*) FROM send_deliveries WHERE period = ? "
                              "GROUP BY status", (period,)))

    def known_addresses(self) -> list[str]:
        """Every address a delivery was ever recorded for."""
        return [row[0] for row in self._all("SELECT DISTINCT address FROM send_deliveries")]

    # -- suppression list --------------------------------------------------------
    def suppressed(self) -> set[str]:
        """Suppressed addresses; an erased one (kept only as a hash) is in it too."""
        return Suppressed(row[0] for row in self._all("SELECT recipient FROM send_suppressed"))

    def suppress(self, recipient: str, source: str) -> bool:
        """Add an address to the suppression list; False when it was already there."""
        return self._exec("INSERT INTO send_suppressed (recipient, added_at, source) VALUES "
                          "(?, ?, ?) ON CONFLICT DO NOTHING",
                          (recipient.lower(), now_iso(), source)) == 1

    # -- WebSub pings ------------------------------------------------------------
    def last_ping(self, hub: str, url: str) -> str | None:
        """The SHA-256 of the feed at `url` when `hub` last accepted a ping for it."""
        row = self._one("SELECT sha256 FROM ping_feeds WHERE hub = ? AND url = ?", (hub, url))
        return str(row[0]) if row else None

    def record_ping(self, hub: str, url: str, sha256: str) -> None:
        """Remember that `hub` accepted a ping for the feed at `url` with this hash."""
        self._exec("INSERT INTO ping_feeds (hub, url, sha256) VALUES (?, ?, ?) "
                   "ON CONFLICT (hub, url) DO UPDATE SET sha256 = excluded.sha256",
                   (hub, url, sha256))
