"""`feedkit send` never hangs and never loses a delivery when something breaks under it:
the state failing mid-run, a signer raising for one recipient, an unexpected error in
a worker, a server that isn't there. Each run is timed out by the test (a run that
doesn't return fails it), then run again against a healthy setup: every recipient
gets exactly one message."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from send_helpers import deliveries, make_site, run, subscribers_csv
from smtp_sink import Faults, SmtpSink

from feedkit.errors import StateError

NOW = "2020-02-10T12:00+01:00"  # Monday: the last complete week is 3-9 February
WEEK = "week:2020-02-03"


def within(seconds: float, job: Callable[[], object]) -> object:
    """`job()`'s result; fails the test when it hasn't returned after `seconds`."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(job()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it hangs"
    assert box, "the job raised instead of returning"
    return box[0]


def once_each(sink: SmtpSink, count: int) -> None:
    got = {k: len(v) for k, v in sink.by_recipient().items()}
    assert got == {f"user{i}@example.org": 1 for i in range(count)}


def fail_on_call(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, number: int,
                 error: Exception) -> list[int]:
    """Make `owner.name` raise `error` on its `number`-th call (once, as a state that
    is locked for a moment or drops a connection does); the calls seen."""
    real = getattr(owner, name)
    calls = [0]
    lock = threading.Lock()

    def failing(self, *args, **kwargs):
        with lock:
            calls[0] += 1
            now = calls[0]
        if now == number:
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


@pytest.mark.parametrize(("operation", "number"), [("claim", 2), ("mark_sending_many", 6),
                                                    ("mark_sent_many", 6)])
def test_a_state_that_fails_mid_run_stops_it_in_seconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operation: str, number: int) -> None:
    from feedkit.state.sqlite import SqliteState

    count = 40
    registry = make_site(tmp_path, subscribers_csv(count))
    cause = StateError(f"{tmp_path}/.feedkit/state.sqlite: database is locked")
    with SmtpSink(Faults(data_delay=0.02), pipelining=True) as sink:
        calls = fail_on_call(monkeypatch, SqliteState, operation, number, cause)
        started = time.monotonic()
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "4"))
        took = time.monotonic() - started
        assert calls[0] >= number
        assert result.exit_code == 1, result.output
        assert "database is locked" in result.output and "Traceback" not in result.output
        assert took < 10
        sent_first = len(sink.received)
        assert sent_first < count
        # Resumable: what wasn't sent is open, and a healthy rerun sends just that.
        statuses = {s for s, _ in deliveries(registry).values()}
        assert statuses <= {"sent", "pending", "sending"} and statuses != {"sent"}
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, count)
    assert {s for s, _ in deliveries(registry).values()} == {"sent"}


def test_a_state_gone_for_good_stops_the_run_and_the_rerun_sends_each_message_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the sixth `sent` on, every statement fails (a full disk): the run ends at
    once; the messages in flight then, which the state couldn't record as sent, are
    sent again by the next run with the same Message-ID, and nothing else is."""
    from feedkit.state.sqlite import SqliteState

    count, connections = 40, 4
    registry = make_site(tmp_path, subscribers_csv(count))
    broken = threading.Event()
    full = StateError(f"{tmp_path}/.feedkit/state.sqlite: database or disk is full")
    for helper in ("_exec", "_one", "_all", "_many"):
        real = getattr(SqliteState, helper)

        def failing(self, *args, _real=real, **kwargs):
            if broken.is_set():
                raise full
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(SqliteState, helper, failing)
    real_sent = SqliteState.mark_sent_many
    sent = [0]

    def mark_sent_many(self, period, recipients, **kwargs):
        sent[0] += len(recipients)
        if sent[0] >= 6:
            broken.set()
        return real_sent(self, period, recipients, **kwargs)

    monkeypatch.setattr(SqliteState, "mark_sent_many", mark_sent_many)
    with SmtpSink(Faults(data_delay=0.02), pipelining=True) as sink:
        started = time.monotonic()
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", str(connections)))
        assert time.monotonic() - started < 10
        assert result.exit_code == 1, result.output
        assert "Error: the state failed" in result.output
        assert "database or disk is full" in result.output
        first = len(sink.received)
        assert first < count
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        got = sink.by_recipient()
    assert sorted(got) == sorted(f"user{i}@example.org" for i in range(count))
    assert all(len({m["Message-ID"] for m in messages}) == 1 for messages in got.values())
    assert sum(len(m) - 1 for m in got.values()) <= connections  # only those in flight


def test_a_postgresql_state_whose_connections_are_dropped_mid_run(
        tmp_path: Path, pg_state: str) -> None:
    """The real thing: the server ends the sender's sessions while it sends."""
    import psycopg

    count = 60
    registry = make_site(tmp_path, subscribers_csv(count))
    with SmtpSink(Faults(data_delay=0.03), pipelining=True) as sink:
        def kill_when_sending() -> None:
            deadline = time.monotonic() + 15
            while len(sink.received) < 8 and time.monotonic() < deadline:
                time.sleep(0.005)
            with psycopg.connect(pg_state, autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                             "datname = current_database() AND pid <> pg_backend_pid()")

        killer = threading.Thread(target=kill_when_sending, daemon=True)
        killer.start()
        result = within(30, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "4",
                                        "--state", pg_state))
        killer.join(20)
        assert result.exit_code == 1, result.output
        assert "Error: the state failed" in result.output and "Traceback" not in result.output
        assert len(sink.received) < count
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--state", pg_state)
        assert again.exit_code == 0, again.output
        once_each(sink, count)


