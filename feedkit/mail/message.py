"""The digest as an email message: headers, Message-ID and unsubscribe links, in one place.

`compose` is how every digest message is made, for a real recipient or for the
preview; `build_message` is the RFC 5322 assembly underneath it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

from ..addresses import envelope_address
from ..errors import FeedkitError
from ..model import Site
from ..periods import Window
from ..text.excerpt import collapse
from ..urls import ascii_host, to_uri
from ..writers.digest import RenderedDigest, personalize
from .tokens import unsubscribe_url

ONE_CLICK = "List-Unsubscribe=One-Click"


class HeaderInjectionError(FeedkitError):
    """A value meant for an email header holds a line break."""


def phrase(text: str) -> str:
    """Text for a header's words (a subject, a display name) that can't be taken for
    an RFC 2047 encoded word: the email package decodes "=?utf-8?q?A=0D=0AB?=" in a
    value it is given, CR and LF included, so "=?" gets a zero-width space."""
    return text.replace("=?", "=\u200b?")


def recipient(to: str) -> str:
    """A To value ("Name <address>" or an address) with its name made a safe phrase."""
    from email.utils import formataddr, parseaddr

    name, address = parseaddr(to)
    return formataddr((phrase(name), address)) if name else to


def refuse_line_breaks(name: str, value: str) -> None:
    """Raise HeaderInjectionError if `value` holds CR, LF or another line break."""
    if any(ch in value for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        raise HeaderInjectionError(
            f"{name}: {value!r} contains a line break, which can't go into an email header"
        )


def build_message(
    rendered: RenderedDigest, *, to: str, sender: str, message_id: str, date: datetime,
    unsubscribe_url: str, list_id: str, unsubscribe_mailto: str,
) -> EmailMessage:
    """A complete RFC 5322 message: multipart/alternative, text/plain then text/html."""
    from email.utils import format_datetime

    mailto = unsubscribe_mailto if unsubscribe_mailto.startswith("mailto:") else (
        f"mailto:{unsubscribe_mailto}")
    headers = {
        "Subject": phrase(rendered.subject), "From": sender, "To": to,
        "Date": format_datetime(date), "Message-ID": message_id, "List-Id": list_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": ONE_CLICK,
    }
    for name, value in headers.items():
        refuse_line_breaks(name, value)
    for name, url in (("unsubscribe URL", unsubscribe_url), ("unsubscribe mailto", mailto)):
        if not url.isascii() or "," in url or ">" in url:
            raise HeaderInjectionError(f"{name}: {url!r} must be ASCII without ',' or '>'; "
                                       "percent-encode it")
    html, text = personalize(rendered, unsubscribe_url)
    message = EmailMessage(policy=message_policy())
    for name, value in headers.items():
        message[name] = value
    message["MIME-Version"] = "1.0"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable",
                        params={"format": "flowed", "delsp": "yes"})
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:24]
    message.set_boundary(f"=_feedkit_{digest}")
    return message


def message_policy() -> EmailPolicy:
    """SMTP policy that writes List-Unsubscribe's URLs verbatim, one per line, and
    the Message-ID on its own header line.

    Python's folder turns a token longer than a line into RFC 2047 encoded words,
    which would break a long unsubscribe URL, and moves a long Message-ID to a
    continuation line, which some tools then read with the line break in it;
    RFC 5322 allows 998 characters.
    """
    class DigestPolicy(EmailPolicy):
        def fold(self, name: str, value: Any) -> str:
            if name.lower() == "list-unsubscribe":
                entries = [e.strip() for e in str(value).split(",")]
                return f"{name}: " + f",{self.linesep} ".join(entries) + self.linesep
            if name.lower() == "message-id":
                return f"{name}: {str(value).strip()}{self.linesep}"
            return str(super().fold(name, value))

        def fold_binary(self, name: str, value: Any) -> bytes:
            if name.lower() in ("list-unsubscribe", "message-id"):
                return self.fold(name, value).encode("ascii")
            return super().fold_binary(name, value)

    return DigestPolicy(linesep="\r\n")


def stable_message_id(site: Site, window: Window, recipient: str) -> str:
    """A Message-ID that is the same for the same site, window and recipient."""
    key = "\n".join((site.id, window.start.isoformat(), window.end.isoformat(),
                     recipient.strip().lower()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"<digest.{window.start:%Y%m%d}-{window.end:%Y%m%d}.{digest}@{ascii_host(site.url)}>"


def sender_address(site: Site) -> str:
    """The address the digest comes from: site.email, else no-reply at the site's host."""
    return site.email or f"no-reply@{ascii_host(site.url)}"


def sender_for(site: Site) -> str:
    """The From header: the site's title and its sender address."""
    from email.headerregistry import Address

    username, domain = envelope_address(sender_address(site)).rsplit("@", 1)
    return str(Address(display_name=phrase(collapse(site.title)), username=username,
                       domain=domain))


def default_list_id(site: Site) -> str:
    """List-Id (RFC 2919): the site title and digest.<site host>."""
    return f"{phrase(collapse(site.title))} <digest.{ascii_host(site.url)}>"


def unsubscribe_link(site: Site, token: str) -> str:
    """The one-click unsubscribe URL for a recipient's token (never their address),
    as an ASCII URI: it goes into a header as it is."""
    return unsubscribe_url(to_uri(site.unsubscribe_url, header=True), token)


def unsubscribe_mailto(site: Site, token: str) -> str:
    """A mailto: URI asking the sender address to unsubscribe the token's owner."""
    from urllib.parse import quote

    address = envelope_address(sender_address(site))
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def compose(rendered: RenderedDigest, site: Site, *, to: str, token: str, message_id: str,
            date: datetime) -> EmailMessage:
    """The digest message for one recipient, whose unsubscribe token is `token`."""
    return build_message(
        rendered, to=recipient(to), sender=sender_for(site), message_id=message_id, date=date,
        unsubscribe_url=unsubscribe_link(site, token), list_id=default_list_id(site),
        unsubscribe_mailto=unsubscribe_mailto(site, token))
