"""The SQLite backend: one file beside the registry, the embedded default.

WAL mode, synchronous=NORMAL, autocommit; migrations run on open in one
transaction. One `feedkit send` at a time holds the file (state/lock.py), so a
claim needs no lease: no other sender is alive, and whatever a dead run claimed
is the next run's to send.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import StateError
from .database import Row
from .schema import SCHEMA_VERSION, steps_after
from .store import Delivery, SendState, now_iso

_OPEN = "period = ? AND status IN ('pending', 'sending')"


def statements(script: str) -> list[str]:
    """A migration's statements, split at the semicolons that end one (not those
    inside a trigger's BEGIN ... END)."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    return found


def version(conn: sqlite3.Connection) -> int:
    """The file's schema version: 0 for a new (or pre-versioning) file."""
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "send_meta" not in tables:
        return 0
    row = conn.execute("SELECT value FROM send_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def upgrade(conn: sqlite3.Connection, path: object) -> None:
    """Apply the migrations this file lacks, all in one transaction."""
    steps = steps_after(version(conn), str(path))
    if not steps:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in steps:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute("INSERT INTO send_meta (key, value) VALUES ('schema_version', ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (str(SCHEMA_VERSION),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class SqliteState(SendState):
    """An open SQLite state file (no connection: a dry run's file that doesn't exist yet)."""

    def __init__(self, conn: sqlite3.Connection | None, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.location = str(path)
        self._stop: threading.Event | None = None
        self._depth = 0

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, threads: bool = False, server: bool = False) -> SqliteState:
        """Open (creating if needed) for writing: WAL, synchronous=NORMAL, schema ensured.
        `threads`: the caller serialises use of the connection across threads itself;
        `server`: that too, for a long-running server whose WAL checkpoints then run in
        a thread of their own."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30,
                                   check_same_thread=not (threads or server))
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            upgrade(conn, path)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{path}: can't open the state database: {exc}") from None
        state = cls(conn, path)
        if server:
            state._checkpoint_in_background()
        return state

    @classmethod
    def peek(cls, path: Path) -> SqliteState:
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
            current = version(conn)
        except sqlite3.Error as exc:
            raise StateError(f"{path}: can't read the state database: {exc}") from None
        if not current:
            conn.close()
            return cls(None, path)
        if current > SCHEMA_VERSION:
            conn.close()
            raise StateError(f"{path}: made by a newer feedkit; upgrade feedkit")
        return cls(conn, path)

    def close(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _checkpoint_in_background(self, every: float = 1.0) -> None:
        """Move WAL checkpoints (and their fsync) off the writing thread: a server
        whose requests each commit would otherwise stall every thousand pages. A
        thread with its own connection checkpoints passively every `every` s."""
        assert self._conn is not None
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        stop = self._stop = threading.Event()
        path = self.path

        def loop() -> None:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            try:
                while not stop.wait(every):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass
            finally:
                conn.close()

        threading.Thread(target=loop, daemon=True, name="feedkit-checkpoint").start()

    def has_table(self, name: str) -> bool:
        return self._one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (name,)) is not None

    # -- helpers -----------------------------------------------------------------
    def _error(self, exc: sqlite3.Error) -> StateError:
        return StateError(f"{self.path}: {exc}")

    def _exec(self, sql: str, args: Iterable[object] = ()) -> int:
        assert self._conn is not None
        try:
            return self._conn.execute(sql, tuple(args)).rowcount
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _one(self, sql: str, args: Iterable[object] = ()) -> Row | None:
        if self._conn is None:
            return None
        try:
            row: Row | None = self._conn.execute(sql, tuple(args)).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return row

    def _all(self, sql: str, args: Iterable[object] = ()) -> list[Row]:
        if self._conn is None:
            return []
        try:
            return self._conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        assert self._conn is not None
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[None]:
        """BEGIN IMMEDIATE takes the file's write lock at once, so every transaction is
        exclusive among writers."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._exec("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._exec("ROLLBACK")
            raise
        self._depth = 0
        self._exec("COMMIT")

    # -- claims ------------------------------------------------------------------
    def claim(self, period: str, worker: str, limit: int, lease: float = 600.0
              ) -> list[Delivery]:
        """Under the send lock no other sender is alive: take open rows in order."""
        with self.transaction():
            rows = self._all(
                "SELECT recipient, address, name, language, status, attempts, message_id "
                f"FROM send_deliveries WHERE {_OPEN} AND (claimed_by IS NULL OR claimed_by "
                "!= ?) ORDER BY seq LIMIT ?", (period, worker, limit))
            self._many("UPDATE send_deliveries SET status = 'sending', claimed_by = ? "
                       "WHERE period = ? AND recipient = ?",
                       [(worker, period, r[0]) for r in rows])
        return [Delivery(*row) for row in rows]

    def mark_sending_many(self, period: str, started: Sequence[tuple[str, str]],
                          worker: str = "", lease: float = 600.0) -> list[bool]:
        """Under the send lock every claimed row is this sender's: one statement."""
        assert self._conn is not None
        now = now_iso()
        try:
            changed = self._conn.executemany(
                "UPDATE send_deliveries SET status = 'sending', attempts = attempts + 1, "
                "message_id = ?, updated_at = ? WHERE period = ? AND recipient = ?",
                [(message_id, now, period, recipient) for recipient, message_id in started]
            ).rowcount
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        if changed == len(started):
            return [True] * len(started)
        return [self._one("SELECT 1 FROM send_deliveries WHERE period = ? AND recipient = ?",
                          (period, recipient)) is not None for recipient, _ in started]

    def release(self, period: str, worker: str) -> int:
        return self._exec("UPDATE send_deliveries SET status = 'pending' WHERE period = ? "
                          "AND claimed_by = ? AND status = 'sending'", (period, worker))

    def unclaimed(self, period: str) -> int:
        """Every open delivery: the lock leaves none to another live sender."""
        row = self._one(f"SELECT COUNT(*) FROM send_deliveries WHERE {_OPEN}", (period,))
        return int(row[0]) if row else 0
