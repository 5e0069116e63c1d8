-- The state as feedkit wrote it at commit 59d1394 (schema version 1): feedkit/state.py's
-- SCHEMA, the version row SendState.open() added, and feedkit/websub.py's ping_feeds,
-- then a separate, unversioned table. Kept verbatim: tests/test_state_upgrade.py opens
-- such a file with today's feedkit.
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
INSERT INTO send_meta (key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS ping_feeds ( hub TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (hub, url));
