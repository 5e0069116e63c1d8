"""RSS 2.0 (with atom:link self, content:encoded and dc:creator) from a feed spec:
the one writer of every RSS document and item.

RSS readers treat <description> as HTML, so the plain text feedkit puts there
(the channel's subtitle, each post's excerpt) is HTML-escaped first: markup in a
summary shows as text, never runs. Titles and names are plain text, as the RSS
profile says, and only XML-escaped. content:encoded carries the sanitized HTML.
RSS 2.0 wants URLs, not IRIs: links are written in their ASCII form (urls.to_uri).
Written as text in the form feedgen and lxml's pretty printer gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .. import __version__
from ..model import Post
from ..urls import to_uri
from .catalogue import FeedSpec
from .xmltext import attr, cdata, element, head, text

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
DOCS = "http://www.rssboard.org/rss-specification"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822(moment: datetime) -> str:
    """An aware datetime as RFC 822 (English names whatever the locale)."""
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
            + moment.strftime("%Y %H:%M:%S %z"))


def html_text(value: str) -> str:
    """Plain text as HTML that shows exactly that text: &, < and > escaped."""
    from html import escape

    return escape(value, quote=False)


def item(post: Post, post_texts: tuple[str, str]) -> str:
    """The post's <item> with its (summary, content HTML), as a child of <channel>."""
    summary, content = post_texts
    parts = ["    <item>\n", element("      ", "title", post.title),
             element("      ", "link", to_uri(post.url))]
    if summary:  # nothing to say: no element (as feedgen writes it)
        parts.append(element("      ", "description", html_text(summary)))
    if content:
        parts.append(f"      <content:encoded>{cdata(content)}</content:encoded>\n")
    permalink = post.id == post.url
    guid = to_uri(post.id) if permalink else post.id
    parts.append(f'      <guid isPermaLink="{str(permalink).lower()}">{text(guid)}</guid>\n')
    parts += [element("      ", "category", tag) for tag in post.tags]
    parts += [f"      <pubDate>{rfc822(post.published)}</pubDate>\n",
              element("      ", "dc:creator", post.author.name), "    </item>\n"]
    return "".join(parts)


def document(spec: FeedSpec, items: Iterable[str]) -> bytes:
    """The RSS 2.0 document of `spec` holding `items` (from `item`)."""
    own = spec.file("rss")
    site = spec.site
    parts = [head(own.stylesheet),
             f'<rss xmlns:dc="{DC_NS}" xmlns:atom="{ATOM_NS}" xmlns:content="{CONTENT_NS}" '
             'version="2.0">\n  <channel>\n',
             element("    ", "title", spec.title),
             element("    ", "link", to_uri(spec.alternate)),
             element("    ", "description", html_text(site.subtitle or site.title)),
             f'    <atom:link href="{attr(to_uri(own.url))}" rel="self" '
             'type="application/rss+xml"/>\n']
    if spec.hub:
        parts.append(f'    <atom:link href="{attr(to_uri(spec.hub))}" rel="hub"/>\n')
    if site.publisher:
        parts.append(element("    ", "copyright", f"© {site.publisher.name}"))
    parts += [element("    ", "docs", DOCS), element("    ", "generator",
                                                       f"feedkit {__version__}")]
    if site.language:
        parts.append(element("    ", "language", site.language))
    parts.append(element("    ", "lastBuildDate", rfc822(spec.updated)))
    parts.extend(items)
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")
