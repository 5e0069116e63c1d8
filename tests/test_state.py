"""The send state in SQLite: schema, versions, lock, shared file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from feedkit.state import SCHEMA_VERSION, SendState, StateError, StateLocked, send_lock


def test_tables_live_beside_other_commands_tables(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE ping_feeds (url TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO ping_feeds VALUES ('https://example.org/atom.xml')")
    state = SendState.open(path)
    state.start_period("week:2020-02-03", "week", "2020-02-03", "2020-02-09", ["p1"],
                       [("a@example.org", "A@example.org", "A", None)])
    state.close()
    again = SendState.open(path)  # opening twice keeps everything
    assert [d.address for d in again.open_deliveries("week:2020-02-03")] == ["A@example.org"]
    again.close()
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("SELECT COUNT(*) FROM ping_feeds").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        version = conn.execute("SELECT value FROM send_meta").fetchone()
    assert {t for t in tables if t.startswith("send_")} == {
        "send_meta", "send_periods", "send_period_posts", "send_deliveries", "send_suppressed",
        "send_runs", "send_bounces"}
    assert version == (str(SCHEMA_VERSION),)


def test_state_from_a_newer_feedkit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SendState.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE send_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="newer feedkit"):
        SendState.open(path)


def test_delivery_lifecycle_and_period_completion(tmp_path: Path) -> None:
    state = SendState.open(tmp_path / "s.sqlite")
    state.start_period("day:2020-02-06", "day", "2020-02-06", "2020-02-06", ["p"],
                       [("a@x.org", "a@x.org", "", "sv"), ("b@x.org", "b@x.org", "", None)])
    state.mark_sending("day:2020-02-06", "a@x.org", "<m1@x.org>")
    assert not state.finish_period_if_complete("day:2020-02-06")
    state.mark("day:2020-02-06", "a@x.org", "sent")
    state.mark("day:2020-02-06", "b@x.org", "failed", "550 no")
    assert state.finish_period_if_complete("day:2020-02-06")
    assert state.counts("day:2020-02-06") == {"sent": 1, "failed": 1}
    assert [p.status for p in state.periods("day")] == ["done"]
    assert state.sent_post_ids() == {"p"}
    state.start_period("day:2020-02-07", "day", "2020-02-07", "2020-02-07", [], [])
    assert [(p.status, p.posts) for p in state.periods("day")] == [("done", 1), ("done", 0)]
    assert state.suppress("A@X.org", "address") and not state.suppress("a@x.org", "token")
    assert "a@X.ORG".lower() in state.suppressed()
    state.close()


def test_second_lock_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite"
    with send_lock(path), pytest.raises(StateLocked, match="another feedkit send is running"), \
            send_lock(path):
        pass
    with send_lock(path):  # released when the first run ended
        pass


def test_peek_creates_nothing(tmp_path: Path) -> None:
    state = SendState.peek(tmp_path / "none.sqlite")
    assert state.periods("week") == [] and state.suppressed() == set()
    assert list(tmp_path.iterdir()) == []


def test_a_version_3_file_is_upgraded_with_when_each_delivery_was_sent(tmp_path: Path) -> None:
    from feedkit.state.schema import MIGRATIONS, statements

    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as conn:
        for step in MIGRATIONS[:3]:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute("INSERT INTO send_meta VALUES ('schema_version', '3')")
        conn.execute("INSERT INTO send_deliveries (period, recipient, address, seq, status, "
                     "updated_at) VALUES ('week:2020-02-03', 'a@x.org', 'a@x.org', 0, 'sent', "
                     "'2020-02-10T11:00:00+00:00')")
    state = SendState.open(path)
    assert state.sent_since("2020-02-10T00:00:00+00:00") == ["2020-02-10T11:00:00+00:00"]
    assert state.claim("week:2020-02-03", "w", 10) == []
    state.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM send_meta").fetchone() == (str(SCHEMA_VERSION),)


def test_claim_takes_pending_in_order_once_per_worker(tmp_path: Path) -> None:
    state = SendState.open(tmp_path / "state.sqlite")
    rows = [(f"u{i}@x.org", f"u{i}@x.org", "", None) for i in range(5)]
    state.start_period("week:2020-02-03", "week", "2020-02-03", "2020-02-09", ["p"], rows)
    first = state.claim("week:2020-02-03", "w1", 2)
    assert [d.recipient for d in first] == ["u0@x.org", "u1@x.org"]
    state.mark("week:2020-02-03", "u1@x.org", "pending", "451 later")  # given up for this run
    assert [d.recipient for d in state.claim("week:2020-02-03", "w1", 10)] == [
        "u2@x.org", "u3@x.org", "u4@x.org"]
    assert state.claim("week:2020-02-03", "w1", 10) == []
    assert state.release("week:2020-02-03", "w1") == 4  # claimed, never handed over
    # The next run (another worker) takes everything still open, in order.
    assert [d.recipient for d in state.claim("week:2020-02-03", "w2", 10)] == [
        f"u{i}@x.org" for i in range(5)]
    state.close()
