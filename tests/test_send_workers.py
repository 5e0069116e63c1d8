"""Several `feedkit send` processes on one PostgreSQL state, through a real SMTP server
(aiosmtpd on 127.0.0.1): they split a period's deliveries, and a worker killed with
SIGKILL leaves its claimed rows to whoever claims once its lease has run out, with
the same Message-ID. Every recipient ends up with exactly one Message-ID."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from send_helpers import SECRET, make_site, run, subscribers_csv
from smtp_sink import Faults, SmtpSink

NOW = "2020-02-10T12:00+01:00"  # Monday: the last complete week is 3-9 February
PERIOD = "week:2020-02-03"


def _send(registry: Path, smtp: str, state: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "FEEDKIT_SECRET": SECRET, "FEEDKIT_STATE_URL": state}
    env.pop("FEEDKIT_SMTP_URL", None)
    command = [sys.executable, "-c", "from feedkit.cli import main; main()", "send",
               "--registry", str(registry), "--period", "week", "--now", NOW, "--smtp", smtp,
               "--retry-delay", "0.01", *extra]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _rows(state: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(state) as conn:
        return list(conn.execute(sql).fetchall())


def _one_message_id_each(sink: SmtpSink, count: int) -> dict[str, list[str]]:
    got = {rcpt: [m["Message-ID"] for m in messages]
           for rcpt, messages in sink.by_recipient().items()}
    assert sorted(got) == sorted(f"user{i}@example.org" for i in range(count))
    assert all(len(set(ids)) == 1 for ids in got.values())
    return got


def test_three_workers_one_killed_and_a_fourth_deliver_3000_exactly_once(
        tmp_path: Path, pg_state: str) -> None:
    registry = make_site(tmp_path, subscribers_csv(3000))
    lease = 20.0
    with SmtpSink() as sink:
        workers = [_send(registry, sink.url, pg_state, "--lease", str(lease),
                         "--connections", "4") for _ in range(3)]
        _wait_for(lambda: len(sink.received) >= 500)
        workers[0].send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert workers[0].wait(10) == -signal.SIGKILL
        finished = [w.communicate(timeout=240) for w in workers[1:]]
        assert [w.returncode for w in workers[1:]] == [0, 0], finished
        # The dead worker's claims hold until its lease ends (unless this machine was
        # so slow that the other two outlived it and took the rows over themselves).
        (held,), = _rows(pg_state, "SELECT COUNT(*) FROM send_deliveries WHERE status IN "
                                   "('pending', 'sending') AND lease_until > now()")
        assert held > 0 or time.monotonic() - killed_at > lease - 1
        _wait_for(lambda: time.monotonic() - killed_at > lease + 0.5)
        fourth = _send(registry, sink.url, pg_state, "--lease", str(lease))
        out, err = fourth.communicate(timeout=120)
        assert fourth.returncode == 0, (out, err)
        got = _one_message_id_each(sink, 3000)
        received = len(sink.received)
    # At most the messages the killed worker was handing over (one per connection)
    # arrive twice, each time with its one Message-ID.
    assert 3000 <= received <= 3004
    assert sum(len(ids) for ids in got.values()) == received
    stored = dict(_rows(pg_state, "SELECT recipient, message_id FROM send_deliveries "
                                  "WHERE status = 'sent'"))
    assert len(stored) == 3000 and all(stored[r] == ids[0].strip() for r, ids in got.items())
    sent = [int(re.search(r"^sent (\d+),", o, re.M).group(1))  # type: ignore[union-attr]
            for o, _ in [*finished, (out, err)]]
    assert sent[0] > 0 and sent[1] > 0 and sent[2] == held
    assert sum(sent) + by_worker_sent(pg_state, workers[0]) == 3000
    assert by_worker_sent(pg_state, workers[0]) > 0  # it did work before it was killed
    assert _rows(pg_state, f"SELECT status FROM send_periods WHERE period = '{PERIOD}'") == [
        ("done",)]


def by_worker_sent(state: str, process: subprocess.Popen[str]) -> int:
    """How many the killed worker sent (its process id is in its worker name)."""
    rows = _rows(state, "SELECT COUNT(*) FROM send_deliveries WHERE status = 'sent' AND "
                        f"claimed_by LIKE '%:{process.pid}:%'")
    return int(rows[0][0])  # type: ignore[call-overload]


def test_one_worker_killed_mid_message_is_resent_with_its_message_id(
        tmp_path: Path, pg_state: str) -> None:
    registry = make_site(tmp_path, subscribers_csv(6))
    with SmtpSink(Faults(data_delay=0.3)) as sink:
        # The lease outlasts the first run's start-up and three messages on a busy machine.
        process = _send(registry, sink.url, pg_state, "--lease", "8", "--connections", "1")
        _wait_for(lambda: sink.data_started >= 3)  # the server has message 3's DATA
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        time.sleep(0.4)  # the server notices the dead client and drops message 3
        assert len(sink.received) == 2
        (mid, status), = _rows(pg_state, "SELECT message_id, status FROM send_deliveries "
                                         "WHERE recipient = 'user2@example.org'")
        assert status == "sending"
        sink.faults.data_delay = 0
        early = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--state", pg_state)
        assert early.exit_code == 0 and "sent 0," in early.output  # the claims still hold
        assert early.output.splitlines()[-1].endswith(", held by other senders 4")
        _wait_for(lambda: _rows(pg_state, "SELECT COUNT(*) FROM send_deliveries WHERE "
                                          "lease_until < now() AND status != 'sent'")
                  == [(4,)], timeout=20)
        later = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--state", pg_state)
        got = _one_message_id_each(sink, 6)
    assert later.exit_code == 0, later.output
    assert "4 message(s) were claimed or being handed over" in later.output
    status = json.loads(run(registry, "status", "--format", "json", "--state",
                            pg_state).output)
    assert [(p["period"], p["status"], p["sent"], p["pending"]) for p in status["periods"]] == [
        (PERIOD, "done", 6, 0)]
    assert status["last_run"]["outcome"] == "done" and status["last_run"]["sent"] == 4
    assert got["user2@example.org"] == [mid]
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(6)}
