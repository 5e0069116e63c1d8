"""The relay, step by step on one connection: reachable (a 220 greeting), TLS
(implicit or STARTTLS) with a certificate valid for its name, AUTH accepted and
never offered a password in clear, and with `--to` a test message accepted.

The connection goes to the address the doctor's resolver gives for the relay's
name, while TLS checks the certificate against the name itself.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from ..mail.transport import SmtpConfig
from .report import Check, fail, ok, skip

CONNECT, TLS, AUTH, TEST = "relay.connect", "relay.tls", "relay.auth", "relay.test"
URL_FIX = ("check host and port in FEEDKIT_SMTP_URL (or --smtp): smtp://HOST:587 for "
           "STARTTLS, smtps://HOST:465 for TLS; and that no firewall blocks this machine")


@dataclass
class RelayProbe:
    """What the relay checks need: its settings, the address to reach it at, a TLS
    context and, for the test message, a maker of it."""

    config: SmtpConfig
    address: str
    tls: ssl.SSLContext
    sender: str = ""
    to: str | None = None
    message: Callable[[str], bytes] | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def run(self) -> list[Check]:
        smtp = None
        try:
            smtp = self._connect()
            if smtp is not None and self._tls(smtp) and self._auth(smtp):
                self._test(smtp)
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    smtp.close()
        done = {c.key for c in self.checks}
        for key, title in ((TLS, "TLS"), (AUTH, "login"), (TEST, "test message")):
            if key not in done:
                self.checks.append(skip(key, f"relay {title}", "not tried: an earlier "
                                        "relay check failed"))
        return self.checks

    def _connect(self) -> smtplib.SMTP | None:
        cfg = self.config
        title = f"relay {self.where}"
        try:
            if cfg.implicit_tls:
                smtp: smtplib.SMTP = _PinnedSSL(self.address, cfg.host, cfg.port,
                                                cfg.timeout, self.tls)
            else:
                smtp = _Pinned(self.address, cfg.host, cfg.port, cfg.timeout)
        except ssl.SSLCertVerificationError as exc:
            self.checks.append(ok(CONNECT, title, f"reachable at {self.address}"))
            self.checks.append(_bad_certificate(exc, cfg))
            return None
        except (OSError, smtplib.SMTPException) as exc:
            self.checks.append(fail(CONNECT, title, f"can't connect to {self.address}:"
                                    f"{cfg.port}: {_reason(exc)}", URL_FIX))
            return None
        self.checks.append(ok(CONNECT, title, f"{self.address} answers"))
        return smtp

    def _tls(self, smtp: smtplib.SMTP) -> bool:
        cfg = self.config
        if cfg.implicit_tls:
            self.checks.append(ok(TLS, "TLS", f"implicit TLS ({_version(smtp)}), certificate "
                                  f"valid for {cfg.host}"))
            smtp.ehlo()
            return True
        try:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                if _loopback(self.address) and (not cfg.user or cfg.plaintext_login):
                    self.checks.append(skip(TLS, "TLS", "no STARTTLS on a relay on this "
                                            "machine (mail leaves it unencrypted only here)"))
                    return True
                self.checks.append(fail(TLS, "TLS", "no STARTTLS offered: mail and login "
                                        "would travel unencrypted", "use smtps://HOST:465, or "
                                        "a relay that offers STARTTLS on 587"))
                return False
            smtp.starttls(context=self.tls)
            smtp.ehlo()
        except ssl.SSLCertVerificationError as exc:
            self.checks.append(_bad_certificate(exc, cfg))
            return False
        except (OSError, smtplib.SMTPException) as exc:
            self.checks.append(fail(TLS, "TLS", f"STARTTLS failed: {_reason(exc)}",
                                    "use smtps://HOST:465 if the relay offers it"))
            return False
        self.checks.append(ok(TLS, "TLS", f"STARTTLS ({_version(smtp)}), certificate valid "
                              f"for {cfg.host}"))
        return True

    def _auth(self, smtp: smtplib.SMTP) -> bool:
        cfg = self.config
        if not cfg.user:
            self.checks.append(skip(AUTH, "login", "no user set (FEEDKIT_SMTP_USER); the "
                                    "relay must accept this machine without a login"))
            return True
        if not smtp.has_extn("auth"):
            self.checks.append(fail(AUTH, "login", "the relay offers no AUTH",
                                    "use the relay's submission port (587 or 465), or "
                                    "unset FEEDKIT_SMTP_USER"))
            return False
        try:
            smtp.login(cfg.user, cfg.password)
        except smtplib.SMTPAuthenticationError as exc:
            self.checks.append(fail(AUTH, "login", f"refused for user '{cfg.user}': "
                                    f"{exc.smtp_code} {_text(exc.smtp_error)}",
                                    "check FEEDKIT_SMTP_USER and FEEDKIT_SMTP_PASSWORD"))
            return False
        except UnicodeEncodeError:
            self.checks.append(fail(AUTH, "login", "the user or password has letters outside "
                                    "ASCII, which SMTP AUTH PLAIN/LOGIN can't carry here",
                                    "use an ASCII password for the relay"))
            return False
        except (OSError, smtplib.SMTPException) as exc:
            self.checks.append(fail(AUTH, "login", f"failed: {_reason(exc)}",
                                    "check FEEDKIT_SMTP_USER and FEEDKIT_SMTP_PASSWORD"))
            return False
        self.checks.append(ok(AUTH, "login", f"accepted for user '{cfg.user}'"))
        return True

    def _test(self, smtp: smtplib.SMTP) -> None:
        if self.to is None or self.message is None:
            self.checks.append(skip(TEST, "test message", "pass --to ADDRESS to send one"))
            return
        try:
            refused = smtp.sendmail(self.sender, [self.to], self.message(self.to))
        except smtplib.SMTPResponseException as exc:
            self.checks.append(fail(TEST, "test message", f"refused: {exc.smtp_code} "
                                    f"{_text(exc.smtp_error)}", "read the relay's reply: "
                                    f"it may not let this login send from {self.sender}"))
            return
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            self.checks.append(fail(TEST, "test message", f"recipient refused: {code} "
                                    f"{_text(reply)}", "check the --to address"))
            return
        except (OSError, smtplib.SMTPException) as exc:
            self.checks.append(fail(TEST, "test message", f"failed: {_reason(exc)}",
                                    URL_FIX))
            return
        assert not refused
        self.checks.append(ok(TEST, "test message", "accepted by the relay; look for it in "
                              "the inbox (and its headers: dkim=pass, spf=pass)"))


class _Pinned(smtplib.SMTP):
    """smtplib.SMTP connecting to `address` while it names (and TLS checks) `host`."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._address, port), timeout)


class _PinnedSSL(smtplib.SMTP_SSL):
    def __init__(self, address: str, host: str, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self._address, port), timeout)
        return self.context.wrap_socket(sock, server_hostname=host)


def _bad_certificate(exc: ssl.SSLCertVerificationError, cfg: SmtpConfig) -> Check:
    detail = exc.verify_message or str(exc)
    if "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
        return fail(TLS, "TLS", f"the certificate is not valid for {cfg.host} ({detail})",
                    "connect by the name the certificate was issued for (the relay's "
                    "documented host name)")
    return fail(TLS, "TLS", f"the certificate is not trusted ({detail})",
                "if a private CA signed it, pass --ca FILE (or set SSL_CERT_FILE); "
                "otherwise the relay needs a certificate from a public CA")


def _version(smtp: smtplib.SMTP) -> str:
    sock = smtp.sock
    return str(sock.version()) if isinstance(sock, ssl.SSLSocket) else "TLS"


def _loopback(address: str) -> bool:
    import ipaddress

    return ipaddress.ip_address(address).is_loopback


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
