"""The PostgreSQL backend: one state shared by several `feedkit send` workers and
`feedkit serve` nodes on different hosts.

psycopg 3 with a connection pool (imported only when a postgresql:// state is used).
Statements autocommit; a transaction pins one pooled connection to the thread that
opened it. Senders split a period's deliveries by claiming rows with `SELECT ... FOR
UPDATE SKIP LOCKED`: a claim names its worker and lasts a lease, renewed when a
message's hand-over starts (never during one), so a worker killed mid-run leaves its
rows to whoever claims after the lease. Migrations run on open under an advisory
lock, so hosts starting together upgrade once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..errors import StateError
from .database import Row, quoted
from .listing import Consent
from .schema import SCHEMA_VERSION, steps_after
from .store import Delivery, SendState, now_iso

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

# pg_advisory_xact_lock key for migrations and exclusive transactions: b"feedkit!".
LOCK_KEY = int.from_bytes(b"feedkit!", "big")
CONNECT_TIMEOUT = 10  # seconds
SERVER_WAIT = 3.0  # seconds a web request waits for a connection before it fails (503)
_OPEN = "period = ? AND status IN ('pending', 'sending')"
_FREE = "(lease_until IS NULL OR lease_until < now())"
_LEASE = "now() + make_interval(secs => ?)"
# unsubscribe_entries for a whole batch in one statement: suppress, mark unsubscribed,
# and record consent for every item that changed something (ListOps's rule, set-wise).
_UNSUBSCRIBE = """
WITH items AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
        ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
        AS t(recipient, address, event, at, source, client, user_agent, form_text, ord)),
suppressed AS (INSERT INTO send_suppressed (recipient, added_at, source)
    SELECT recipient, at, source FROM items ON CONFLICT DO NOTHING RETURNING recipient),
listed AS (INSERT INTO list_subscribers (recipient, address, status, unsubscribed_at,
        updated_at)
    SELECT recipient, address, 'unsubscribed', at, at FROM items ON CONFLICT (recipient)
    DO UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.updated_at,
        updated_at = excluded.updated_at WHERE list_subscribers.status != 'unsubscribed'
    RETURNING recipient)
INSERT INTO list_consent (recipient, event, at, source, client, user_agent, form_text)
SELECT recipient, event, at, source, client, user_agent, form_text FROM items
WHERE recipient IN (SELECT recipient FROM suppressed UNION SELECT recipient FROM listed)
ORDER BY ord RETURNING recipient
"""


@lru_cache(maxsize=256)
def _sql(text: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s`."""
    return text.replace("?", "%s")


def _driver() -> Any:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        raise StateError("a postgresql:// state needs psycopg: install feedkit with its "
                         "postgres extra, e.g. pip install './feedkit[postgres]' from a "
                         "checkout (docs/install.md)") from None
    return psycopg, psycopg_pool


