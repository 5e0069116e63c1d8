"""The connection under every state operation: small helpers, one per SQL shape."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Database:
    """An open SQLite state file (None: a dry run's file that doesn't exist yet)."""

    def __init__(self, conn: sqlite3.Connection | None, path: Path) -> None:
        self._conn = conn
        self.path = path

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

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
