"""`feedkit state migrate`: a SQLite state made by real commands (an import, a send with
one delivery left for later, an unsubscribe, a subscription through the list's rules,
a ping) is copied into PostgreSQL row for row, and work goes on there."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
from send_helpers import SECRET, make_site, run
from smtp_sink import Faults, SmtpSink
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.load import load
from feedkit.state import locate
from feedkit.state.schema import TABLES
from feedkit.subscriptions import ListService, Request

NOW = "2020-02-10T12:00+01:00"


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"FEEDKIT_SECRET": SECRET,
                                                    "FEEDKIT_STATE_URL": ""})


def _table(fetch, table: str) -> list[tuple[object, ...]]:
    columns = ", ".join(f'"{c}"' for c in TABLES[table])
    order = "id" if table == "list_consent" else columns
    return [tuple(r) for r in fetch(f"SELECT {columns} FROM {table} ORDER BY {order}")]


def _sqlite_site(tmp_path: Path) -> tuple[Path, Path]:
    registry = make_site(tmp_path, "email,name,language\nann@example.org,Ann,sv\n"
                                   "bo@example.org,Bo,en\ncy@example.org,Cy,\n")
    assert _cli("subscribers", "import", str(tmp_path / "subscribers.csv"), "--registry",
                str(registry)).exit_code == 0
    faults = Faults(rcpt_replies={"cy@example.org": ["451 4.3.0 later"] * 10})
    with SmtpSink(faults) as sink:
        sent = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                   "--retries", "0")
    assert sent.exit_code == 75 and "sent 2, pending 1" in sent.output, sent.output
    assert run(registry, "unsubscribe", "bo@example.org").exit_code == 0
    path = tmp_path / ".feedkit" / "state.sqlite"
    state = locate(str(path), registry).open()
    service = ListService(load(registry).site, state, SECRET.encode())
    service.subscribe({"email": "Di@example.org", "name": "Di"}, Request("192.0.2.4", "UA"))
    state.record_ping("https://hub.example/", "https://lab.example.org/dagbok/atom.xml",
                      "c" * 64)
    state.record_bounce("report-1", "cy@example.org", "week:2020-02-03", "soft", "4.2.2",
                        "2020-02-11T08:00:00+00:00")
    state.record_refusal("report-2", "example.com", "mail.lab.example.org",
                         "mx.example.com", "5.7.26", "550 5.7.26 unauthenticated",
                         "2020-02-11T08:00:00+00:00")
    state.close()
    return registry, path


def test_migrate_copies_every_row_and_the_work_goes_on(tmp_path: Path, pg_state: str) -> None:
    registry, path = _sqlite_site(tmp_path)
    with sqlite3.connect(path) as conn:
        before = {t: _table(lambda sql: conn.execute(sql).fetchall(), t) for t in TABLES}
    conn.close()
    result = _cli("state", "migrate", "--from", str(path), "--to", pg_state)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:-1] == [f"copied {len(rows):>9} {t}" for t, rows in before.items()]
    assert lines[-1].startswith("every count matches")
    assert {t: len(r) for t, r in before.items()} == {
        "send_periods": 1, "send_period_posts": 2, "send_deliveries": 3, "send_suppressed": 1,
        "ping_feeds": 1, "list_subscribers": 4, "list_consent": 5, "send_runs": 1,
        "send_bounces": 1, "send_refusals": 1}
    with psycopg.connect(pg_state) as conn:
        after = {t: _table(lambda sql: conn.execute(sql).fetchall(), t) for t in TABLES}
    assert after == before
    where = ["--registry", str(registry), "--format", "json"]
    assert json.loads(_cli("subscribers", "list", *where, "--state", pg_state).output) == \
        json.loads(_cli("subscribers", "list", *where, "--state", str(path)).output)

    with SmtpSink() as sink:  # the delivery left pending goes out from PostgreSQL, alone
        rest = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                   "--state", pg_state)
        assert rest.exit_code == 0 and "sent 1, pending 0" in rest.output, rest.output
        assert sorted(sink.by_recipient()) == ["cy@example.org"]
    state = locate(pg_state, registry).open()
    assert state.periods("week")[0].status == "done"
    state.request_subscription("eve@example.org", "eve@example.org", "", None,
                               state.consents("ann@example.org")[0])
    with psycopg.connect(pg_state) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM list_consent ORDER BY id")]
    assert ids == sorted(set(ids)) and len(ids) == 6  # new records follow the copied ones
    assert state.record_bounce("report-2", "ann@example.org", None, "hard", "5.1.1",
                               "2020-02-12T08:00:00+00:00")  # after the copied one's id
    assert state.start_run("w", "week") == 3  # the runs' ids go on from the copied ones
    state.close()


def test_migrate_refuses_a_database_that_holds_a_state(tmp_path: Path, pg_state: str) -> None:
    _, path = _sqlite_site(tmp_path)
    assert _cli("state", "migrate", "--from", str(path), "--to", pg_state).exit_code == 0
    again = _cli("state", "migrate", "--from", str(path), "--to", pg_state)
    assert again.exit_code == 1
    assert again.output.startswith(f"Error: --to {pg_state}: already holds a state "
                                   "(send_periods has 1 rows)")
    with psycopg.connect(pg_state) as conn:
        assert conn.execute("SELECT COUNT(*) FROM list_consent").fetchone() == (5,)


def test_migrate_names_the_option_at_fault(tmp_path: Path, pg_state: str) -> None:
    _, path = _sqlite_site(tmp_path)
    to_file = _cli("state", "migrate", "--from", str(path), "--to", str(tmp_path / "x.db"))
    assert to_file.exit_code == 1 and to_file.output.startswith(
        f"Error: --to {tmp_path / 'x.db'}: give the PostgreSQL database to copy into")
    missing = _cli("state", "migrate", "--from", str(tmp_path / "none.sqlite"), "--to",
                   pg_state)
    assert missing.exit_code == 1 and "Error: --from " in missing.output
    unreachable = _cli("state", "migrate", "--from", str(path), "--to",
                       "postgresql://feedkit:pw-Secret@127.0.0.1:1/x")
    assert unreachable.exit_code == 1 and unreachable.output.startswith(
        "Error: --to postgresql://feedkit:***@127.0.0.1:1/x: can't connect")
    assert "pw-Secret" not in unreachable.output
