"""Concurrent delivery against real SMTP servers on 127.0.0.1: PIPELINING, DKIM
verified by dkimpy, VERP, rate limits seen in the server's timestamps, a relay
that starts refusing, SIGKILL with many messages in flight, test sends."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from send_helpers import SECRET, deliveries, make_site, run, subscribers_csv
from smtp_sink import Faults, SmtpSink
from test_send import _send_process, _wait_for

from feedkit.mail.verp import bounce_token

NOW = "2020-02-10T12:00+01:00"
SIGNED = {b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
          b"list-unsubscribe", b"list-unsubscribe-post"}


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def with_dkim(registry: Path, key: rsa.RSAPrivateKey, extra: str = "") -> bytes:
    """Add site.dkim (and `extra` site lines) to the registry; the DNS TXT record."""
    (registry.parent / "keys").mkdir(exist_ok=True)
    (registry.parent / "keys" / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("site:\n", "site:\n  dkim:\n    selector: feedkit1\n"
                                     f"    key_file: keys/dkim.pem\n{extra}", 1),
                        encoding="utf-8")
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    import base64

    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def unsigned(data: bytes) -> tuple[bytes, bytes]:
    """(the DKIM-Signature header, the rest of the message)."""
    import re

    end = re.search(rb"\r\n(?![ \t])", data)
    assert data.startswith(b"DKIM-Signature:") and end is not None
    return data[:end.end()], data[end.end():]


def verifies(data: bytes, record: bytes) -> bool:
    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"feedkit1._domainkey.lab.example.org."
        return record

    return bool(dkim.verify(data, dnsfunc=dns))


def test_many_connections_each_message_once_pipelined_and_signed(tmp_path, key) -> None:
    registry = make_site(tmp_path, subscribers_csv(40))
    record = with_dkim(registry, key, "  bounce_address: bounces@lab.example.org\n")
    with SmtpSink(Faults(data_delay=0.1), pipelining=True) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--connections", "8")
        received = list(sink.received)
    assert result.exit_code == 0, result.output
    assert "(8 connection(s))" in result.output
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        f"user{i}@example.org" for i in range(40))
    assert sink.most_in_data > 1  # several messages were with the server at once
    assert sink.pipelined == 40  # MAIL, RCPT and DATA went in one write each time
    for item in received:
        assert item.data.startswith(b"DKIM-Signature:")
        assert verifies(item.data, record), item.rcpt_tos
        fields = dkim.util.parse_tag_value(item.parse()["DKIM-Signature"].encode()
                                           .replace(b"\r\n", b"").replace(b" ", b""))
        assert set(fields[b"h"].split(b":")) >= SIGNED
        assert fields[b"d"] == b"lab.example.org" and fields[b"s"] == b"feedkit1"
        token = bounce_token(item.rcpt_tos[0], SECRET.encode())
        assert item.mail_from == f"bounces+{token}-w20200203@lab.example.org"
    # A signature made for one recipient does not verify another's message.
    (first_sig, _), (_, second_rest) = unsigned(received[0].data), unsigned(received[1].data)
    assert verifies(first_sig + second_rest, record) is False


@pytest.mark.parametrize(("content", "words"), [
    (None, "can't be read"),
    (b"not a key\n", "not a PEM private key"),
    (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
     "not a PEM private key"),
])
def test_a_bad_dkim_key_stops_before_anything_is_sent(tmp_path, key, content, words) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    with_dkim(registry, key)
    pem = tmp_path / "keys" / "dkim.pem"
    if content is None:
        pem.unlink()
    else:
        pem.write_bytes(content)
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert sink.received == [] and sink.mail_commands == 0
    assert result.exit_code == 1, result.output
    assert f"{registry}:3:5: site.dkim.key_file: {pem}" in result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / ".feedkit" / "state.sqlite").exists()


def test_a_dkim_domain_that_does_not_align_is_located(tmp_path, key) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with_dkim(registry, key, "    domain: example.net\n")
    result = run(registry, "send", "--period", "week", "--now", NOW, "--dry-run")
    assert result.exit_code == 1
    assert f"{registry}:5:13: site.dkim.domain: 'example.net' doesn't align" in result.output


def test_sigkill_with_many_in_flight_gives_one_message_id_each(tmp_path, key) -> None:
    registry = make_site(tmp_path, subscribers_csv(30))
    record = with_dkim(registry, key)
    with SmtpSink(Faults(data_delay=0.2), pipelining=True) as sink:
        process = _send_process(registry, sink.url, "--connections", "6")
        _wait_for(lambda: sink.data_started >= 14)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        time.sleep(0.5)  # the server finishes (or drops) what was in flight
        first = len(sink.received)
        sink.faults.data_delay = 0
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
        received = list(sink.received)
    assert result.exit_code == 0, result.output
    assert sorted(got) == sorted(f"user{i}@example.org" for i in range(30))
    assert 8 <= first < 30
    for messages in got.values():
        assert len({m["Message-ID"] for m in messages}) == 1
    duplicates = sum(len(m) - 1 for m in got.values())
    assert duplicates <= 6  # at most the messages that were in flight
    assert all(verifies(r.data, record) for r in received)
    assert {s for s, _ in deliveries(registry).values()} == {"sent"}


def test_rate_per_second_seen_by_the_server(tmp_path) -> None:
    registry = make_site(tmp_path, subscribers_csv(24))
    with SmtpSink(pipelining=True) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--connections", "6", "--rate", "20")
        times = sorted(r.at for r in sink.received)
    assert result.exit_code == 0, result.output
    assert len(times) == 24
    assert times[-1] - times[0] >= 23 / 20 - 0.05  # evenly spaced, 1/20 s apart
    for start in times:  # no second holds more than 20 (+1 for the window's edge)
        assert sum(1 for t in times if start <= t < start + 1.0) <= 21


def test_per_hour_holds_across_runs(tmp_path) -> None:
    registry = make_site(tmp_path, subscribers_csv(8))
    with SmtpSink() as sink:
        first = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--per-hour", "5", "--connections", "3")
        second = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--per-hour", "5")
        assert len(sink.received) == 5
        third = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--per-hour", "8")
        got = sink.by_recipient()
    assert first.exit_code == second.exit_code == 75, first.output + second.output
    assert "limit of 5 messages an hour is reached" in first.output
    assert "sent 5, pending 3" in first.output and "sent 0, pending 3" in second.output
    # A limit of 8 leaves room for exactly the 3 left: 5 + 3 in the hour.
    assert third.exit_code == 0 and "sent 3, pending 0" in third.output, third.output
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(8)}


def test_a_refusing_relay_slows_the_pool_instead_of_burning_retries(tmp_path) -> None:
    registry = make_site(tmp_path, subscribers_csv(30))
    # For 0.2 s from the first MAIL (every connection's first), 421 and a hang-up.
    with SmtpSink(Faults(refuse_for=0.2, data_delay=0.05)) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--connections", "8", "--retries", "1", "--retry-delay", "0.3")
        got = sink.by_recipient()
    assert result.exit_code == 0, result.output
    assert "slowing down to 4 connection(s)" in result.output
    assert result.output.count("slowing down") == 1  # eight failures together count once
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(30)}


def test_a_relay_that_keeps_refusing_stops_the_run(tmp_path) -> None:
    registry = make_site(tmp_path, subscribers_csv(20))
    with SmtpSink(Faults(refuse_for=1000)) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--connections", "8", "--retries", "2", "--retry-delay", "0.2")
        tries = sink.mail_commands
    assert result.exit_code == 75, result.output
    assert "giving up for now" in result.output and "sent 0, pending 20" in result.output
    # Waves of 8, 4 and 2 connections (and a few late starters of a wave), not every
    # connection using up its own tries (8 x 3).
    assert tries <= 16
    assert {s for s, _ in deliveries(registry).values()} == {"pending"}


def test_test_send_is_the_next_message_and_touches_no_state(tmp_path, key) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    record = with_dkim(registry, key)
    with SmtpSink() as sink:
        test = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                   "--to", "user1@example.org")
        assert test.exit_code == 0, test.output
        assert not (tmp_path / ".feedkit" / "state.sqlite").exists()
        real = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert real.exit_code == 0, real.output
        copies = [r.data for r in sink.received if r.rcpt_tos == ["user1@example.org"]]
    assert "nothing recorded" in test.output and "sent 1" in test.output
    assert len(copies) == 2 and all(verifies(c, record) for c in copies)
    # The same message; only the signature (its time) may differ.
    assert unsigned(copies[0])[1] == unsigned(copies[1])[1]
    with sqlite3.connect(tmp_path / ".feedkit" / "state.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM send_deliveries").fetchone() == (3,)


def test_test_send_refuses_a_bad_address_and_says_when_nothing_is_due(tmp_path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    bad = run(registry, "send", "--period", "week", "--now", NOW, "--to", "not-an-address")
    assert bad.exit_code == 2 and "--to: 'not-an-address'" in bad.output
    with SmtpSink() as sink:
        run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        nothing = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                      "--to", "me@example.org")
        assert len(sink.received) == 1
    assert nothing.exit_code == 3 and "nothing to send" in nothing.output


def test_a_digest_over_gmails_clip_size_warns(tmp_path) -> None:
    from typer.testing import CliRunner

    from feedkit.cli import app

    registry = make_site(tmp_path, subscribers_csv(1))
    long = "Lång text om boende. " * 450  # about 9,500 characters of summary each
    posts = "".join(f"  - title: Inlägg {i}\n    date: 2020-02-0{3 + i % 5}T0{i % 9}:00\n"
                    f"    author: Eva Ek\n    summary: {long.strip()}\n" for i in range(14))
    text = registry.read_text(encoding="utf-8").replace("posts:\n", "posts:\n" + posts, 1)
    registry.write_text(text, encoding="utf-8")
    args = ["digest", "--registry", str(registry), "--out", str(tmp_path / "out"),
            "--period", "week", "--until", "2020-02-09"]
    big = CliRunner().invoke(app, args)
    assert big.exit_code == 0, big.output
    assert "warning: the digest's HTML is" in big.output and "Gmail clips" in big.output
    assert (tmp_path / "out" / "digest.html").stat().st_size > 102 * 1024
    with SmtpSink() as sink:
        sent = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
    assert "warning: the digest's HTML is" in sent.output
    (tmp_path / "small").mkdir()
    small = make_site(tmp_path / "small", subscribers_csv(1))
    quiet = CliRunner().invoke(app, ["digest", "--registry", str(small), "--out",
                                     str(tmp_path / "small" / "out"), "--period", "week",
                                     "--until", "2020-02-09"])
    assert quiet.exit_code == 0 and "warning" not in quiet.output


def test_payloads_made_in_a_process_of_their_own_are_the_same(tmp_path, key,
                                                              monkeypatch) -> None:
    """A long list's payloads are personalised and signed in another process: each
    recipient gets the very message the pool's threads would have made."""
    from feedkit.jobs import sendrun

    registry = make_site(tmp_path, subscribers_csv(40))
    record = with_dkim(registry, key)
    state = tmp_path / ".feedkit" / "state.sqlite"
    got: list[dict[str, bytes]] = []
    for offload_from in (1, 10**9):
        monkeypatch.setattr(sendrun, "OFFLOAD_FROM", offload_from)
        state.unlink(missing_ok=True)
        with SmtpSink(pipelining=True) as sink:
            result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp",
                         sink.url, "--connections", "4")
            received = list(sink.received)
        assert result.exit_code == 0 and "sent 40, pending 0" in result.output, result.output
        assert all(verifies(r.data, record) for r in received)
        got.append({r.rcpt_tos[0]: unsigned(r.data)[1] for r in received})
    assert len(got[0]) == 40 and got[0] == got[1]