def test_a_signer_that_raises_for_one_recipient_leaves_only_that_one_pending(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from test_send_pool import with_dkim

    from feedkit.mail.signing import DkimSigner

    registry = make_site(tmp_path, subscribers_csv(6))
    with_dkim(registry, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    real = DkimSigner.sign

    def sign(self: DkimSigner, data: bytes) -> bytes:
        if b"user3@example.org" in data:
            raise ValueError("the signer broke")
        return real(self, data)

    monkeypatch.setattr(DkimSigner, "sign", sign)
    with SmtpSink() as sink:
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url))
        assert result.exit_code == 75, result.output
        assert "sent 5, pending 1, failed 0" in result.output
        assert "the signer broke" in result.output and "user3@" not in result.output
        status, attempts = deliveries(registry)[(WEEK, "user3@example.org")]
        assert (status, attempts) == ("pending", 0)  # never handed over
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0 and "sent 1, pending 0" in again.output, again.output
        once_each(sink, 6)


@pytest.mark.parametrize("where", ["worker", "owner"])
def test_an_unexpected_error_in_a_thread_does_not_hang_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """A bug in a worker thread (here: the pacer) ends the run with exit 1 naming it;
    one in the thread that owns the state (here: the progress reporter) ends it too,
    with its traceback (a bug). Neither hangs."""
    from feedkit.channels.pacing import Pacer
    from feedkit.progress import PlainReporter

    registry = make_site(tmp_path, subscribers_csv(30))
    owner, name = (Pacer, "reserve") if where == "worker" else (PlainReporter, "advance")
    fail_on_call(monkeypatch, owner, name, 3, RuntimeError("a bug"))
    with SmtpSink(Faults(data_delay=0.01)) as sink:
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "4"))
        assert result.exit_code == 1, result.output
        if where == "worker":
            assert "Error: stopped: RuntimeError: a bug" in result.output
        else:
            assert isinstance(result.exception, RuntimeError)
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, 30)


def test_errors_in_every_hand_over_stop_the_run_instead_of_churning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.mail.smtplink import SmtpLink

    async def broken(*args: object) -> None:
        raise ZeroDivisionError("division by zero")

    registry = make_site(tmp_path, subscribers_csv(50))
    monkeypatch.setattr(SmtpLink, "_send", broken)
    with SmtpSink() as sink:
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "2"))
        assert result.exit_code == 1, result.output
        assert "errors in a row" in result.output and "ZeroDivisionError" in result.output
        assert sink.received == []
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, 50)


def test_nothing_listening_is_a_setup_error_said_at_once(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(50))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                    "--smtp", f"smtp://localhost:{port}"))
    assert time.monotonic() - started < 2
    assert result.exit_code == 1, result.output
    assert f"Error: can't connect to localhost:{port}: Connection refused; check the host " \
        "and port" in result.output
    assert "retrying" not in result.output
    assert {s for s, _ in deliveries(registry).values()} == {"pending"}
    with SmtpSink() as sink:
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, 50)


def _offload_children() -> list[int]:
    """Our child processes making payloads (python -m feedkit.channels.offload)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == os.getpid() and b"feedkit.channels.offload" in command:
            found.append(int(entry.name))
    return found


def test_a_payload_process_that_dies_stops_the_run_without_a_hang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.jobs import sendrun

    monkeypatch.setattr(sendrun, "OFFLOAD_FROM", 1)
    count = 300
    registry = make_site(tmp_path, subscribers_csv(count))
    with SmtpSink(Faults(data_delay=0.01), pipelining=True) as sink:
        killed: list[int] = []

        def kill_it() -> None:
            deadline = time.monotonic() + 20
            while not killed and time.monotonic() < deadline:
                if len(sink.received) >= 20:
                    for pid in _offload_children():
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                time.sleep(0.005)

        killer = threading.Thread(target=kill_it, daemon=True)
        killer.start()
        result = within(30, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "4"))
        killer.join(20)
        assert killed, "the payload process was never seen"
        assert result.exit_code == 1, result.output
        assert "the process making the payloads ended" in result.output
        assert len(sink.received) < count
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, count)
