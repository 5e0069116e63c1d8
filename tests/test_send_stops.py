"""`feedkit send` never hangs and never loses a delivery when something breaks under it:
the state failing mid-run, a signer raising for one recipient, an unexpected error in
a worker, a server that isn't there. Each run is timed out by the test (a run that
doesn't return fails it), then run again against a healthy setup: every recipient
gets exactly one message."""

from __future__ import annotations

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
    """Make `owner.name` raise `error` on its `number`-th call (once); the calls seen."""
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


@pytest.mark.parametrize(("operation", "number"), [("claim", 2), ("mark_sending", 6)])
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


def test_a_worker_hit_by_an_unexpected_error_does_not_hang_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.progress import PlainReporter

    registry = make_site(tmp_path, subscribers_csv(30))
    fail_on_call(monkeypatch, PlainReporter, "advance", 3, RuntimeError("a bug"))
    with SmtpSink(Faults(data_delay=0.01)) as sink:
        result = within(20, lambda: run(registry, "send", "--period", "week", "--now", NOW,
                                        "--smtp", sink.url, "--connections", "4"))
        assert result.exit_code == 1, result.output
        assert "RuntimeError: a bug" in result.output and "Traceback" not in result.output
        monkeypatch.undo()
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0, again.output
        once_each(sink, 30)


def test_errors_in_every_hand_over_stop_the_run_instead_of_churning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedkit.mail.transport import SmtpTransport

    registry = make_site(tmp_path, subscribers_csv(50))
    monkeypatch.setattr(SmtpTransport, "send", lambda *args: 1 / 0)
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
