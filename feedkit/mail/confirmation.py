"""The message that asks a new subscriber to confirm (double opt-in), as CRLF bytes.

Plain text from the template list/confirm-mail.txt.j2, in the subscriber's
language; the To header is written as the digest's is (personal.to_header), so
international addresses travel the same way.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from ..model import Site
from ..text.i18n import resolve_language, translations
from ..text.templating import render_template
from ..urls import ascii_host
from .message import message_policy, phrase, refuse_line_breaks, sender_for
from .personal import to_header


def confirmation_message(site: Site, *, address: str, name: str, language: str,
                         confirm_url: str, days: int, now: datetime,
                         template_dirs: tuple[Path, ...] = ()) -> bytes:
    """The whole confirmation message for one address."""
    language = resolve_language(language)
    gettext = translations(language).gettext
    text = render_template(template_dirs, language, "list/confirm-mail.txt.j2", {
        "site_title": site.title, "site_url": site.url, "confirm_url": confirm_url,
        "days": days})
    subject = gettext("Confirm your subscription to %(site)s") % {"site": site.title}
    refuse_line_breaks("Subject", subject)
    policy = message_policy()
    message = EmailMessage(policy=policy)
    message["Subject"] = phrase(subject)
    message["From"] = sender_for(site)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("confirm", domain=ascii_host(site.url))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.replace("\r\n", "\n"), charset="utf-8", cte="quoted-printable")
    return to_header(name, address) + message.as_bytes(policy=policy)
