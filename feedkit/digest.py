"""The email digest: a window of posts grouped by day, as HTML, plain text and a message.

jinja2 -> premailer -> EmailMessage; sending is someone else's job. The unsubscribe
link is rendered as UNSUBSCRIBE_PLACEHOLDER so a sender can personalise one
rendering per recipient with `personalize` instead of rendering again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from . import flowed
from .content import excerpt
from .errors import FeedkitError
from .excerpt import collapse, truncate
from .i18n import long_date, resolve_language, translations
from .model import Post, Registry, Site

if TYPE_CHECKING:
    from email.message import EmailMessage

PERIODS = ("day", "week", "month")
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.feedkit.invalid/FEEDKIT-UNSUBSCRIBE-URL"
TO_PLACEHOLDER = "subscriber@example.invalid"
PREHEADER_LENGTH = 140


class TemplateError(FeedkitError):
    """A digest template can't be read or rendered."""


class HeaderInjectionError(FeedkitError):
    """A value meant for an email header holds a line break."""


@dataclass(frozen=True)
class Window:
    """Inclusive calendar dates in the site timezone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def label(self, language: str) -> str:
        """The dates written out: "3 februari 2020 – 9 februari 2020" or one date."""
        language = resolve_language(language)
        if self.start == self.end:
            return long_date(self.start, language)
        return f"{long_date(self.start, language)} – {long_date(self.end, language)}"


def window_for_period(period: str, until: date) -> Window:
    """The day, ISO week (Monday to Sunday) or calendar month that contains `until`."""
    from dateutil.relativedelta import MO, relativedelta

    if period == "day":
        return Window(until, until)
    if period == "week":
        monday = until + relativedelta(weekday=MO(-1))
        return Window(monday, monday + relativedelta(days=6))
    if period == "month":
        return Window(until + relativedelta(day=1), until + relativedelta(day=31))
    raise ValueError(f"unknown period '{period}'; use one of: {', '.join(PERIODS)}")


def local_day(post: Post, site: Site) -> date:
    """The calendar day of a post's publication in the site timezone."""
    return post.published.astimezone(site.tz).date()


def posts_in_window(registry: Registry, window: Window) -> tuple[Post, ...]:
    """The registry's posts published on a day of `window`, newest first."""
    site = registry.site
    return tuple(p for p in registry.posts if local_day(p, site) in window)


@dataclass(frozen=True)
class RenderedDigest:
    """One rendering of a digest, before the unsubscribe link is filled in."""

    subject: str
    html: str
    text: str
    preheader: str
    language: str
    window: Window
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class DigestPost:
    """What the templates show for one post."""

    title: str
    url: str
    excerpt: str
    author: str
    role: str


@dataclass(frozen=True)
class DigestDay:
    """A date heading and its posts, newest first."""

    day: date
    heading: str
    posts: tuple[DigestPost, ...]


def group_by_day(posts: Sequence[Post], site: Site, language: str) -> tuple[DigestDay, ...]:
    """Posts (newest first) under their local dates, newest date first."""
    days: dict[date, list[DigestPost]] = {}
    for post in sorted(posts, key=lambda p: p.published, reverse=True):
        days.setdefault(local_day(post, site), []).append(
            DigestPost(
                title=collapse(post.title), url=post.url,
                excerpt=excerpt(post, site.options), author=post.author.name,
                role=post.author.role,
            )
        )
    return tuple(DigestDay(day, long_date(day, language), tuple(items))
                 for day, items in days.items())


def render_digest(
    registry: Registry, window: Window, *, language: str | None = None,
    template_dirs: tuple[Path, ...] = (), posts: Sequence[Post] | None = None,
) -> RenderedDigest:
    """Render the digest of `window` (or of exactly `posts`, if given)."""
    site = registry.site
    lang = resolve_language(language or site.language)
    chosen = tuple(sorted(posts_in_window(registry, window) if posts is None else posts,
                          key=lambda p: p.published, reverse=True))
    gettext = translations(lang)
    period = window.label(lang)
    site_title = collapse(site.title)
    subject = gettext.ngettext(
        "%(site)s: %(num)d new post, %(period)s",
        "%(site)s: %(num)d new posts, %(period)s",
        len(chosen),
    ) % {"site": site_title, "num": len(chosen), "period": period}
    preheader = truncate(" · ".join(collapse(p.title) for p in chosen), PREHEADER_LENGTH, "…")
    context: dict[str, Any] = {
        "site": site, "site_title": site_title, "publisher": site.publisher,
        "lang": lang, "period": period, "subject": subject, "preheader": preheader,
        "days": group_by_day(chosen, site, lang), "count": len(chosen),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }
    html = inline_css(_render(template_dirs, lang, "digest.html.j2", context))
    text = flowed.wrap(_render(template_dirs, lang, "digest.txt.j2", context))
    return RenderedDigest(subject=subject, html=html, text=text, preheader=preheader,
                          language=lang, window=window, posts=chosen)


