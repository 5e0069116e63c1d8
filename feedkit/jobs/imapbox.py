"""An IMAP mailbox as `feedkit inbox --imap` reads it: for bounces that land at a hosted
mailbox. TLS always (imaps://, or imap:// with STARTTLS required), the password
from FEEDKIT_IMAP_PASSWORD (never on the command line), certificates checked
against the system's CAs, SSL_CERT_FILE or --imap-ca.

Messages are fetched with BODY.PEEK (reading marks nothing) and, once handled,
flagged with the keyword `FeedkitRead`, which the next run skips: acted on ones
also \\Seen, the ones left alone unread, so a person still sees them in their mail
client. A server that can't keep keywords is read by UNSEEN instead (what is left
alone is then read again each run, and counts once all the same).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import FeedkitError, UsageError

KEYWORD = "FeedkitRead"
PASSWORD_ENV = "FEEDKIT_IMAP_PASSWORD"


class ImapError(FeedkitError):
    """The IMAP server could not be reached, refused the login or the mailbox."""


class ImapBox:
    """One IMAP mailbox over TLS."""

    def __init__(self, host: str, port: int, user: str, password: str, mailbox: str,
                 starttls: bool, cafile: Path | None) -> None:
        import ssl

        context = ssl.create_default_context()
        if cafile is not None:
            context.load_verify_locations(cafile=str(cafile))
        self.mailbox = mailbox
        self.client = self._connect(host, port, starttls, context)
        try:
            self.client.login(user, password)
            kind, data = self.client.select(_quote(mailbox))
            if kind != "OK":
                raise ImapError(f"--imap: no mailbox {mailbox!r} on {host} ({_text(data)})")
            flags = " ".join(_text(r) for r in self.client.untagged_responses.get(
                "PERMANENTFLAGS", []))
            self.keywords = "\\*" in flags
        except self.client.error as exc:
            self.close()
            raise ImapError(f"--imap: {host} refused: {_text(exc.args)}") from None
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_url(cls, url: str, cafile: Path | None,
                 environ: Mapping[str, str] | None = None) -> ImapBox:
        """imaps://USER@HOST[:PORT]/MAILBOX (imap:// uses STARTTLS); default INBOX."""
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
            raise UsageError("--imap", f"{url!r} is not imaps://USER@HOST[:PORT]/MAILBOX "
                             "(or imap:// for STARTTLS)")
        password = (os.environ if environ is None else environ).get(PASSWORD_ENV, "")
        if not password:
            raise UsageError("--imap", f"set {PASSWORD_ENV} to the mailbox's password")
        try:
            port = parts.port or (993 if parts.scheme == "imaps" else 143)
        except ValueError:
            raise UsageError("--imap", f"{url!r} has a port that is not a number") from None
        return cls(parts.hostname, port, unquote(parts.username), password,
                   unquote(parts.path.lstrip("/")) or "INBOX", parts.scheme == "imap", cafile)

    @staticmethod
    def _connect(host: str, port: int, starttls: bool, context: Any) -> Any:
        import imaplib

        try:
            if starttls:
                client = imaplib.IMAP4(host, port, timeout=30)
                client.starttls(ssl_context=context)
                return client
            return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=30)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"--imap: can't reach {host}:{port} over TLS ({exc})") from None

    def messages(self) -> Iterator[tuple[str, bytes]]:
        search = f"UNKEYWORD {KEYWORD}" if self.keywords else "UNSEEN"
        kind, data = self.client.uid("SEARCH", search)
        if kind != "OK":
            raise ImapError(f"--imap: the server refused the search ({_text(data)})")
        for uid in _text(data).split():
            kind, parts = self.client.uid("FETCH", uid, "(BODY.PEEK[])")
            body = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
            if kind == "OK" and isinstance(body, bytes):
                yield f"imap:{self.mailbox}/{uid}", body

    def done(self, name: str, acted: bool) -> None:
        uid = name.rpartition("/")[2]
        flags = (["\\Seen"] if acted else []) + ([KEYWORD] if self.keywords else [])
        if flags:
            self.client.uid("STORE", uid, "+FLAGS", f"({' '.join(flags)})")

    def close(self) -> None:
        try:
            if self.client.state == "SELECTED":
                self.client.close()
            self.client.logout()
        except (OSError, self.client.error):
            pass


def _quote(mailbox: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", mailbox) + '"'


def _text(data: object) -> str:
    if isinstance(data, (list, tuple)):
        return " ".join(_text(d) for d in data if d is not None)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
