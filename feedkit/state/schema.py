"""The state's schema: numbered migrations, applied in order on open, for both backends.

A state records its version in send_meta; opening it runs every step after that
version in one transaction. A state written by a newer feedkit is refused.
Each step is written twice, once per SQL dialect, under the same number, so a
version means the same tables on SQLite and PostgreSQL. The PostgreSQL texts
also hold what only several senders sharing one database need (who claimed a
delivery, until when), from the step that creates the table.
"""

from __future__ import annotations

from ..errors import StateError

# Step n brings a SQLite file from version n-1 to n. Steps only add: never drop a row.
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
    # 6: the list's rate limits (feedkit serve): one row per subscribe request admitted,
    # per scope (client, domain, site); keys are keyed hashes, never an address or an IP,
    # and rows older than the longest window are deleted.
    """
CREATE TABLE IF NOT EXISTS list_attempts (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS list_attempts_key ON list_attempts (scope, key, at);
""",
    # 7: erasure (feedkit subscribers erase): consent records stay append-only, except
    # for the one address an erasure names in send_meta while it runs.
    """
DROP TRIGGER IF EXISTS list_consent_no_delete;
CREATE TRIGGER list_consent_no_delete BEFORE DELETE ON list_consent
WHEN OLD.recipient IS NOT (SELECT value FROM send_meta WHERE key = 'erasing')
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
""",
    # 8: refusals aimed at the sender (feedkit inbox, issue 21): blocklists, SPF/DKIM/
    # DMARC, spam filters, rate limits. Never a suppression; counted per domain and
    # relay for `feedkit status`. `detail` is the server's words, addresses taken out:
    # no row names a subscriber (nothing here for an erasure to find).
    """
CREATE TABLE IF NOT EXISTS send_refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    relay TEXT NOT NULL,
    remote TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS send_refusals_domain ON send_refusals (domain, at);
""",
)
SCHEMA_VERSION = len(MIGRATIONS)

# The same steps for PostgreSQL (state/postgresql.py); TEXT timestamps as in SQLite
# (ISO 8601, UTC, so they compare as strings), except the lease, which is the
# database server's clock so that senders on hosts with different clocks agree.
PG_MIGRATIONS: tuple[str, ...] = (
    # 1: feedkit send's periods, deliveries (with their claims) and suppressions.
    """
CREATE TABLE send_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE send_periods (
    period TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'done')),
    posts INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX send_periods_kind ON send_periods (kind, start);
CREATE TABLE send_period_posts (
    period TEXT NOT NULL,
    post_id TEXT NOT NULL,
    PRIMARY KEY (period, post_id)
);
CREATE INDEX send_period_posts_post ON send_period_posts (post_id);
CREATE TABLE send_deliveries (
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
    claimed_by TEXT,
    lease_until TIMESTAMPTZ,
    PRIMARY KEY (period, recipient)
);
CREATE INDEX send_deliveries_open ON send_deliveries (period, seq)
    WHERE status IN ('pending', 'sending');
CREATE TABLE send_suppressed (
    recipient TEXT PRIMARY KEY,
    added_at TEXT NOT NULL,
    source TEXT NOT NULL
);
""",
    # 2: feedkit publish's last pinged hash per (hub, feed URL).
    """
CREATE TABLE ping_feeds (
    hub TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (hub, url)
);
""",
    # 3: the list. `id` keeps the order subscribers first appeared in (SQLite's rowid);
    # consent records are append-only (a trigger refuses UPDATE, DELETE and TRUNCATE).
    """
CREATE TABLE list_subscribers (
    id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
CREATE INDEX list_subscribers_status ON list_subscribers (status, id);
CREATE TABLE list_consent (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    recipient TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    client TEXT,
    user_agent TEXT,
    form_text TEXT
);
CREATE INDEX list_consent_recipient ON list_consent (recipient, at);
CREATE INDEX list_consent_client ON list_consent (client, at);
CREATE FUNCTION list_consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'consent records are append-only'; END $$;
CREATE TRIGGER list_consent_no_change BEFORE UPDATE OR DELETE ON list_consent
FOR EACH ROW EXECUTE FUNCTION list_consent_append_only();
CREATE TRIGGER list_consent_no_truncate BEFORE TRUNCATE ON list_consent
FOR EACH STATEMENT EXECUTE FUNCTION list_consent_append_only();
""",
    # 4: concurrent sending (issue 12): when each delivery was sent, and one row per run
    # (claimed_by is step 1's here).
    """
ALTER TABLE send_deliveries ADD COLUMN sent_at TEXT;
UPDATE send_deliveries SET sent_at = updated_at WHERE status = 'sent';
CREATE INDEX send_deliveries_sent_at ON send_deliveries (sent_at) WHERE sent_at IS NOT NULL;
CREATE TABLE send_runs (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
    # 5: what came back (feedkit inbox): one row per bounce report.
    """
CREATE TABLE send_bounces (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    report TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    period TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX send_bounces_recipient ON send_bounces (recipient, period);
CREATE INDEX send_deliveries_message_id ON send_deliveries (message_id);
""",
    # 6: the list's rate limits: one row per admitted subscribe request and scope.
    """
CREATE TABLE list_attempts (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX list_attempts_key ON list_attempts (scope, key, at);
""",
    # 7: erasure: a consent record may be deleted only for the address an erasure names.
    """
CREATE OR REPLACE FUNCTION list_consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM send_meta WHERE key = 'erasing'
                                    AND value = OLD.recipient) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent records are append-only';
END $$;
""",
    # 8: refusals aimed at the sender (feedkit inbox, issue 21).
    """
CREATE TABLE send_refusals (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    report TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    relay TEXT NOT NULL,
    remote TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX send_refusals_domain ON send_refusals (domain, at);
""",
)
assert len(PG_MIGRATIONS) == SCHEMA_VERSION, "every step needs its PostgreSQL text"

# What `feedkit state migrate` copies: every table of rows, with the columns both
# backends have, in an order that respects how the rows refer to each other.
TABLES: dict[str, tuple[str, ...]] = {
    "send_periods": ("period", "kind", "start", "end", "status", "posts", "started_at",
                     "finished_at"),
    "send_period_posts": ("period", "post_id"),
    "send_deliveries": ("period", "recipient", "address", "name", "language", "seq",
                        "status", "attempts", "last_error", "message_id", "updated_at",
                        "sent_at", "claimed_by"),
    "send_suppressed": ("recipient", "added_at", "source"),
    "ping_feeds": ("hub", "url", "sha256"),
    "list_subscribers": ("recipient", "address", "name", "language", "status",
                         "subscribed_at", "confirmed_at", "unsubscribed_at", "updated_at"),
    "list_consent": ("id", "recipient", "event", "at", "source", "client", "user_agent",
                     "form_text"),
    "send_runs": ("id", "worker", "kind", "started_at", "finished_at", "outcome", "sent",
                  "pending", "failed", "suppressed"),
    "send_bounces": ("id", "report", "recipient", "period", "kind", "status", "at"),
    "send_refusals": ("id", "report", "domain", "relay", "remote", "status", "detail",
                      "at"),
}


def steps_after(current: int, location: str, *, postgresql: bool = False) -> tuple[str, ...]:
    """The migrations a state at version `current` lacks (StateError for a newer one)."""
    if current > SCHEMA_VERSION:
        raise StateError(f"{location}: made by a newer feedkit (schema {current}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade feedkit")
    return (PG_MIGRATIONS if postgresql else MIGRATIONS)[current:]
