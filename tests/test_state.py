"""The state behind one interface: the same operations on SQLite and on a real
PostgreSQL server (schema, versions, periods, deliveries, claims), and what only
one of them does (SQLite's lock and read-only peek, PostgreSQL's leases)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest

from feedkit.state import SCHEMA_VERSION, SendState, StateError, StateLocked, locate, send_lock

PERIOD = "week:2020-02-03"


def opened(where: str) -> SendState:
    return locate(where, Path("posts.yaml")).open()


def _period(state: SendState, count: int, period: str = PERIOD) -> bool:
    return state.start_period(period, "week", "2020-02-03", "2020-02-09", ["p1"],
                              [(f"u{i}@x.org", f"U{i}@x.org", f"U {i}", None)
                               for i in range(count)])


def test_tables_live_beside_other_commands_tables(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE ping_feeds (url TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO ping_feeds VALUES ('https://example.org/atom.xml')")
    state = opened(str(path))
    _period(state, 1)
    state.close()
    again = opened(str(path))  # opening twice keeps everything
    assert [d.address for d in again.open_deliveries(PERIOD)] == ["U0@x.org"]
    again.close()
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("SELECT COUNT(*) FROM ping_feeds").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        version = conn.execute("SELECT value FROM send_meta").fetchone()
    assert {t for t in tables if t.startswith("send_")} == {
        "send_meta", "send_periods", "send_period_posts", "send_deliveries", "send_suppressed",
        "send_runs", "send_bounces", "send_refusals"}
    assert version == (str(SCHEMA_VERSION),)


def test_state_from_a_newer_feedkit_is_refused(state_at: str) -> None:
    opened(state_at).close()
    if state_at.startswith("postgresql:"):
        with psycopg.connect(state_at, autocommit=True) as conn:
            conn.execute("UPDATE send_meta SET value = '99' WHERE key = 'schema_version'")
    else:
        with sqlite3.connect(state_at) as conn:
            conn.execute("UPDATE send_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="newer feedkit"):
        opened(state_at)
    with pytest.raises(StateError, match="newer feedkit"):
        locate(state_at, Path("posts.yaml")).peek()


def test_delivery_lifecycle_and_period_completion(state_at: str) -> None:
    state = opened(state_at)
    state.start_period("day:2020-02-06", "day", "2020-02-06", "2020-02-06", ["p"],
                       [("a@x.org", "a@x.org", "", "sv"), ("b@x.org", "b@x.org", "", None)])
    claimed = state.claim("day:2020-02-06", "w", 10, 60)
    assert [d.recipient for d in claimed] == ["a@x.org", "b@x.org"]
    assert state.mark_sending("day:2020-02-06", "a@x.org", "<m1@x.org>", "w", 60)
    assert not state.finish_period_if_complete("day:2020-02-06")
    state.mark("day:2020-02-06", "a@x.org", "sent")
    state.mark("day:2020-02-06", "b@x.org", "failed", "550 no")
    assert state.finish_period_if_complete("day:2020-02-06")
    assert state.counts("day:2020-02-06") == {"sent": 1, "failed": 1}
    assert [p.status for p in state.periods("day")] == ["done"]
    assert [(p.start, p.end) for p in state.periods("day")] == [("2020-02-06", "2020-02-06")]
    assert state.sent_post_ids() == {"p"} == state.period_post_ids("day:2020-02-06")
    state.start_period("day:2020-02-07", "day", "2020-02-07", "2020-02-07", [], [])
    assert [(p.status, p.posts) for p in state.periods("day")] == [("done", 1), ("done", 0)]
    assert state.suppress("A@X.org", "address") and not state.suppress("a@x.org", "token")
    assert state.suppressed() == {"a@x.org"}
    assert sorted(state.known_addresses()) == ["a@x.org", "b@x.org"]
    state.record_ping("https://hub.example/", "https://x.org/atom.xml", "aa")
    state.record_ping("https://hub.example/", "https://x.org/atom.xml", "bb")
    assert state.last_ping("https://hub.example/", "https://x.org/atom.xml") == "bb"
    assert state.last_ping("https://hub.example/", "https://x.org/rss.xml") is None
    state.close()


def test_a_period_started_twice_keeps_the_first_recipients(state_at: str) -> None:
    first, second = opened(state_at), opened(state_at)
    assert _period(first, 3)
    assert not _period(second, 5)  # another sender lost the race: nothing changes
    assert second.counts(PERIOD) == {"pending": 3}
    first.close()
    second.close()


def test_claims_come_in_order_and_never_twice(state_at: str) -> None:
    state = opened(state_at)
    _period(state, 45)
    seen: list[str] = []
    while batch := state.claim(PERIOD, "w1", 20, 60):
        assert len(batch) <= 20
        seen += [d.recipient for d in batch]
        for delivery in batch[:2]:  # a few are left pending for the next run
            state.mark(PERIOD, delivery.recipient, "pending", "451 later")
        for delivery in batch[2:]:
            state.mark(PERIOD, delivery.recipient, "sent")
    assert seen == [f"u{i}@x.org" for i in range(45)]
    assert state.release(PERIOD, "w1") == 0  # every claimed one was handed over
    assert state.unclaimed(PERIOD) == 6
    state.close()
    rerun = opened(state_at)  # the next run takes what was left open, and only that
    left = rerun.claim(PERIOD, "w2", 20, 60)
    assert [d.recipient for d in left] == ["u0@x.org", "u1@x.org", "u20@x.org", "u21@x.org",
                                           "u40@x.org", "u41@x.org"]
    rerun.close()


def test_several_workers_claiming_at_once_split_the_rows(pg_state: str) -> None:
    setup = opened(pg_state)
    _period(setup, 600)
    setup.close()
    taken: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def work(name: str) -> None:
        state = opened(pg_state)
        start.wait()
        mine = taken.setdefault(name, [])
        while batch := state.claim(PERIOD, name, 7, 60):
            for delivery in batch:
                assert state.mark_sending(PERIOD, delivery.recipient, "<m@x>", name, 60)
                state.mark(PERIOD, delivery.recipient, "sent")
                mine.append(delivery.recipient)
        state.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everyone = [r for rows in taken.values() for r in rows]
    assert sorted(everyone) == sorted(f"u{i}@x.org" for i in range(600))  # once each
    assert all(len(rows) > 0 for rows in taken.values()), {k: len(v) for k, v in taken.items()}


def test_an_expired_lease_is_taken_over_and_fences_the_old_worker(pg_state: str) -> None:
    state = opened(pg_state)
    _period(state, 3)
    dead = state.claim(PERIOD, "dead", 2, 0.5)
    assert state.mark_sending(PERIOD, dead[0].recipient, "<m0@x>", "dead", 0.5)
    assert [d.recipient for d in state.claim(PERIOD, "live", 10, 60)] == ["u2@x.org"]
    assert state.unclaimed(PERIOD) == 0
    time.sleep(0.7)
    assert state.unclaimed(PERIOD) == 2
    taken = state.claim(PERIOD, "live", 10, 60)
    assert [(d.recipient, d.status, d.message_id) for d in taken] == [
        ("u0@x.org", "sending", "<m0@x>"), ("u1@x.org", "sending", None)]
    assert not state.mark_sending(PERIOD, "u1@x.org", "<m1@x>", "dead", 0.5)
    assert state.mark_sending(PERIOD, "u1@x.org", "<m1@x>", "live", 60)
    state.mark(PERIOD, "u1@x.org", "sent")
    state.mark(PERIOD, "u0@x.org", "pending", "451 later")
    state.release(PERIOD, "live")  # rows left open are free for the next run at once
    assert [d.recipient for d in state.claim(PERIOD, "next", 10, 60)] == [
        "u0@x.org", "u2@x.org"]
    state.close()


def test_second_lock_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite"
    with send_lock(path), pytest.raises(StateLocked, match="another feedkit send is running"), \
            send_lock(path):
        pass
    with send_lock(path):  # released when the first run ended
        pass


def test_peek_creates_nothing(tmp_path: Path, pg_state: str) -> None:
    state = locate(str(tmp_path / "none.sqlite"), tmp_path / "posts.yaml").peek()
    assert state.periods("week") == [] and state.suppressed() == set()
    assert list(tmp_path.iterdir()) == []
    state = locate(pg_state, tmp_path / "posts.yaml").peek()
    assert state.periods("week") == [] and state.list_entries() == []
    state.close()
    with psycopg.connect(pg_state) as conn:
        assert conn.execute("SELECT to_regclass('send_meta')").fetchone() == (None,)


def test_a_batch_of_unsubscribes_gives_what_one_by_one_would(state_at: str) -> None:
    from feedkit.state.listing import Consent

    state = opened(state_at)
    at = "2020-02-10T11:00:00+00:00"
    state.import_entries([("ann@x.org", "Ann@x.org", "Ann", None),
                          ("cy@x.org", "cy@x.org", "", None)], Consent("imported", at, "import"))
    assert state.unsubscribe_entry("cy@x.org", "cy@x.org", Consent("removed", at, "cli"))
    click = Consent("unsubscribed", at, "one-click", "192.0.2.1", "UA/1")
    assert state.unsubscribe_entries([
        ("ann@x.org", "Ann@x.org", click), ("bo@x.org", "bo@x.org", click),
        ("ann@x.org", "Ann@x.org", click), ("cy@x.org", "cy@x.org", click)]) == [
        True, True, False, False]
    assert state.suppressed() == {"ann@x.org", "bo@x.org", "cy@x.org"}
    assert [(e.recipient, e.status) for e in state.list_entries()] == [
        ("ann@x.org", "unsubscribed"), ("cy@x.org", "unsubscribed"), ("bo@x.org", "unsubscribed")]
    assert [(c.event, c.source, c.client) for c in state.consents("ann@x.org")] == [
        ("imported", "import", None), ("unsubscribed", "one-click", "192.0.2.1")]
    assert [c.event for c in state.consents("bo@x.org")] == ["unsubscribed"]
    assert [c.event for c in state.consents("cy@x.org")] == ["imported", "removed"]
    state.close()


def test_a_version_3_file_is_upgraded_with_when_each_delivery_was_sent(tmp_path: Path) -> None:
    from feedkit.state.schema import MIGRATIONS
    from feedkit.state.sqlite import statements

    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as conn:
        for step in MIGRATIONS[:3]:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute("INSERT INTO send_meta VALUES ('schema_version', '3')")
        conn.execute("INSERT INTO send_deliveries (period, recipient, address, seq, status, "
                     "updated_at) VALUES ('week:2020-02-03', 'a@x.org', 'a@x.org', 0, 'sent', "
                     "'2020-02-10T11:00:00+00:00')")
    state = opened(str(path))
    assert state.sent_since("2020-02-10T00:00:00+00:00") == ["2020-02-10T11:00:00+00:00"]
    assert state.claim("week:2020-02-03", "w", 10) == []
    state.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM send_meta").fetchone() == (str(SCHEMA_VERSION),)


def test_claim_takes_pending_in_order_once_per_worker(state_at: str) -> None:
    state = opened(state_at)
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
