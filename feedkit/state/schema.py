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
    # 3: the list (feedkit serve, feedkit subscribers): subscribers and their consent
    # records, which are append-only (kept after an unsubscribe as proof of it).
    """
CREATE TABLE IF NOT EXISTS list_subscribers (
    recipient TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    language TEXT,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'confirmed', 'unsubscribed', 'bounced')),
    subscribed_at TEXT,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS list_subscribers_status ON list_subscribers (status);
CREATE TABLE IF NOT EXISTS list_consent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    client TEXT,
    user_agent TEXT,
    form_text TEXT
);
CREATE INDEX IF NOT EXISTS list_consent_recipient ON list_consent (recipient, at);
CREATE INDEX IF NOT EXISTS list_consent_client ON list_consent (client, at);
CREATE TRIGGER IF NOT EXISTS list_consent_no_update BEFORE UPDATE ON list_consent
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS list_consent_no_delete BEFORE DELETE ON list_consent
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
""",
    # 4: concurrent sending (issue 12): when each delivery was sent (the hourly rate
    # limit holds across runs), which worker claimed it, and one row per run.
    """
ALTER TABLE send_deliveries ADD COLUMN sent_at TEXT;
ALTER TABLE send_deliveries ADD COLUMN claimed_by TEXT;
UPDATE send_deliveries SET sent_at = updated_at WHERE status = 'sent';
CREATE INDEX IF NOT EXISTS send_deliveries_sent_at ON send_deliveries (sent_at)
    WHERE sent_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS send_deliveries_open ON send_deliveries (period, status, seq);
CREATE TABLE IF NOT EXISTS send_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    worker TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    sent INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    suppressed INTEGER NOT NULL DEFAULT 0
);
""",
    # 5: what came back (feedkit inbox): one row per bounce report, kept so a report
    # read twice counts once and soft bounces can be counted in a row.
    """
CREATE TABLE IF NOT EXISTS send_bounces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    period TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS send_bounces_recipient ON send_bounces (recipient, period);
CREATE INDEX IF NOT EXISTS send_deliveries_message_id ON send_deliveries (message_id);
""",
)
SCHEMA_VERSION = len(MIGRATIONS)


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
    current = version(conn)
    if current > SCHEMA_VERSION:
        raise StateError(f"{path}: made by a newer feedkit (schema {current}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade feedkit")
    if current == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in MIGRATIONS[current:]:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute("INSERT INTO send_meta (key, value) VALUES ('schema_version', ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (str(SCHEMA_VERSION),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
