"""The state database's schema: numbered migrations, applied in order on open.

A file records its version in send_meta; opening it runs every step after that
version in one transaction. A file written by a newer feedkit is refused.
"""

from __future__ import annotations

import sqlite3

from ..errors import StateError

# Step n brings a file from version n-1 to n. Steps only add: never drop a row.
MIGRATIONS: tuple[str, ...] = (
    # 1: feedkit send's periods, deliveries and suppressions.
    """
CREATE TABLE IF NOT EXISTS send_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS send_periods (
    period TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'done')),
    posts INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS send_periods_kind ON send_periods (kind, start);
CREATE TABLE IF NOT EXISTS send_period_posts (
    period TEXT NOT NULL,
    post_id TEXT NOT NULL,
    PRIMARY KEY (period, post_id)
);
CREATE INDEX IF NOT EXISTS send_period_posts_post ON send_period_posts (post_id);
CREATE TABLE IF NOT EXISTS send_deliveries (
    period TEXT NOT NULL,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    language TEXT,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'sending', 'sent', 'failed', 'suppressed', 'removed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    message_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (period, recipient)
);
CREATE TABLE IF NOT EXISTS send_suppressed (
    recipient TEXT PRIMARY KEY,
    added_at TEXT NOT NULL,
    source TEXT NOT NULL
);
""",
    # 2: feedkit publish's last pinged hash per (hub, feed URL), once its own file.
    """
CREATE TABLE IF NOT EXISTS ping_feeds (
    hub TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (hub, url)
);
""",
)
SCHEMA_VERSION = len(MIGRATIONS)


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
    current = version(conn)
    if current > SCHEMA_VERSION:
        raise StateError(f"{path}: made by a newer feedkit (schema {current}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade feedkit")
    if current == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in MIGRATIONS[current:]:
            for statement in step.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute("INSERT INTO send_meta (key, value) VALUES ('schema_version', ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (str(SCHEMA_VERSION),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
