"""States written by earlier releases open with today's feedkit: every row survives,
the schema version becomes the current one, and the upgraded state works.

tests/data/state/ keeps each earlier schema verbatim: the SQLite file of commit
59d1394 (schema 1, with ping_feeds then an unversioned table of its own) and the
first PostgreSQL state (schema 3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from feedkit.state import SCHEMA_VERSION, locate
from feedkit.state.listing import Consent

DATA = Path(__file__).parent / "data" / "state"
AT = "2020-02-10T11:00:00+00:00"

ROWS: dict[str, list[tuple[Any, ...]]] = {
    "send_periods": [
        ("week:2020-01-27", "week", "2020-01-27", "2020-02-02", "done", 1, AT, AT),
        ("week:2020-02-03", "week", "2020-02-03", "2020-02-09", "sending", 2, AT, None),
    ],
    "send_period_posts": [("week:2020-01-27", "p1"), ("week:2020-02-03", "p2"),
                          ("week:2020-02-03", "p3")],
    "send_deliveries": [
        ("week:2020-01-27", "ann@x.org", "Ann@x.org", "Ann", "sv", 0, "sent", 1, None,
         "<a1@x.org>", AT),
        ("week:2020-01-27", "bo@x.org", "bo@x.org", "", None, 1, "failed", 1, "550 no",
         "<b1@x.org>", AT),
        ("week:2020-02-03", "ann@x.org", "Ann@x.org", "Ann", "sv", 0, "sent", 1, None,
         "<a2@x.org>", AT),
        ("week:2020-02-03", "bo@x.org", "bo@x.org", "", None, 1, "sending", 2, "451 later",
         "<b2@x.org>", AT),
        ("week:2020-02-03", "cy@x.org", "cy@x.org", "Cy", "en", 2, "pending", 0, None, None,
         AT),
        ("week:2020-02-03", "di@x.org", "di@x.org", "", None, 3, "suppressed", 0, None, None,
         AT),
    ],
    "send_suppressed": [("di@x.org", AT, "token"), ("eve@x.org", AT, "address")],
    "ping_feeds": [("https://hub.example/", "https://x.org/atom.xml", "a" * 64),
                   ("https://hub.example/", "https://x.org/rss.xml", "b" * 64)],
}
LIST_ROWS: dict[str, list[tuple[Any, ...]]] = {
    "list_subscribers": [
        ("fi@x.org", "Fi@x.org", "Fi", "sv", "confirmed", AT, AT, None, AT),
        ("gus@x.org", "gus@x.org", "", None, "pending", AT, None, None, AT),
    ],
    "list_consent": [
        ("fi@x.org", "subscribed", AT, "form", "192.0.2.1", "UA/1", "I want it."),
        ("fi@x.org", "confirmed", AT, "page", "192.0.2.1", "UA/1", None),
        ("gus@x.org", "subscribed", AT, "form", None, None, "I want it."),
    ],
}
COLUMNS = {
    "list_subscribers": "(recipient, address, name, language, status, subscribed_at, "
                        "confirmed_at, unsubscribed_at, updated_at)",
    "list_consent": "(recipient, event, at, source, client, user_agent, form_text)",
}


def _insert(execute: Any, table: str, rows: list[tuple[Any, ...]], mark: str) -> None:
    for row in rows:
        marks = ", ".join(mark for _ in row)
        execute(f"INSERT INTO {table} {COLUMNS.get(table, '')} VALUES ({marks})", row)


def _dump(execute: Any, tables: list[str], columns: dict[str, list[str]] | None = None
          ) -> tuple[dict[str, list[tuple[Any, ...]]], dict[str, list[str]]]:
    """Every row of each table, in the columns given (default: all there are now)."""
    rows, names = {}, {}
    for table in tables:
        chosen = ", ".join(f'"{c}"' for c in columns[table]) if columns else "*"
        cursor = execute(f"SELECT {chosen} FROM {table}")
        names[table] = [d[0] for d in cursor.description]
        rows[table] = sorted(tuple(r) for r in cursor.fetchall())
    return rows, names


def _works(where: str) -> None:
    """The upgraded state does today's work: resuming the open period, the list."""
    state = locate(where, Path("posts.yaml")).open()
    resumed = state.claim("week:2020-02-03", "w", 10)
    assert [(d.recipient, d.status, d.message_id) for d in resumed] == [
        ("bo@x.org", "sending", "<b2@x.org>"), ("cy@x.org", "pending", None)]
    assert state.suppressed() == {"di@x.org", "eve@x.org"}
    assert state.last_ping("https://hub.example/", "https://x.org/rss.xml") == "b" * 64
    assert state.sent_since("2020-01-01") == [AT, AT]  # step 4 keeps when the sent were sent
    assert state.start_run("w", "week") == 1 and state.last_run() is not None
    assert state.import_entries([("hal@x.org", "hal@x.org", "", None)],
                                Consent("imported", AT, "import")) == (1, 0)
    assert [e.recipient for e in state.list_entries()][-1] == "hal@x.org"
    state.close()


def test_a_sqlite_state_of_schema_1_is_upgraded_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript((DATA / "sqlite-v1.sql").read_text(encoding="utf-8"))
        for table, rows in ROWS.items():
            _insert(conn.execute, table, rows, "?")
        before, columns = _dump(conn.execute, list(ROWS))
    conn.close()
    locate(str(path), path).open().close()
    with sqlite3.connect(path) as conn:
        after, _ = _dump(conn.execute, list(ROWS), columns)
        version = conn.execute("SELECT value FROM send_meta").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert after == before and sum(len(r) for r in after.values()) == 15
    assert version == [(str(SCHEMA_VERSION),)]
    assert {"list_subscribers", "list_consent"} <= tables
    _works(str(path))


def test_a_postgresql_state_of_schema_3_is_upgraded_without_losing_a_row(pg_state: str
                                                                         ) -> None:
    tables = list(ROWS) + list(LIST_ROWS)
    with psycopg.connect(pg_state, autocommit=True) as conn:
        conn.execute((DATA / "postgresql-v3.sql").read_text(encoding="utf-8").encode())
        for table, rows in {**ROWS, **LIST_ROWS}.items():
            _insert(conn.execute, table, rows, "%s")
        before, columns = _dump(conn.execute, tables)
    locate(pg_state, Path("posts.yaml")).open().close()
    with psycopg.connect(pg_state, autocommit=True) as conn:
        after, _ = _dump(conn.execute, tables, columns)
        version = conn.execute("SELECT value FROM send_meta").fetchall()
    assert after == before and sum(len(r) for r in after.values()) == 20
    assert version == [(str(SCHEMA_VERSION),)]
    _works(pg_state)