def _version(conn: Connection[Any]) -> int:
    row = conn.execute("SELECT to_regclass('send_meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT value FROM send_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def upgrade(conn: Connection[Any], location: str) -> None:
    """Apply the migrations the database lacks, in one transaction, one host at a time."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        steps = steps_after(_version(conn), location, postgresql=True)
        for step in steps:
            conn.execute(step.encode())
        if steps:
            conn.execute("INSERT INTO send_meta (key, value) VALUES ('schema_version', %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (str(SCHEMA_VERSION),))


class PostgresState(SendState):
    """An open PostgreSQL state (no pool: a dry run's database without a state yet)."""

    ROW_ORDER = "id"
    max_threads = 8  # a server's pool holds eight connections

    def __init__(self, pool: ConnectionPool[Any] | None, location: str,
                 password: str | None = None) -> None:
        self._pool = pool
        self.location = location
        self._password = password
        self._local = threading.local()

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, url: str, location: str, password: str | None = None, *,
             server: bool = False, read_only: bool = False, option: str = "--state"
             ) -> PostgresState:
        """Connect, bring the schema up to date (unless `read_only`) and keep a pool
        (any thread may use the state). `option` names where the URL came from in a
        connection failure."""
        psycopg, psycopg_pool = _driver()
        fail = cls(None, f"{option} {location}", password)._fail
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                 application_name="feedkit") as conn:
                if read_only:
                    current = _version(conn)
                    steps_after(current, location)  # refuses a newer schema
                    if not current:
                        return cls(None, location, password)
                else:
                    upgrade(conn, location)
        except psycopg.OperationalError as exc:
            raise fail(exc, "can't connect to the PostgreSQL server") from None
        except psycopg.Error as exc:
            raise fail(exc, "can't open the state database") from None

        def configure(conn: Connection[Any]) -> None:
            if read_only:
                conn.execute("SET default_transaction_read_only = on")

        pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=8 if server else 4, open=False, name="feedkit-state",
            timeout=SERVER_WAIT if server else CONNECT_TIMEOUT, configure=configure,
            kwargs={"autocommit": True, "application_name": "feedkit",
                    "connect_timeout": CONNECT_TIMEOUT})
        try:
            pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except psycopg_pool.PoolTimeout as exc:
            pool.close()
            raise fail(exc, "can't connect to the PostgreSQL server") from None
        return cls(pool, location, password)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _fail(self, exc: Exception, what: str = "") -> StateError:
        """A driver error as a StateError naming the state, never its password."""
        reason = " ".join(str(exc).split()).removeprefix("connection failed: ")
        if self._password:
            reason = reason.replace(self._password, "***")
        reason = reason or type(exc).__name__
        return StateError(f"{self.location}: {what}: {reason}" if what else
                          f"{self.location}: {reason}")

    def has_table(self, name: str) -> bool:
        row = self._one("SELECT to_regclass(?) IS NOT NULL", (name,))
        return bool(row and row[0])

    # -- helpers -----------------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[Connection[Any]]:
        pinned: Connection[Any] | None = getattr(self._local, "conn", None)
        if pinned is not None:
            yield pinned
            return
        if self._pool is None:
            raise StateError(f"{self.location}: the state is closed")
        with self._pool.connection() as conn:
            yield conn

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        import psycopg

        try:
            with self._connection() as conn, conn.cursor() as cur:
                yield cur
        except psycopg.Error as exc:
            raise self._fail(exc) from None

    def _exec(self, sql: str, args: Iterable[object] = ()) -> int:
        with self._cursor() as cur:
            cur.execute(_sql(sql), tuple(args))
            return int(cur.rowcount)

    def _one(self, sql: str, args: Iterable[object] = ()) -> Row | None:
        if self._pool is None:
            return None
        with self._cursor() as cur:
            row: Row | None = cur.execute(_sql(sql), tuple(args)).fetchone()
            return row

    def _all(self, sql: str, args: Iterable[object] = ()) -> list[Row]:
        if self._pool is None:
            return []
        with self._cursor() as cur:
            return list(cur.execute(_sql(sql), tuple(args)).fetchall())

    def _many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        with self._cursor() as cur:
            cur.executemany(_sql(sql), [tuple(row) for row in rows])

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[None]:
        """One pooled connection for the whole transaction, on this thread; `exclusive`
        also takes the advisory lock every exclusive transaction takes."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        import psycopg

        if self._pool is None:
            raise StateError(f"{self.location}: the state is closed")
        try:
            with self._pool.connection() as conn, conn.transaction():
                self._local.conn = conn
                try:
                    if exclusive:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                    yield
                finally:
                    self._local.conn = None
        except psycopg.Error as exc:  # no connection to be had, or the commit failed
            raise self._fail(exc) from None

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """COPY the rows in; an identity column copied along moves its sequence past them."""
        with self._cursor() as cur:
            with cur.copy(f"COPY {table} ({quoted(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in columns:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE(MAX(id), 0) + 1, false) FROM {table}")

    def unsubscribe_entries(self, items: list[tuple[str, str, Consent]]) -> list[bool]:
        """One round trip for a batch of one-click unsubscribes (a busy `feedkit serve`
        hands over dozens at once), with the rows and results one by one would give:
        an address twice in a batch changes things the first time only."""
        first: dict[str, int] = {}
        for index, (recipient, _, _) in enumerate(items):
            first.setdefault(recipient, index)
        unique = [items[i] for i in sorted(first.values())]
        columns = [[r for r, _, _ in unique], [a for _, a, _ in unique]] + [
            [getattr(c, name) for _, _, c in unique]
            for name in ("event", "at", "source", "client", "user_agent", "form_text")]
        with self.transaction():
            done = {row[0] for row in self._all(_UNSUBSCRIBE, columns)}
        return [recipient in done and first[recipient] == index
                for index, (recipient, _, _) in enumerate(items)]

    # -- claims ------------------------------------------------------------------
    def claim(self, period: str, worker: str, limit: int, lease: float = 600.0
              ) -> list[Delivery]:
        """Rows no live claim holds, locked with SKIP LOCKED so that senders claiming at
        the same moment each get other rows, then `worker`'s until the lease ends (the
        database server's clock). Each comes with the status it had before."""
        rows = self._all(
            f"UPDATE send_deliveries AS d SET status = 'sending', claimed_by = ?, lease_until "
            f"= {_LEASE} FROM (SELECT period, recipient, status AS was FROM send_deliveries "
            f"WHERE {_OPEN} AND {_FREE} AND (claimed_by IS NULL OR claimed_by != ?) ORDER BY "
            "seq LIMIT ? FOR UPDATE SKIP LOCKED) AS free WHERE d.period = free.period AND "
            "d.recipient = free.recipient RETURNING d.seq, d.recipient, d.address, d.name, "
            "d.language, free.was, d.attempts, d.message_id",
            (worker, lease, period, worker, limit))
        return [Delivery(*row[1:]) for row in sorted(rows)]

    def release(self, period: str, worker: str) -> int:
        """Claimed but never handed over: pending again. Everything `worker` left open:
        free for other senders at once, not only when the lease ends."""
        with self.transaction():
            back = self._exec("UPDATE send_deliveries SET status = 'pending' WHERE period = "
                              "? AND claimed_by = ? AND status = 'sending'", (period, worker))
            self._exec("UPDATE send_deliveries SET lease_until = NULL WHERE "
                       f"{_OPEN} AND claimed_by = ?", (period, worker))
        return back

    def unclaimed(self, period: str) -> int:
        row = self._one(f"SELECT COUNT(*) FROM send_deliveries WHERE {_OPEN} AND {_FREE}",
                        (period,))
        return int(row[0]) if row else 0

    def mark_sending(self, period: str, recipient: str, message_id: str, worker: str = "",
                     lease: float = 600.0) -> bool:
        """Only while `worker` still holds the claim; the lease starts again here."""
        return bool(self._exec(
            "UPDATE send_deliveries SET status = 'sending', attempts = attempts + 1, "
            f"message_id = ?, updated_at = ?, lease_until = {_LEASE} WHERE period = ? AND "
            "recipient = ? AND claimed_by = ?",
            (message_id, now_iso(), lease, period, recipient, worker)))
