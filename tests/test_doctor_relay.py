"""`feedkit doctor --only relay` against a real SMTP server (aiosmtpd) with a
throw-away CA (trustme): STARTTLS or implicit TLS with a certificate for the relay's
name, a login, a DKIM-signed test message; and each way a relay goes wrong."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import dkim
import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography.hazmat.primitives.asymmetric import rsa
from dns_zones import Zones, dns_server
from doctor_helpers import RELAY, doctor, domain_zone, new_key, relay_zone, statuses, write_site
from smtp_sink import SmtpSink

USER, PASSWORD = "news", "hemligt-l0sen"
DOMAIN = "good.example.com"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def nameserver(key: rsa.RSAPrivateKey):
    with dns_server(Zones(relay_zone(), domain_zone(DOMAIN, key))) as where:
        yield where


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_tls(ca: trustme.CA, name: str = RELAY) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=good, handled=False, auth_data=auth_data if good else None)


def _doctor(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA, nameserver: str,
            url: str, *extra: str, env: dict[str, str] | None = None):
    registry = write_site(tmp_path, key, domain=DOMAIN)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return doctor(registry, "--only", "relay", "--nameserver", nameserver, "--ca",
                  str(tmp_path / "ca.pem"), "--smtp", url, "--timeout", "5", *extra,
                  env=env)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_a_good_relay_passes_and_gets_a_signed_test_message(
        tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA, nameserver: str,
        implicit: bool) -> None:
    options = {"auth_require_tls": True} if not implicit else {}
    with SmtpSink(tls=_server_tls(ca), implicit_tls=implicit, authenticator=_login,
                  auth_required=True, **options) as sink:
        scheme = "smtps" if implicit else "smtp"
        code, checks, _ = _doctor(tmp_path, key, ca, nameserver,
                                  f"{scheme}://{RELAY}:{sink.port}", "--to",
                                  "reader@example.org",
                                  env={"FEEDKIT_SMTP_USER": USER,
                                       "FEEDKIT_SMTP_PASSWORD": PASSWORD})
        received = list(sink.received)
    assert statuses(checks) == dict.fromkeys(
        ("relay.connect", "relay.tls", "relay.auth", "relay.test"), "ok"), checks
    assert code == 0
    assert f"certificate valid for {RELAY}" in checks["relay.tls"]["found"]
    assert [(r.rcpt_tos, r.login, r.mail_from) for r in received] == [
        (["reader@example.org"], USER, f"bounces@{DOMAIN}")]
    assert received[0].tls_version is not None

    def txt(name: bytes, timeout: float = 5) -> bytes:
        assert name == f"feedkit1._domainkey.{DOMAIN}.".encode()
        from doctor_helpers import dkim_txt

        return "".join(p.strip('"') for p in dkim_txt(key).split('" "')).encode()

    assert dkim.verify(received[0].data, dnsfunc=txt)


def test_a_certificate_for_another_name(tmp_path: Path, key: rsa.RSAPrivateKey,
                                        ca: trustme.CA, nameserver: str) -> None:
    with SmtpSink(tls=_server_tls(ca, "other.example.net")) as sink:
        code, checks, _ = _doctor(tmp_path, key, ca, nameserver, f"smtp://{RELAY}:{sink.port}")
    assert statuses(checks) == {"relay.connect": "ok", "relay.tls": "fail",
                                "relay.auth": "skip", "relay.test": "skip"}
    assert f"not valid for {RELAY}" in checks["relay.tls"]["found"]
    assert code == 1


def test_an_untrusted_certificate(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA,
                                  nameserver: str) -> None:
    with SmtpSink(tls=_server_tls(trustme.CA()), implicit_tls=True) as sink:
        _, checks, _ = _doctor(tmp_path, key, ca, nameserver, f"smtps://{RELAY}:{sink.port}")
    assert checks["relay.tls"]["status"] == "fail"
    assert "not trusted" in checks["relay.tls"]["found"]
    assert "--ca FILE" in checks["relay.tls"]["fix"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_no_login_is_offered_in_clear(tmp_path: Path, key: rsa.RSAPrivateKey,
                                      ca: trustme.CA, nameserver: str) -> None:
    logins: list[object] = []

    def record(server, session, envelope, mechanism, auth_data) -> AuthResult:
        logins.append(auth_data)
        return _login(server, session, envelope, mechanism, auth_data)

    with SmtpSink(authenticator=record) as sink:  # no TLS at all
        code, checks, _ = _doctor(tmp_path, key, ca, nameserver,
                                  f"smtp://{USER}:x@{RELAY}:{sink.port}")
    assert checks["relay.tls"]["status"] == "fail"
    assert "unencrypted" in checks["relay.tls"]["found"]
    assert checks["relay.auth"]["status"] == "skip"
    assert logins == []
    assert code == 1


def test_a_refused_login(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA,
                         nameserver: str) -> None:
    with SmtpSink(tls=_server_tls(ca), authenticator=_login, auth_require_tls=True) as sink:
        _, checks, _ = _doctor(tmp_path, key, ca, nameserver,
                               f"smtp://{USER}:wrong@{RELAY}:{sink.port}")
    assert checks["relay.auth"]["status"] == "fail"
    assert checks["relay.auth"]["found"].startswith(f"refused for user '{USER}': 535")
    assert "wrong" not in str(checks)


def test_an_unreachable_relay(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA,
                              nameserver: str) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code, checks, output = _doctor(tmp_path, key, ca, nameserver, f"smtp://{RELAY}:{port}")
    assert checks["relay.connect"]["status"] == "fail"
    assert f"can't connect to 127.0.0.1:{port}" in checks["relay.connect"]["found"]
    assert "Traceback" not in output
    assert code == 1
