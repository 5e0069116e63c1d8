"""Email as a channel (channels/contract.py): one period's digest, personalised and
signed per recipient, handed over on SMTP connections or into a Maildir.

The payload is the digest rendered once per language (mail/personal.py's `Letters`),
personalised for the recipient (To, Message-ID, unsubscribe token), DKIM-signed when
the site has a key, with a VERP envelope sender when the site has a bounce address.
The answer is read from the transport: 250 is sent; a 4xx is retried later, a 5xx
is the recipient's failure for good; a refused or dropped connection and a 421 are
the connection's, not the recipient's.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..addresses import envelope_address
from ..channels import ACCEPTED, Answer, Link, Parcel, Recipient, Undeliverable
from ..errors import FeedkitError
from ..model import Post, Registry
from ..periods import Period
from .handover import SetupError, Transport, TransportError, answer_of

if TYPE_CHECKING:
    from .personal import Letters
    from .signing import DkimSigner


class TransportLink:
    """A transport (the Maildir writer) as a channel's link, used from a thread."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def open(self) -> None:
        self.transport.open()

    def hand_over(self, parcel: Parcel) -> Answer:
        try:
            self.transport.send(parcel.data, parcel.sender, parcel.target)
        except SetupError:
            raise
        except TransportError as exc:
            return answer_of(exc)
        return ACCEPTED

    def close(self) -> None:
        self.transport.close()


class EmailChannel:
    """One period's digest by email, through `transport` (and more connections like it
    for the pool: another SMTP connection each; a Maildir is one writer)."""

    def __init__(self, registry: Registry, period: Period, posts: Sequence[Post], *,
                 secret: bytes, transport: Transport | None,
                 signer: DkimSigner | None = None,
                 template_dirs: tuple[Path, ...] = (), now: datetime,
                 log: Callable[[str], None], label: str = "") -> None:
        self.registry, self.period, self.posts = registry, period, tuple(posts)
        self.secret, self.signer, self.template_dirs = secret, signer, template_dirs
        self.now, self.log, self.label = now, log, label or period.label
        self.transport = transport
        self.description = transport.description if transport else ""
        from .transport import SmtpTransport

        self._another = transport.another if isinstance(transport, SmtpTransport) else None
        self._portable = (registry, period, self.posts, secret, signer, template_dirs, now,
                          self.label)
        self._letters: dict[str, Letters] = {}
        self._by_tag: dict[str | None, Letters] = {}
        self._lock = threading.Lock()

    def letters(self, tag: str | None) -> Letters:
        """The digest in the recipient's language (the site's when none), rendered the
        first time it is needed."""
        found = self._by_tag.get(tag)
        if found is None:  # resolving a tag looks at the translations on disk: once
            found = self._by_tag[tag] = self._letters_for(tag)
        return found

    def _letters_for(self, tag: str | None) -> Letters:
        from ..text.i18n import resolve_language
        from .personal import Letters

        language = resolve_language(tag or self.registry.site.language)
        found = self._letters.get(language)
        if found is None:
            with self._lock:
                found = self._letters.get(language)
                if found is None:
                    found = self._letters[language] = Letters(
                        self.registry, self.period.window, self.posts, language=language,
                        template_dirs=self.template_dirs, date=self.now, log=self.log,
                        label=f"{self.label} ({language})")
        return found

    def payload(self, recipient: Recipient) -> Parcel:
        from .tokens import sign
        from .verp import verp_address

        letters = self.letters(recipient.language)
        site = self.registry.site
        try:
            message_id, data = letters.message(recipient.name, recipient.address,
                                               recipient.key,
                                               sign("unsubscribe", recipient.key, self.secret))
        except (ValueError, UnicodeError, FeedkitError) as exc:
            raise Undeliverable(str(exc)) from None
        if self.signer is not None:
            data = self.signer.sign(data)
        sender = (verp_address(site.bounce_address, recipient.key, self.period.key, self.secret)
                  if site.bounce_address else letters.envelope)
        return Parcel(recipient, message_id, data, sender, envelope_address(recipient.address))

    def prepare(self, tags: Iterable[str | None]) -> None:
        """Render the digest now for recipients with these language tags (before
        `recipe()`, so another process gets the renderings instead of making them)."""
        for tag in tags:
            self.letters(tag)

    def recipe(self) -> Callable[[Callable[[str], None]], EmailChannel]:
        """The same payloads in another process, with the renderings made so far
        (others are made there, once per language)."""
        return functools.partial(_payloads, *self._portable, dict(self._letters))

    def connect(self) -> Link:
        """A link on a connection of its own (SMTP, driven from the pool's loop), or on
        the one Maildir writer."""
        assert self.transport is not None
        if self._another is not None:
            from .smtplink import SmtpLink

            return SmtpLink(self._another())
        return TransportLink(self.transport)

    def connections(self, wanted: int) -> int:
        assert self.transport is not None
        return links_for(self.transport, wanted)


def _payloads(registry: Registry, period: Period, posts: tuple[Post, ...], secret: bytes,
              signer: DkimSigner | None, template_dirs: tuple[Path, ...], now: datetime,
              label: str, letters: dict[str, Letters], log: Callable[[str], None]
              ) -> EmailChannel:
    channel = EmailChannel(registry, period, posts, secret=secret, transport=None,
                           signer=signer, template_dirs=template_dirs, now=now, log=log,
                           label=label)
    for found in letters.values():
        found.log = log
    channel._letters.update(letters)
    return channel


def links_for(transport: Transport, wanted: int) -> int:
    """How many links a pool should run on `transport`: as many SMTP connections as
    wanted; one writer for a Maildir (it is local: one is enough)."""
    from .transport import SmtpTransport

    return wanted if isinstance(transport, SmtpTransport) else 1
