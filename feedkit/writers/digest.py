"""The email digest's content: a window of posts grouped by day, as HTML and plain text.

jinja2 -> premailer; the message around it is feedkit.mail's job. The
unsubscribe link is rendered as UNSUBSCRIBE_PLACEHOLDER so that one rendering
serves every recipient: `personalize` fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import TemplateError
from ..model import Image, Post, Registry, Site
from ..periods import Window, local_day, period_name, posts_in_window, window_for_period
from ..text import flowed
from ..text.content import excerpt
from ..text.excerpt import collapse, truncate
from ..text.i18n import date_range, lang_attribute, long_date, resolve_language, translations
from ..text.templating import render_template

UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.feedkit.invalid/FEEDKIT-UNSUBSCRIBE-URL"
PREHEADER_LENGTH = 140
IMAGE_WIDTH = 536  # the digest's column: 600 px less 32 px on each side


WEB_FOLDER = "digests"


def window_label(window: Window, language: str) -> str:
    """The dates written out once: "3–9 februari 2020", or one date."""
    return date_range(window.start, window.end, resolve_language(language))


def web_period(site: Site, window: Window) -> str | None:
    """The name of the web copy of this window's digest (2020-W06), when the site
    publishes its digests (`web_digests`) and the window is one of its periods."""
    kind = site.options.web_digests
    if not kind or window_for_period(kind, window.start) != window:
        return None
    return period_name(kind, window)


def web_url(site: Site, period: str | None = None) -> str:
    """The web copy of a digest (or, without a period, the index of them all)."""
    return site.url + WEB_FOLDER + "/" + (f"{period}/" if period else "")


GMAIL_CLIP_BYTES = 102 * 1024  # Gmail shows "[Message clipped]" past this much HTML


def clip_warning(rendered: RenderedDigest) -> str | None:
    """A warning when the HTML part is longer than Gmail shows before clipping it (the
    rest, the unsubscribe link included, hides behind "View entire message")."""
    size = len(rendered.html.encode("utf-8"))
    if size <= GMAIL_CLIP_BYTES:
        return None
    return (f"the digest's HTML is {size / 1024:.0f} KB; Gmail clips messages over 102 KB "
            f"and hides the rest (the unsubscribe link too). Keep it under: fewer posts "
            f"({len(rendered.posts)} now; a shorter --period, or digest_entries), or shorter "
            "excerpts (site.options.excerpt_length)")


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
    image: Image | None = None

    @property
    def image_size(self) -> tuple[int, int]:
        """The picture's width and height as shown: at most the column's 536 px
        (Outlook's Word engine takes the attributes and ignores CSS max-width)."""
        if self.image is None:
            return (0, 0)
        width = min(self.image.width, IMAGE_WIDTH)
        return width, max(1, round(self.image.height * width / self.image.width))


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
                role=collapse(post.author.role), image=post.image,
            )
        )
    return tuple(DigestDay(day, long_date(day, language), tuple(items))
                 for day, items in days.items())


def render_digest(
    registry: Registry, window: Window, *, language: str | None = None,
    template_dirs: tuple[Path, ...] = (), posts: Sequence[Post] | None = None,
    inline: bool = True,
) -> RenderedDigest:
    """Render the digest of `window` (or of exactly `posts`, if given).

    `inline=False` leaves the stylesheet in <head> (the web copy, for browsers).
    """
    site = registry.site
    lang = resolve_language(language or site.language)
    chosen = tuple(sorted(posts_in_window(registry, window) if posts is None else posts,
                          key=lambda p: p.published, reverse=True))
    gettext = translations(lang)
    period = window_label(window, lang)
    site_title = collapse(site.title)
    subject = gettext.ngettext(
        "%(site)s: %(num)d new post, %(period)s",
        "%(site)s: %(num)d new posts, %(period)s",
        len(chosen),
    ) % {"site": site_title, "num": len(chosen), "period": period}
    preheader = truncate(" · ".join(collapse(p.title) for p in chosen), PREHEADER_LENGTH, "…")
    published = web_period(site, window)
    context: dict[str, Any] = {
        "site": site, "site_title": site_title, "publisher": site.publisher,
        "lang": lang, "period": period, "subject": subject, "preheader": preheader,
        "days": group_by_day(chosen, site, lang), "count": len(chosen),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER, "feed_url": site.feed_url,
        "web_url": web_url(site, published) if published and inline else None,
        "archive_url": web_url(site) if site.options.web_digests else None,
        "text_lang": lang_attribute(site.language, lang),
        # The web copy (out/digests/) speaks to anyone: it says what it is and offers
        # the list's subscribe form (feedkit serve's subscribe/embed) instead of
        # "you are receiving this email because".
        "web_copy": not inline, "subscribe_url": site.url + "subscribe/embed",
    }
    html = render_template(template_dirs, lang, "digest.html.j2", context)
    text = render_template(template_dirs, lang, "digest.txt.j2", context)
    for name, part in (("digest.html.j2", html), ("digest.txt.j2", text)):
        if UNSUBSCRIBE_PLACEHOLDER not in part:
            where = next((d / name for d in template_dirs if (d / name).is_file()), name)
            raise TemplateError(
                f"{where}: has no unsubscribe link; the law and the big mailbox providers "
                "require one in every digest: add {{ unsubscribe_url }} to the template")
    html = inline_css(html) if inline else html
    text = flowed.wrap(text)
    return RenderedDigest(subject=subject, html=html, text=text, preheader=preheader,
                          language=lang, window=window, posts=chosen)


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; @media rules stay in <head>."""
    import logging

    return str(_premailer()(
        html, allow_network=False, allow_loading_external_files=False,
        strip_important=False, disable_link_rewrites=True, disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        # Width attributes come from the template (600 for Outlook), not from CSS.
        disable_basic_attributes=["width", "height"],
    ).transform())


def _premailer() -> Any:
    """premailer's Premailer, imported without `requests` and `urllib.request`: premailer
    uses the first and cssutils the second only to fetch stylesheets over the network
    (or from files), which feedkit never allows, and their imports (with http.client,
    email and ssl) are half of premailer's. Each is a stand-in that imports the real
    module if ever used; nothing imported later sees the stand-ins."""
    import sys

    if "premailer.premailer" not in sys.modules:
        import urllib

        stand_ins = {name: _stand_in(name) for name in ("requests", "urllib.request")
                     if name not in sys.modules}
        sys.modules.update(stand_ins)
        if "urllib.request" in stand_ins:  # `import urllib.request` reads the attribute
            setattr(urllib, "request", stand_ins["urllib.request"])  # noqa: B010
        try:
            import premailer.premailer  # noqa: F401
        finally:
            for name, stand_in in stand_ins.items():
                if sys.modules.get(name) is stand_in:
                    del sys.modules[name]
    from premailer import Premailer

    return Premailer


def _stand_in(name: str) -> Any:
    """A module `name` that imports the real one when an attribute is first read (the
    real one then takes its place, as an attribute of its package too)."""
    import importlib
    import types

    stand_in = types.ModuleType(name)
    stand_in.__getattr__ = (  # type: ignore[method-assign]
        lambda attribute: getattr(importlib.import_module(name), attribute))
    return stand_in


def personalize(rendered: RenderedDigest, unsubscribe_url: str) -> tuple[str, str]:
    """(html, text) with the unsubscribe placeholder replaced by `unsubscribe_url`."""
    from html import escape

    html = rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER, escape(unsubscribe_url, quote=True))
    text = flowed.wrap(flowed.unwrap(rendered.text).replace(UNSUBSCRIBE_PLACEHOLDER,
                                                            unsubscribe_url))
    return html, text


