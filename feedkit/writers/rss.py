"""RSS 2.0 (with atom:link self, content:encoded and dc:creator) from a feed spec.

RSS readers treat <description> as HTML, so the plain text feedkit puts there
(the channel's subtitle, each post's excerpt) is HTML-escaped first: markup in a
summary shows as text, never runs. Titles and names are plain text, as the RSS
profile says, and only XML-escaped. content:encoded carries the sanitized HTML.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import __version__
from ..model import Options, Post
from ..urls import to_uri
from .catalogue import FeedSpec
from .entries import cached_entry_class, generator, texts
from .stylesheet import with_stylesheet

# RSS 2.0 wants URLs, not IRIs: links are written in their ASCII form (urls.to_uri).

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"


def render(spec: FeedSpec) -> bytes:
    """The RSS 2.0 document of `spec`, written with feedgen."""
    fg, own = generator(spec, "rss")
    site = spec.site
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(spec.title)
    fg.description(html_text(site.subtitle or site.title))
    # feedgen takes the channel <link> from the last link given: self first.
    fg.link(href=to_uri(own.url), rel="self", type="application/rss+xml")
    fg.link(href=to_uri(spec.alternate), rel="alternate")
    fg.language(site.language)
    if site.publisher:
        fg.copyright(f"© {site.publisher.name}")
    fg.generator(f"feedkit {__version__}")
    fg.updated(spec.updated)
    cached = cached_entry_class()
    for post in spec.posts:
        fg.add_entry(feedEntry=cached(rss=kept_item(post, site.options)), order="append")
    if spec.hub:
        fg.register_extension("hub", _hub_extension(to_uri(spec.hub)), atom=False, rss=True)
    document: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(document, own.stylesheet) if own.stylesheet else document


@lru_cache(maxsize=16384)
def kept_item(post: Post, options: Options) -> Any:
    """The post's <item>, built once per post for every feed it is in.

    Built with lxml in the form feedgen's FeedEntry.rss_entry (with the dc
    extension) gives, without its per-item extension loading.
    """
    from feedgen.util import formatRFC2822
    from lxml.etree import CDATA, Element, SubElement

    item = Element("item")
    SubElement(item, "title").text = post.title
    SubElement(item, "link").text = to_uri(post.url)
    summary, content = texts(post, options)
    SubElement(item, "description").text = html_text(summary)
    if content:
        SubElement(item, f"{{{CONTENT_NS}}}encoded").text = CDATA(content)
    permalink = post.id == post.url
    guid = SubElement(item, "guid", isPermaLink=str(permalink).lower())
    guid.text = to_uri(post.id) if permalink else post.id
    for tag in post.tags:
        SubElement(item, "category").text = tag
    SubElement(item, "pubDate").text = formatRFC2822(post.published)
    SubElement(item, f"{{{DC_NS}}}creator").text = post.author.name
    return item


def html_text(text: str) -> str:
    """Plain text as HTML that shows exactly that text: &, < and > escaped."""
    from html import escape

    return escape(text, quote=False)


def _hub_extension(hub: str) -> Any:
    """feedgen writes only the self atom:link in RSS; this adds rel=hub after it."""
    from feedgen.ext.base import BaseExtension
    from lxml import etree

    class HubLink(BaseExtension):  # type: ignore[misc]
        def extend_rss(self, feed: Any) -> Any:
            self_link = feed.find(f"channel/{{{ATOM_NS}}}link")
            self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
            return feed

    return HubLink
