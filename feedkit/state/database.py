"""The connection under every state operation: small helpers, one per SQL shape."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Database:
    """An open SQLite state file (None: a dry run's file that doesn't exist yet)."""

    def __init__(self, conn: sqlite3.Connection | None, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._stop: threading.Event | None = None

    def close(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def checkpoint_in_background(self, every: float = 1.0) -> None:
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
        """Whether the file has this table (a dry run may read an older schema)."""
        return self._one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (name,)) is not None

    # -- small helpers -----------------------------------------------------------
    def _exec(self, sql: str, args: Iterable[object] = ()) -> sqlite3.Cursor:
        assert self._conn is not None
        return self._conn.execute(sql, tuple(args))

    def _one(self, sql: str, args: Iterable[object] = ()) -> tuple[Any, ...] | None:
        if self._conn is None:
            return None
        row: tuple[Any, ...] | None = self._exec(sql, args).fetchone()
        return row

    def _all(self, sql: str, args: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        if self._conn is None:
            return []
        return self._exec(sql, args).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._exec("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._exec("ROLLBACK")
            raise
        self._exec("COMMIT")
