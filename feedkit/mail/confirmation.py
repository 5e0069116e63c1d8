"""The list's own messages, as CRLF bytes: the confirmation that asks a new
subscriber to confirm (double opt-in), and the unsubscribe link someone asked for.

Plain text from the templates list/confirm-mail.txt.j2 and
list/unsubscribe-mail.txt.j2, in the recipient's language. Nothing a visitor typed
is in them: no name (the To header is the bare address), no free text, no URL
parameter; only the site's own words and the link.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _message(site: Site, *, address: str, language: str, template: str, subject: str,
             context: Mapping[str, object], now: datetime, kind: str,
             template_dirs: tuple[Path, ...]) -> bytes:
    language = resolve_language(language)
    gettext = translations(language).gettext
    text = render_template(template_dirs, language, template, {
        "site_title": site.title, "site_url": site.url, **context})
    subject = gettext(subject) % {"site": site.title}
    refuse_line_breaks("Subject", subject)
    policy = message_policy()
    message = EmailMessage(policy=policy)
    message["Subject"] = phrase(subject)
    message["From"] = sender_for(site)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(kind, domain=ascii_host(site.url))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.replace("\r\n", "\n"), charset="utf-8", cte="quoted-printable")
    return to_header("", address) + message.as_bytes(policy=policy)


def N_(text: str) -> str:  # marks a string for pybabel extract
    return text


def confirmation_message(site: Site, *, address: str, language: str, confirm_url: str,
                         days: int, now: datetime,
                         template_dirs: tuple[Path, ...] = ()) -> bytes:
    """The whole confirmation message for one address."""
    return _message(site, address=address, language=language,
                    template="list/confirm-mail.txt.j2",
                    subject=N_("Confirm your subscription to %(site)s"),
                    context={"confirm_url": confirm_url, "days": days}, now=now,
                    kind="confirm", template_dirs=template_dirs)


def unsubscribe_link_message(site: Site, *, address: str, language: str,
                             unsubscribe_url: str, now: datetime,
                             template_dirs: tuple[Path, ...] = ()) -> bytes:
    """The message with an unsubscribe link, for someone who asked for one."""
    return _message(site, address=address, language=language,
                    template="list/unsubscribe-mail.txt.j2",
                    subject=N_("Your link to unsubscribe from %(site)s"),
                    context={"unsubscribe_url": unsubscribe_url}, now=now,
                    kind="unsubscribe", template_dirs=template_dirs)
