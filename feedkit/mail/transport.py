"""Mail transport only: SMTP (one reused connection, PIPELINING when offered) or a local
Maildir. Builds nothing. A send run's pool (channels/pool.py) runs several
SmtpTransports at once, one per link of the email channel: each is connected here
(EHLO, STARTTLS, login, every failure in plain words), then driven from the pool's
event loop (mail/smtplink.py)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from ..addresses import needs_smtputf8
from ..errors import FeedkitError, UsageError
from .handover import SetupError, Transport, TransportError

SMTP_URL_ENV = "FEEDKIT_SMTP_URL"
SMTP_USER_ENV = "FEEDKIT_SMTP_USER"
SMTP_PASSWORD_ENV = "FEEDKIT_SMTP_PASSWORD"
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class SmtpConfigError(FeedkitError):
    """The SMTP URL or its settings can't be used."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to reach the SMTP server. The password never appears in repr()."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls_required: bool = False
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    plaintext_login: bool = False  # only for a test server on this machine

    @property
    def description(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        who = f"{self.user}@" if self.user else ""
        return f"{scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(url: str, environ: dict[str, str] | None = None) -> SmtpConfig:
    """Read smtp://[user[:password]@]host[:port][?starttls=required&timeout=S] or smtps://.

    User and password may instead come from FEEDKIT_SMTP_USER / FEEDKIT_SMTP_PASSWORD.
    A login needs TLS (smtps:// or STARTTLS); `plaintext_login=yes` waives that, for a
    server on this machine only. Errors never quote the URL itself, which may hold a
    password.
    """
    env = environ if environ is not None else os.environ
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SmtpConfigError("the SMTP URL can't be read; write it like "
                              "smtp://mail.example.org:587 or smtps://mail.example.org:465") \
            from None
    if parts.scheme not in DEFAULT_PORTS:
        raise SmtpConfigError(f"the SMTP URL must start with smtp:// or smtps://, not "
                              f"'{parts.scheme}:'")
    if not parts.hostname:
        raise SmtpConfigError("the SMTP URL has no host; write it like "
                              "smtp://mail.example.org:587")
    if parts.path not in ("", "/"):
        raise SmtpConfigError("the SMTP URL can't have a path; give only host and port")
    implicit = parts.scheme == "smtps"
    required = False
    plaintext = False
    timeout = 30.0
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "starttls" and value in ("required", "auto"):
            required = value == "required"
        elif key == "plaintext_login" and value in ("yes", "no"):
            plaintext = value == "yes"
        elif key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                raise SmtpConfigError("the SMTP URL's timeout must be a number of seconds") \
                    from None
        else:
            raise SmtpConfigError(f"the SMTP URL has an unknown setting '{key}'; known: "
                                  "starttls=required, timeout=SECONDS, plaintext_login=yes")
    if required and implicit:
        raise SmtpConfigError("smtps:// already uses TLS; starttls=required is for smtp://")
    user = unquote(parts.username) if parts.username else env.get(SMTP_USER_ENV, "")
    password = unquote(parts.password) if parts.password else env.get(SMTP_PASSWORD_ENV, "")
    if password and not user:
        raise SmtpConfigError(f"an SMTP password is set but no user; set {SMTP_USER_ENV} "
                              "or put the user in the URL")
    if plaintext and not _loopback(parts.hostname):
        raise SmtpConfigError("plaintext_login=yes is only allowed for a server on this "
                              "machine (127.0.0.1, ::1 or localhost); elsewhere use TLS")
    return SmtpConfig(host=parts.hostname, port=port or DEFAULT_PORTS[parts.scheme],
                      implicit_tls=implicit, starttls_required=required, user=user,
                      password=password, timeout=timeout, plaintext_login=plaintext)


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply_text(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())[:200]


class SmtpTransport:
    """Sends over one SMTP connection, opened on first use and reopened after a drop."""

    def __init__(self, config: SmtpConfig, *, ssl_context: ssl.SSLContext | None = None,
                 local_hostname: str | None = None) -> None:
        self.config = config
        self.description = config.description
        self._context = ssl_context
        self._local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        self.connections = 0

    def another(self) -> SmtpTransport:
        """A transport for one more connection to the same server, sharing the TLS
        context."""
        return SmtpTransport(self.config, ssl_context=self._tls(),
                             local_hostname=self._local_hostname)

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        where = f"{cfg.host}:{cfg.port}"
        try:
            if cfg.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout, context=self._tls(),
                    local_hostname=self._local_hostname)
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout,
                                    local_hostname=self._local_hostname)
            try:
                self._handshake(smtp)
            except BaseException:
                smtp.close()  # a refused login or TLS failure must not leave the socket open
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SetupError(f"{where} refused the login for user '{cfg.user}': "
                             f"{exc.smtp_code} {_reply_text(exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            raise SetupError(f"{where} does not support login (AUTH); remove the user "
                             "or use a server that does") from None
        except ssl.SSLError as exc:
            raise SetupError(f"TLS with {where} failed: {_tls_reason(exc, cfg)}") from None
        except smtplib.SMTPResponseException as exc:
            # A refusal of the connection is never a recipient's failure: try again later.
            raise TransportError(f"{where} answered {exc.smtp_code} "
                                 f"{_reply_text(exc.smtp_error)} on connecting",
                                 temporary=True, code=exc.smtp_code, connection=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"can't connect to {where}: {_os_reason(exc)}",
                                 temporary=True, connection=True,
                                 unreachable=_unreachable(exc)) from None
        self.connections += 1
        return smtp

    def open(self) -> None:
        """Connect now: a server that can't be reached at all (nothing listening, an
        unknown host) is a set-up problem, not a failure to retry."""
        if self._smtp is not None:
            return
        try:
            self._smtp = self._connect()
        except TransportError as exc:
            if isinstance(exc, SetupError) or not exc.unreachable:
                raise
            raise SetupError(f"{exc}; check the host and port of the SMTP URL, and that the "
                             "server runs") from None

    def _handshake(self, smtp: smtplib.SMTP) -> None:
        """EHLO, STARTTLS when offered (or required), then AUTH when a user is set."""
        cfg = self.config
        smtp.ehlo()
        encrypted = cfg.implicit_tls
        if not cfg.implicit_tls:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=self._tls())
                smtp.ehlo()
                encrypted = True
            elif cfg.starttls_required:
                raise SetupError(f"{cfg.host}:{cfg.port} does not offer STARTTLS, which the "
                                 "SMTP URL requires (starttls=required)")
        if cfg.user and not encrypted and not cfg.plaintext_login:
            raise SetupError(f"{cfg.host}:{cfg.port} does not offer STARTTLS, so the login "
                             f"for user '{cfg.user}' would travel unencrypted; nothing was "
                             "sent. Use smtps:// or a server with STARTTLS (for a test server "
                             "on this machine, add ?plaintext_login=yes to the URL)")
        if cfg.user:
            smtp.login(cfg.user, cfg.password)

    def connect(self) -> smtplib.SMTP:
        """The connection, made (EHLO, STARTTLS, login) if there is none."""
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def options(self, sender: str, recipient: str) -> list[str]:
        """MAIL FROM's options for this message: SMTPUTF8 when an address needs it
        (TransportError, the recipient's for good, when the server lacks it)."""
        if not (needs_smtputf8(recipient) or needs_smtputf8(sender)):
            return []
        assert self._smtp is not None
        if not self._smtp.has_extn("smtputf8"):
            raise TransportError(
                f"<{recipient}> has non-ASCII letters before the @, which needs "
                f"SMTPUTF8, and {self.config.host}:{self.config.port} does not offer it",
                temporary=False)
        return ["SMTPUTF8"]

    def send(self, data: bytes, sender: str, recipient: str) -> None:
        """Send one message to one recipient; raise TransportError unless accepted (250)."""
        from .dialogue import converse, dialogue

        smtp = self.connect()
        options = self.options(sender, recipient)
        try:
            converse(smtp, dialogue(sender, recipient, data, options,
                                    smtp.has_extn("pipelining")))
        except (OSError, smtplib.SMTPException) as exc:
            error, drop = self.failure(exc, sender)
            if drop or smtp.sock is None:  # smtplib closed it on a lost connection
                self.drop()
            raise error from None

    def failure(self, exc: OSError | smtplib.SMTPException, sender: str
                ) -> tuple[TransportError, bool]:
        """What a failed hand-over means, and whether the connection is done for (a 421,
        or lost)."""
        where = f"{self.config.host}:{self.config.port}"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            code, resp = next(iter(exc.recipients.values()))
            return (TransportError(f"{code} {_reply_text(resp)}", temporary=code < 500,
                                   code=code), code == 421)
        if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
            reply = f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
            if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code >= 500:
                return (SetupError(f"the server refused the sender address <{sender}>: "
                                   f"{reply}"), exc.smtp_code == 421)
            return (TransportError(reply, temporary=exc.smtp_code < 500, code=exc.smtp_code),
                    exc.smtp_code == 421)
        return (TransportError(f"connection to {where} lost: {_os_reason(exc)}",
                               temporary=True, connection=True), True)

    def drop(self) -> None:
        """Forget the connection (closing its socket), without QUIT."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        """Say QUIT politely when connected; never raises."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _tls_reason(exc: ssl.SSLError, cfg: SmtpConfig) -> str:
    """What went wrong with TLS, in plain words (OpenSSL's code in brackets)."""
    code = exc.reason or type(exc).__name__
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or "verification failed"
        if "hostname" in detail.lower():
            return (f"the server's certificate is not valid for the name '{cfg.host}' "
                    f"({detail}); connect by the name the certificate was issued for")
        return (f"the server's certificate is not trusted ({detail}; {code}); if a private "
                "CA signed it, pass --smtp-ca FILE or set SSL_CERT_FILE to its certificate")
    if code in ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE",
                "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST", "UNEXPECTED_EOF_WHILE_READING") \
            and cfg.implicit_tls:
        return ("the server doesn't speak TLS on this port; try smtp:// (STARTTLS) or the "
                f"port for smtps:// (usually 465) [{code}]")
    return str(exc.reason or exc)


def _unreachable(exc: BaseException) -> bool:
    """Whether no connection could be made at all: refused, an unknown host, no route."""
    import errno

    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                      errno.EADDRNOTAVAIL)


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def tls_context(ca_file: Path | None) -> ssl.SSLContext | None:
    """A client context trusting `ca_file` besides the system store (None: the default,
    which also honours SSL_CERT_FILE)."""
    if ca_file is None:
        return None
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        reason = "not a PEM certificate file" if isinstance(exc, ssl.SSLError) \
            else exc.strerror or str(exc)
        raise UsageError("--smtp-ca", f"{ca_file}: {reason}") from None
    return context


def open_transport(smtp_url: str | None, outbox: Path,
                   environ: Mapping[str, str] | None = None, *,
                   ca_file: Path | None = None) -> Transport:
    """SMTP when a URL is given (or FEEDKIT_SMTP_URL is set), else the Maildir `outbox`."""
    env = os.environ if environ is None else environ
    url = smtp_url or env.get(SMTP_URL_ENV, "")
    if url:
        return SmtpTransport(parse_smtp_url(url, dict(env)), ssl_context=tls_context(ca_file))
    from .maildir import MaildirTransport

    return MaildirTransport(outbox)