def _render(template_dirs: Sequence[Path], language: str, name: str,
            context: dict[str, Any]) -> str:
    """Render one template; Jinja2's errors become a TemplateError naming FILE:LINE."""
    import jinja2

    from .templating import environment

    env = environment(tuple(template_dirs), language)
    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise TemplateError(f"{where}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{name}: template not found") from None
    except jinja2.TemplateError as exc:
        filename = template.filename or name
        line = _template_line(exc, filename)
        raise TemplateError(f"{filename}:{line}: {exc}") from None


def _template_line(exc: BaseException, filename: str) -> int:
    """The template line a render error happened on, from Jinja2's traceback."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == filename and frame.lineno:
            return frame.lineno
    return 1


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; @media rules stay in <head>."""
    import logging

    from premailer import Premailer

    return Premailer(
        html, allow_network=False, allow_loading_external_files=False,
        strip_important=False, disable_link_rewrites=True, disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        # Width attributes come from the template (600 for Outlook), not from CSS.
        disable_basic_attributes=["width", "height"],
    ).transform()


def personalize(rendered: RenderedDigest, unsubscribe_url: str) -> tuple[str, str]:
    """(html, text) with the unsubscribe placeholder replaced by `unsubscribe_url`."""
    from html import escape

    refuse_line_breaks("unsubscribe URL", unsubscribe_url)
    html = rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER, escape(unsubscribe_url, quote=True))
    text = flowed.wrap(flowed.unwrap(rendered.text).replace(UNSUBSCRIBE_PLACEHOLDER,
                                                            unsubscribe_url))
    return html, text


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
    from email.message import EmailMessage
    from email.utils import format_datetime

    mailto = unsubscribe_mailto if unsubscribe_mailto.startswith("mailto:") else (
        f"mailto:{unsubscribe_mailto}")
    headers = {
        "Subject": rendered.subject, "From": sender, "To": to,
        "Date": format_datetime(date), "Message-ID": message_id, "List-Id": list_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    for name, value in headers.items():
        refuse_line_breaks(name, value)
    for name, url in (("unsubscribe URL", unsubscribe_url), ("unsubscribe mailto", mailto)):
        if not url.isascii() or "," in url or ">" in url:
            raise HeaderInjectionError(f"{name}: {url!r} must be ASCII without ',' or '>'; "
                                       "percent-encode it")
    html, text = personalize(rendered, unsubscribe_url)
    message = EmailMessage(policy=_message_policy())
    for name, value in headers.items():
        message[name] = value
    message["MIME-Version"] = "1.0"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable",
                        params={"format": "flowed", "delsp": "yes"})
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:24]
    message.set_boundary(f"=_feedkit_{digest}")
    return message


def _message_policy():
    """SMTP policy that writes List-Unsubscribe's URLs verbatim, one per line, and
    the Message-ID on its own header line.

    Python's folder turns a token longer than a line into RFC 2047 encoded words,
    which would break a long unsubscribe URL, and moves a long Message-ID to a
    continuation line, which some tools then read with the line break in it;
    RFC 5322 allows 998 characters.
    """
    from email.policy import EmailPolicy

    class DigestPolicy(EmailPolicy):
        def fold(self, name: str, value: str) -> str:
            if name.lower() == "list-unsubscribe":
                entries = [e.strip() for e in str(value).split(",")]
                return f"{name}: " + f",{self.linesep} ".join(entries) + self.linesep
            if name.lower() == "message-id":
                return f"{name}: {str(value).strip()}{self.linesep}"
            return super().fold(name, value)

        def fold_binary(self, name: str, value: str) -> bytes:
            if name.lower() in ("list-unsubscribe", "message-id"):
                return self.fold(name, value).encode("ascii")
            return super().fold_binary(name, value)

    return DigestPolicy(linesep="\r\n")


def _host(site: Site) -> str:
    return (urlsplit(site.url).hostname or "localhost").encode("idna").decode("ascii")


def stable_message_id(site: Site, window: Window, recipient: str) -> str:
    """A Message-ID that is the same for the same site, window and recipient."""
    key = "\n".join((site.id, window.start.isoformat(), window.end.isoformat(),
                     recipient.strip().lower()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"<digest.{window.start:%Y%m%d}-{window.end:%Y%m%d}.{digest}@{_host(site)}>"


def sender_for(site: Site) -> str:
    """The From header: the site's title and email (a no-reply address if none is set)."""
    from email.headerregistry import Address

    address = site.email or f"no-reply@{_host(site)}"
    username, domain = address.rsplit("@", 1)
    return str(Address(display_name=collapse(site.title), username=username, domain=domain))


def default_list_id(site: Site) -> str:
    """List-Id (RFC 2919): the site title and digest.<site host>."""
    return f"{collapse(site.title)} <digest.{_host(site)}>"


def unsubscribe_link(site: Site, recipient: str) -> str:
    """site.unsubscribe_url with the recipient's address in the query."""
    base = site.unsubscribe_url or site.url + "unsubscribe"
    joiner = "&" if urlsplit(base).query else "?"
    return f"{base}{joiner}{urlencode({'email': recipient})}"


def unsubscribe_mailto(site: Site) -> str:
    """A mailto: URI asking the site's address to unsubscribe the sender."""
    address = site.email or (site.publisher.email if site.publisher else "") or (
        f"no-reply@{_host(site)}")
    return f"mailto:{address}?subject=unsubscribe"
