"""What every state backend provides: a few helpers, one per SQL shape, that the shared
operations (store.py, listing.py) are written against.

A backend (sqlite.py, postgresql.py) implements these and the handful of operations
whose SQL differs (claiming deliveries, ordering, bulk loading). SQL handed to the
helpers uses `?` placeholders and standard SQL both databases read; a backend turns
driver errors into StateError naming the state (never a password).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

Row = tuple[Any, ...]


def quoted(columns: Sequence[str]) -> str:
    """Column names as a quoted, comma-separated list (`end` is a keyword in PostgreSQL)."""
    return ", ".join(f'"{c}"' for c in columns)


class Database(ABC):
    """An open state; `location` is how messages name it (a path, or a URL without its
    password)."""

    location: str
    #: The column that orders a table's rows as they were first written.
    ROW_ORDER = "rowid"
    #: How many threads may use the open state at once (a server's worker threads).
    max_threads = 1

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def has_table(self, name: str) -> bool:
        """Whether the state has this table (a dry run may read an older schema)."""

    # -- small helpers -----------------------------------------------------------
    @abstractmethod
    def _exec(self, sql: str, args: Iterable[object] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    def _one(self, sql: str, args: Iterable[object] = ()) -> Row | None: ...

    @abstractmethod
    def _all(self, sql: str, args: Iterable[object] = ()) -> list[Row]: ...

    @abstractmethod
    def _many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement for each row of arguments."""

    @abstractmethod
    def transaction(self, *, exclusive: bool = False) -> AbstractContextManager[None]:
        """All statements inside commit together or not at all; a transaction opened
        inside another joins it. `exclusive`: no other exclusive transaction on this
        state runs at the same time, on any host (a check-then-write stays true)."""

    # -- whole tables (feedkit state migrate) ------------------------------------
    def count(self, table: str) -> int:
        row = self._one(f"SELECT COUNT(*) FROM {table}")
        return int(row[0]) if row else 0

    def rows(self, table: str, columns: Sequence[str]) -> Iterator[Row]:
        """Every row of a table, in the order it was written."""
        yield from self._all(f"SELECT {quoted(columns)} FROM {table} ORDER BY {self.ROW_ORDER}")

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """Append rows to a table (inside the caller's transaction)."""
        marks = ", ".join("?" for _ in columns)
        self._many(f"INSERT INTO {table} ({quoted(columns)}) VALUES ({marks})", rows)
