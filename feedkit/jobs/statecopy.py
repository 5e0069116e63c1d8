"""`feedkit state migrate`: copy a SQLite state into an empty PostgreSQL database.

Every table of rows (state/schema.py's TABLES: subscribers with their consent
records, periods with their posts and deliveries, suppressions, WebSub pings) is
copied in one transaction, in the order the rows were written, and the counts of
both sides are compared before it commits: the copy is whole, or nothing is.
The SQLite file's send lock is held meanwhile, so no `feedkit send` writes to it.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from ..errors import StateError
from ..state import locate
from ..state.schema import TABLES


def migrate_state(source: Path, target: str) -> list[tuple[str, int]]:
    """Copy the SQLite state at `source` into the PostgreSQL database at `target`;
    (table, rows) for every table copied."""
    origin = locate(source, source, "--from")
    destination = locate(target, source, "--to")
    if destination.url is None:
        raise StateError(f"--to {target}: give the PostgreSQL database to copy into, as "
                         "postgresql://user@host/database")
    if not source.is_file():
        raise StateError(f"--from {source}: no such file; give the SQLite state to copy "
                         "(.feedkit/state.sqlite beside the registry)")
    with origin.sender_lock(), closing(origin.open()) as old, \
            closing(destination.open()) as new:
        filled = [(table, new.count(table)) for table in TABLES if new.count(table)]
        if filled:
            table, rows = filled[0]
            raise StateError(f"--to {destination}: already holds a state ({table} has {rows} "
                             "rows); copy into a new, empty database")
        with new.transaction(exclusive=True):
            for table, columns in TABLES.items():
                new.load(table, columns, old.rows(table, columns))
            counts = [(table, old.count(table), new.count(table)) for table in TABLES]
            wrong = [f"{t} {a} -> {b}" for t, a, b in counts if a != b]
            if wrong:
                raise StateError(f"the counts differ after copying ({', '.join(wrong)}); "
                                 "nothing was copied")
    return [(table, rows) for table, rows, _ in counts]
