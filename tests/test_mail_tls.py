"""SMTP over TLS (STARTTLS and smtps://) and AUTH, against real TLS servers on 127.0.0.1.

Certificates come from trustme: `ca` signs the servers' certificate; the client trusts
it only through the context handed to SmtpTransport (or, for `feedkit send`, through
SSL_CERT_FILE, which OpenSSL's default trust store reads).
"""

from __future__ import annotations

import gc
import ssl
import warnings
from pathlib import Path

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from send_helpers import make_site, run, subscribers_csv
from smtp_sink import SmtpSink, letter

from feedkit.mail.handover import SetupError
from feedkit.mail.transport import SmtpTransport, parse_smtp_url

NOW = "2020-02-10T12:00+01:00"  # Monday: the last complete week is 3-9 February
USER = "mailer"
PASSWORD = "s3cret:p@ss/word"  # needs quoting in a URL
WRONG = "wrong-hunter2"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts `ca` and nothing else (no system store)."""
    return _trust_only(ca)


def _trust_only(ca: trustme.CA) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data == (USER.encode(), PASSWORD.encode()))
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def _starttls_sink(server_tls: ssl.SSLContext, **options: object) -> SmtpSink:
    """Offers STARTTLS and refuses MAIL (530) until the client has started TLS."""
    return SmtpSink(tls=server_tls, require_starttls=True, **options)


def _auth_sink(server_tls: ssl.SSLContext) -> SmtpSink:
    """STARTTLS first; AUTH only offered after it; nothing accepted without a login."""
    return _starttls_sink(server_tls, authenticator=_authenticator, auth_require_tls=True,
                          auth_required=True)


def _send_one(url: str, context: ssl.SSLContext, environ: dict[str, str] | None = None,
              to: str = "a@example.org") -> SmtpTransport:
    transport = SmtpTransport(parse_smtp_url(url, environ or {}), ssl_context=context)
    try:
        transport.send(letter(to), "news@example.org", to)
    finally:
        transport.close()
    return transport


@pytest.mark.parametrize("query", ["", "?starttls=required"])
def test_starttls_is_used_when_offered(server_tls: ssl.SSLContext,
                                       trusting: ssl.SSLContext, query: str) -> None:
    with _starttls_sink(server_tls) as sink:
        transport = _send_one(sink.url + query, trusting)
        received = list(sink.received)
    assert transport.connections == 1
    assert [r.rcpt_tos for r in received] == [["a@example.org"]]
    assert received[0].tls_version is not None
    assert received[0].tls_version.startswith("TLSv1.")
    assert received[0].parse()["Subject"] == "Hej"


def test_the_plain_sink_sees_no_tls() -> None:
    """The TLS record above is real: a server without TLS records none."""
    with SmtpSink() as sink:
        _send_one(sink.url, ssl.create_default_context())
        assert [r.tls_version for r in sink.received] == [None]


def test_smtps_speaks_tls_from_the_first_byte(server_tls: ssl.SSLContext,
                                              trusting: ssl.SSLContext) -> None:
    with SmtpSink(tls=server_tls, implicit_tls=True) as sink:
        assert sink.url.startswith("smtps://")
        transport = SmtpTransport(parse_smtp_url(sink.url, {}), ssl_context=trusting)
        for to in ("a@example.org", "b@example.org"):
            transport.send(letter(to), "news@example.org", to)
        transport.close()
        received = list(sink.received)
    assert transport.connections == 1
    assert [r.rcpt_tos for r in received] == [["a@example.org"], ["b@example.org"]]
    assert all(r.tls_version and r.tls_version.startswith("TLSv1.") for r in received)
    assert received[1].parse().get_content().replace("\r\n", "\n") == "Hallå där\n"


def test_login_over_tls_with_credentials_in_the_url(server_tls: ssl.SSLContext,
                                                    trusting: ssl.SSLContext) -> None:
    with _auth_sink(server_tls) as sink:
        url = f"smtp://{USER}:s3cret%3Ap%40ss%2Fword@127.0.0.1:{sink.port}?starttls=required"
        _send_one(url, trusting, environ={"FEEDKIT_SMTP_USER": "other",
                                          "FEEDKIT_SMTP_PASSWORD": WRONG})
        received = list(sink.received)
    assert [(r.rcpt_tos, r.login) for r in received] == [(["a@example.org"], USER)]
    assert received[0].tls_version is not None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_over_smtps_with_credentials_from_the_environment(
        server_tls: ssl.SSLContext, trusting: ssl.SSLContext) -> None:
    # aiosmtpd can't tell that the socket itself is TLS, so it must not insist on STARTTLS.
    with SmtpSink(tls=server_tls, implicit_tls=True, authenticator=_authenticator,
                  auth_required=True) as sink:
        _send_one(sink.url, trusting, environ={"FEEDKIT_SMTP_USER": USER,
                                               "FEEDKIT_SMTP_PASSWORD": PASSWORD})
        received = list(sink.received)
    assert [(r.rcpt_tos, r.login) for r in received] == [(["a@example.org"], USER)]
    assert received[0].tls_version is not None


def test_without_credentials_the_server_refuses_the_message(
        server_tls: ssl.SSLContext, trusting: ssl.SSLContext) -> None:
    """The AUTH server really insists on a login, so the successes above prove one."""
    with _auth_sink(server_tls) as sink, pytest.raises(SetupError) as caught:
        _send_one(sink.url, trusting)
    assert "refused the sender address" in str(caught.value)
    assert "530" in str(caught.value)
    assert sink.received == []


def test_wrong_password_is_a_setup_error_without_the_password(
        server_tls: ssl.SSLContext, trusting: ssl.SSLContext) -> None:
    with _auth_sink(server_tls) as sink, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(SetupError) as caught:
            _send_one(sink.url, trusting, environ={"FEEDKIT_SMTP_USER": USER,
                                                   "FEEDKIT_SMTP_PASSWORD": WRONG})
        text = str(caught.value)
        del caught  # its chained exception holds the client's frames
        gc.collect()
    # The refused connection was closed, not left for the garbage collector.
    assert [str(w.message) for w in seen if "unclosed <" in str(w.message)] == []
    assert text.startswith(f"127.0.0.1:{sink.port} refused the login for user '{USER}': 535")
    assert WRONG not in text and "hunter2" not in text
    assert sink.mail_commands == 0 and sink.received == []


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtps"])
def test_an_untrusted_certificate_stops_the_connection(
        server_tls: ssl.SSLContext, implicit: bool) -> None:
    context = _trust_only(trustme.CA())  # a stranger, not the CA that signed the servers'
    with SmtpSink(tls=server_tls, implicit_tls=implicit) as sink, \
            pytest.raises(SetupError) as caught:
        _send_one(sink.url, context)
    assert str(caught.value).startswith(f"TLS with 127.0.0.1:{sink.port} failed: ")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert sink.mail_commands == 0 and sink.received == []


# `feedkit send` end to end: it builds its own default context, which trusts the
# system store and whatever SSL_CERT_FILE names.

def _ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_send_logs_in_over_starttls_with_environment_credentials(
        tmp_path: Path, ca: trustme.CA, server_tls: ssl.SSLContext) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with _auth_sink(server_tls) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", sink.url + "?starttls=required",
                     env={"SSL_CERT_FILE": _ca_file(ca, tmp_path),
                          "FEEDKIT_SMTP_USER": USER, "FEEDKIT_SMTP_PASSWORD": PASSWORD})
        received = list(sink.received)
    assert result.exit_code == 0, result.output
    assert "sent 2, pending 0, failed 0" in result.output
    assert sorted((r.rcpt_tos[0], r.login) for r in received) == [
        ("user0@example.org", USER), ("user1@example.org", USER)]
    assert all(r.tls_version for r in received)


def test_send_reports_a_wrong_password_plainly(
        tmp_path: Path, ca: trustme.CA, server_tls: ssl.SSLContext) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with _auth_sink(server_tls) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", f"smtp://{USER}:{WRONG}@127.0.0.1:{sink.port}",
                     env={"SSL_CERT_FILE": _ca_file(ca, tmp_path)})
        assert sink.mail_commands == 0
    assert result.exit_code == 1
    assert f"refused the login for user '{USER}'" in result.output
    assert "pending 2" in result.output
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def test_send_refuses_a_server_the_system_does_not_trust(
        tmp_path: Path, server_tls: ssl.SSLContext) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with SmtpSink(tls=server_tls, implicit_tls=True) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert sink.mail_commands == 0
    assert result.exit_code == 1
    assert (f"TLS with 127.0.0.1:{sink.port} failed: the server's certificate is not "
            "trusted (") in result.output
    assert "pass --smtp-ca FILE or set SSL_CERT_FILE" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_send_refuses_to_log_in_without_tls(tmp_path: Path) -> None:
    seen: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        seen.append(auth_data.password)
        return AuthResult(success=True, handled=False)

    registry = make_site(tmp_path, subscribers_csv(2))
    with SmtpSink(authenticator=authenticator) as sink:  # no TLS at all
        in_url = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", f"smtp://{USER}:{WRONG}@127.0.0.1:{sink.port}")
        from_env = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                       env={"FEEDKIT_SMTP_USER": USER, "FEEDKIT_SMTP_PASSWORD": WRONG})
        assert sink.mail_commands == 0
    assert seen == []  # the password never went over the wire
    for result in (in_url, from_env):
        assert result.exit_code == 1, result.output
        assert "does not offer STARTTLS, so the login for user 'mailer' would travel " \
               "unencrypted" in result.output
        assert "pending 2" in result.output and WRONG not in result.output
    elsewhere = run(registry, "send", "--period", "week", "--now", NOW,
                    "--smtp", f"smtp://{USER}:{WRONG}@mail.example.org?plaintext_login=yes")
    assert elsewhere.exit_code == 1
    assert "plaintext_login=yes is only allowed for a server on this machine" in elsewhere.output


def test_smtps_against_a_plain_server_says_so(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", f"smtps://127.0.0.1:{sink.port}")
    assert result.exit_code == 1, result.output
    assert "the server doesn't speak TLS on this port; try smtp:// (STARTTLS)" in result.output
    assert "Traceback" not in result.output


def test_smtp_ca_trusts_a_private_ca(tmp_path: Path, ca: trustme.CA,
                                     server_tls: ssl.SSLContext) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with _starttls_sink(server_tls) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--smtp-ca", _ca_file(ca, tmp_path))
        received = list(sink.received)
    assert result.exit_code == 0, result.output
    assert len(received) == 2 and all(r.tls_version for r in received)
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("hello\n", encoding="utf-8")
    refused = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                  "--smtp-ca", str(bad))
    assert refused.exit_code == 2
    assert f"--smtp-ca: {bad}: not a PEM certificate file" in refused.output
