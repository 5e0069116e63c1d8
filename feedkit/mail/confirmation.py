"""The list's own messages, as CRLF bytes: the confirmation that asks a new
subscriber to confirm (double opt-in), and the unsubscribe link someone asked for.

Plain text from the templates list/confirm-mail.txt.j2 and
list/unsubscribe-mail.txt.j2, in the recipient's language. Nothing a visitor typed
is in them: no name (the To header is the bare address), no free text, no URL
parameter; only the site's own words and the link.

`ListLetters` makes them the way the digest's personal messages are made
(mail.personal): each kind, language and token length is rendered and built by the
email package once, with placeholders, checked against a message built in full, and
then personalised by substitution: the To header, the Message-ID, the Date and the
link's token. A confirmation then costs microseconds instead of a millisecond of
Jinja2 and the email package.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from ..model import Site
from ..text.i18n import resolve_language, translations
from ..text.templating import render_template
from ..urls import ascii_host
from .message import message_policy, phrase, refuse_line_breaks, sender_for
from .personal import Build, MessageTemplate
from .tokens import unsubscribe_url


def N_(text: str) -> str:  # marks a string for pybabel extract
    return text


# kind -> (template, subject, the template's name for the link)
KINDS = {
    "confirm": ("list/confirm-mail.txt.j2", N_("Confirm your subscription to %(site)s"),
                "confirm_url"),
    "unsubscribe": ("list/unsubscribe-mail.txt.j2",
                    N_("Your link to unsubscribe from %(site)s"), "unsubscribe_url"),
}
_PLACEHOLDER_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # the Date a template is built with


def _compose(site: Site, *, to: str, language: str, kind: str, url: str,
             context: Mapping[str, object], now: datetime, message_id: str,
             template_dirs: tuple[Path, ...]) -> EmailMessage:
    """One message of `kind`, built in full by the email package."""
    template, subject, link = KINDS[kind]
    language = resolve_language(language)
    gettext = translations(language).gettext
    text = render_template(template_dirs, language, template, {
        "site_title": site.title, "site_url": site.url, link: url, **context})
    subject = gettext(subject) % {"site": site.title}
    refuse_line_breaks("Subject", subject)
    message = EmailMessage(policy=message_policy())
    message["Subject"] = phrase(subject)
    message["From"] = sender_for(site)
    message["To"] = to  # not the first header: MessageTemplate keeps what precedes it
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.replace("\r\n", "\n"), charset="utf-8", cte="quoted-printable")
    return message


@dataclass(frozen=True)
class MailLinks:
    """Where the links in the list's messages point: the confirmation page and the
    unsubscribe endpoint (site.url's, or this server's in the local trial)."""

    confirm: str  # ".../confirm"; the token goes after "?token="
    unsubscribe: str

    def url(self, kind: str, token: str) -> str:
        if kind == "confirm":
            return f"{self.confirm}?token={token}"
        return unsubscribe_url(self.unsubscribe, token)


class ListLetters:
    """The list's messages of one site, rendered once per kind, language and token
    length, personalised by substitution. Safe to use from several threads."""

    def __init__(self, site: Site, links: MailLinks, *, days: int,
                 template_dirs: tuple[Path, ...] = ()) -> None:
        self.site = site
        self.links = links
        self.days = days
        self.template_dirs = template_dirs
        self._host = ascii_host(site.url)
        self._templates: dict[tuple[str, str, int], tuple[MessageTemplate, bool]] = {}
        self._lock = threading.Lock()

    def message_id(self, kind: str, random: str | None = None) -> str:
        """A new Message-ID (always of one length for one kind)."""
        return f"<{secrets.token_hex(16) if random is None else random}.{kind}@{self._host}>"

    def _build(self, kind: str, language: str) -> Build:
        context = {"days": self.days} if kind == "confirm" else {}

        def build(to: str, message_id: str, token: str) -> EmailMessage:
            return _compose(self.site, to=to, language=language, kind=kind,
                            url=self.links.url(kind, token), context=context,
                            now=_PLACEHOLDER_DATE, message_id=message_id,
                            template_dirs=self.template_dirs)

        return build

    def message(self, kind: str, address: str, language: str | None, token: str,
                now: datetime | None = None) -> bytes:
        """The whole message of `kind` ("confirm" or "unsubscribe") to `address`, whose
        link carries `token`."""
        language = resolve_language(language or self.site.language)
        message_id = self.message_id(kind)
        key = (kind, language, len(token))
        known = self._templates.get(key)
        if known is None:
            with self._lock:
                known = self._templates.get(key)
                if known is None:
                    template = MessageTemplate(self._build(kind, language),
                                               self.message_id(kind, "0" * 32), len(token))
                    fast = template.check("", address, message_id, token)
                    known = self._templates[key] = (template, fast)
        template, fast = known
        data = (template.render if fast else template.slow)("", address, message_id, token)
        head, sep, body = data.partition(b"\r\n\r\n")
        date = format_datetime(now or datetime.now(UTC)).encode("ascii")
        head = head.replace(b"\r\nDate: " + format_datetime(_PLACEHOLDER_DATE).encode("ascii"),
                            b"\r\nDate: " + date, 1)
        return head + sep + body

