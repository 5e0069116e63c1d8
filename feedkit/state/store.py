"""The state database (SQLite): what `feedkit send` has done (periods, one row per
delivery, suppressions) and what `feedkit publish` last pinged.

Every change is committed at once (autocommit), so a crash loses at most the
step in progress. The schema is versioned and upgraded on open (state.schema).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import StateError
from .bounces import BounceOps
from .listing import ListOps
from .runs import RunOps
from .schema import SCHEMA_VERSION, upgrade, version


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def moment() -> str:
    """Now (UTC, milliseconds) as sent_at holds it: rate limits count from these."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class SendState(ListOps, RunOps, BounceOps):
    """One open state database. Use `SendState.open()` (read-write) or `.peek()` (dry run)."""

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, threads: bool = False) -> SendState:
        """Open (creating if needed) for writing: WAL, synchronous=NORMAL, schema ensured.
        `threads`: the caller serialises use of the connection across threads itself."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30,
                                   check_same_thread=not threads)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            upgrade(conn, path)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{path}: can't open the state database: {exc}") from None
        return cls(conn, path)

    @classmethod
    def peek(cls, path: Path) -> SendState:
        """Open read-only without creating or changing any file (for --dry-run)."""
        if not path.exists():
            return cls(None, path)
        wal = Path(f"{path}-wal")
        # Without a -wal file everything is in the main file: read it as immutable so
        # SQLite creates no -wal/-shm files next to it.
        flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True,
                                   isolation_level=None)
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.Error as exc:
            raise StateError(f"{path}: can't read the state database: {exc}") from None
        if "send_meta" not in tables:
            conn.close()
            return cls(None, path)
        if version(conn) > SCHEMA_VERSION:
            conn.close()
            raise StateError(f"{path}: made by a newer feedkit; upgrade feedkit")
        return cls(conn, path)

    # -- periods -----------------------------------------------------------------
    def periods(self, kind: str) -> list[PeriodRow]:
        """Every recorded period of this kind, oldest first."""
        rows = self._all("SELECT period, kind, start, end, status, posts FROM send_periods "
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
                     ) -> None:
        """Record a period with its posts and recipients (key, address, name, language).

        One transaction: either the period is there with every recipient pending, or
        nothing is. A period without posts is recorded as done straight away.
        """
        post_ids = list(post_ids)
        status = "sending" if post_ids else "done"
        now = _now()
        with self._transaction():
            self._exec("INSERT INTO send_periods (period, kind, start, end, status, posts, "
                       "started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (period, kind, start, end, status, len(post_ids), now,
                        None if post_ids else now))
            if not post_ids:
                return
            assert self._conn is not None
            self._conn.executemany("INSERT INTO send_period_posts (period, post_id) "
                                   "VALUES (?, ?)", [(period, p) for p in post_ids])
            self._conn.executemany(
                "INSERT INTO send_deliveries (period, recipient, address, name, language, "
                "seq, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                [(period, key, address, name, language, seq, now)
                 for seq, (key, address, name, language) in enumerate(recipients)])

    def finish_period_if_complete(self, period: str) -> bool:
        """Mark the period done when no delivery is pending; True when it is done."""
        cur = self._exec(
            "UPDATE send_periods SET status = 'done', finished_at = ? WHERE period = ? "
            "AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM send_deliveries "
            "WHERE period = ? AND status IN ('pending', 'sending'))", (_now(), period, period))
        if cur.rowcount:
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

    def claim(self, period: str, worker: str, limit: int) -> list[Delivery]:
        """The next `limit` deliveries of `period` for `worker` to hand over, in order,
        marked `sending` and claimed by it: pending ones and those a stopped run left
        in `sending`, never one this worker claimed before (a delivery it gave up on
        for this run stays pending for the next). With SQLite's one-sender lock no
        other worker is alive, so this simply takes pending rows in order."""
        with self._transaction():
            rows = self._all(
                "SELECT recipient, address, name, language, status, attempts, message_id "
                "FROM send_deliveries WHERE period = ? AND status IN ('pending', 'sending') "
                "AND (claimed_by IS NULL OR claimed_by != ?) ORDER BY seq LIMIT ?",
                (period, worker, limit))
            assert self._conn is not None
            self._conn.executemany(
                "UPDATE send_deliveries SET status = 'sending', claimed_by = ? "
                "WHERE period = ? AND recipient = ?", [(worker, period, r[0]) for r in rows])
        return [Delivery(*row) for row in rows]

    def release(self, period: str, worker: str) -> int:
        """Put back the deliveries `worker` claimed but never handed over (the run
        stopped first): they are pending again, for the next run."""
        return self._exec("UPDATE send_deliveries SET status = 'pending' WHERE period = ? "
                          "AND claimed_by = ? AND status = 'sending'",
                          (period, worker)).rowcount

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

    def mark_sending(self, period: str, recipient: str, message_id: str) -> None:
        """Before handing the message over: counts the attempt, records the Message-ID."""
        self._exec("UPDATE send_deliveries SET status = 'sending', attempts = attempts + 1, "
                   "message_id = ?, updated_at = ? WHERE period = ? AND recipient = ?",
                   (message_id, _now(), period, recipient))

    def mark(self, period: str, recipient: str, status: str, error: str | None = None) -> None:
        """Set a delivery's status (sent, pending, failed, suppressed, removed)."""
        self._exec("UPDATE send_deliveries SET status = ?, last_error = ?, updated_at = ? "
                   "WHERE period = ? AND recipient = ?",
                   (status, error, _now(), period, recipient))

    def counts(self, period: str) -> dict[str, int]:
        """Deliveries of a period by status."""
        return dict(self._all("SELECT status, COUNT(*) FROM send_deliveries WHERE period = ? "
                              "GROUP BY status", (period,)))

    def known_addresses(self) -> list[str]:
        """Every address a delivery was ever recorded for."""
        return [row[0] for row in self._all("SELECT DISTINCT address FROM send_deliveries")]

    # -- suppression list --------------------------------------------------------
    def suppressed(self) -> set[str]:
        return {row[0] for row in self._all("SELECT recipient FROM send_suppressed")}

    def suppress(self, recipient: str, source: str) -> bool:
        """Add an address to the suppression list; False when it was already there."""
        cur = self._exec("INSERT OR IGNORE INTO send_suppressed (recipient, added_at, source) "
                         "VALUES (?, ?, ?)", (recipient.lower(), _now(), source))
        return cur.rowcount == 1

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
