"""SMTP URL parsing and the transports, against a real local server."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from smtp_sink import Faults, SmtpSink, letter

from feedkit.mail.handover import TransportError
from feedkit.mail.maildir import MaildirTransport
from feedkit.mail.transport import SmtpConfigError, SmtpTransport, parse_smtp_url


def test_parse_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://mail.example.org", {})
    assert (plain.host, plain.port, plain.implicit_tls, plain.starttls_required) == (
        "mail.example.org", 587, False, False)
    tls = parse_smtp_url("smtps://u%40x:p%3Ass@mail.example.org", {})
    assert (tls.port, tls.implicit_tls, tls.user, tls.password) == (465, True, "u@x", "p:ss")
    required = parse_smtp_url("smtp://h:2525?starttls=required&timeout=5", {})
    assert (required.port, required.starttls_required, required.timeout) == (2525, True, 5.0)
    env = parse_smtp_url("smtp://h", {"FEEDKIT_SMTP_USER": "me", "FEEDKIT_SMTP_PASSWORD": "pw"})
    assert (env.user, env.password) == ("me", "pw")


def test_password_is_never_in_repr_or_description() -> None:
    config = parse_smtp_url("smtp://me:hunter2-secret@h:25", {})
    assert "hunter2" not in repr(config)
    assert config.description == "smtp://me@h:25"


@pytest.mark.parametrize(("url", "message"), [
    ("http://h", "must start with smtp:// or smtps://"),
    ("smtp://", "has no host"),
    ("smtp://h/path", "can't have a path"),
    ("smtp://h?tls=1", "unknown setting 'tls'"),
    ("smtps://h?starttls=required", "already uses TLS"),
    ("smtp://u:hunter2-secret@h:notaport", "can't be read"),
])
def test_bad_urls_are_explained_without_the_password(url: str, message: str) -> None:
    with pytest.raises(SmtpConfigError, match=message) as caught:
        parse_smtp_url(url, {})
    assert "hunter2" not in str(caught.value)


def test_one_connection_for_many_messages_and_reconnect_after_a_drop() -> None:
    with SmtpSink(Faults(drop_before_message={3})) as sink:
        transport = SmtpTransport(parse_smtp_url(sink.url, {}))
        transport.send(letter("a@example.org"), "news@example.org", "a@example.org")
        transport.send(letter("b@example.org"), "news@example.org", "b@example.org")
        assert transport.connections == 1
        with pytest.raises(TransportError) as caught:
            transport.send(letter("c@example.org"), "news@example.org", "c@example.org")
        assert caught.value.temporary and caught.value.connection
        transport.send(letter("c@example.org"), "news@example.org", "c@example.org")
        transport.close()
        assert transport.connections == 2
        assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["b@example.org"],
                                                       ["c@example.org"]]
        assert sink.messages()[2].get_content().replace("\r\n", "\n") == "Hallå där\n"


def test_replies_are_classified() -> None:
    faults = Faults(rcpt_replies={"t@example.org": ["451 4.7.1 later"],
                                  "p@example.org": ["550 5.1.1 unknown"]})
    with SmtpSink(faults) as sink:
        transport = SmtpTransport(parse_smtp_url(sink.url, {}))
        with pytest.raises(TransportError) as temporary:
            transport.send(letter("t@example.org"), "n@example.org", "t@example.org")
        with pytest.raises(TransportError) as permanent:
            transport.send(letter("p@example.org"), "n@example.org", "p@example.org")
        transport.send(letter("t@example.org"), "n@example.org", "t@example.org")
        transport.close()
        assert transport.connections == 1  # refusals don't cost the connection
    assert (temporary.value.temporary, temporary.value.code) == (True, 451)
    assert (permanent.value.temporary, permanent.value.code) == (False, 550)
    assert "550 5.1.1 unknown" in str(permanent.value)


def test_maildir_transport(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path / "out" / "outbox")
    transport.send(letter("a@example.org"), "n@example.org", "a@example.org")
    box = mailbox.Maildir(tmp_path / "out" / "outbox", create=False)
    assert [m["To"] for m in box] == ["a@example.org"]
    assert all((tmp_path / "out" / "outbox" / d).is_dir() for d in ("new", "cur", "tmp"))
