"""RSS 2.0 (with atom:link self, content:encoded and dc:creator), written with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from .. import __version__
from ..model import Options, Post, Site
from ..outputs import Outputs
from . import BuildContext
from .atom import cached_entry_class, feed_updated, oldest_date
from .catalogue import FeedSource, site_source
from .stylesheet import stylesheet_href, with_stylesheet
from .texts import entry_texts

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"


def render_rss(
    site: Site, posts: Sequence[Post], *, feed_url: str, title: str, link: str,
    fallback_updated: datetime, stylesheet: str | None = None,
) -> bytes:
    """One RSS 2.0 document for `posts` (newest first, already limited)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(title)
    fg.description(site.subtitle or site.title)
    # feedgen takes the channel <link> from the last link given: self first.
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=link, rel="alternate")
    fg.language(site.language)
    if site.publisher:
        fg.copyright(f"© {site.publisher.name}")
    fg.generator(f"feedkit {__version__}")
    fg.updated(feed_updated(posts, fallback_updated))
    cached = cached_entry_class()
    for post in posts:
        fg.add_entry(feedEntry=cached(rss=rss_item_element(post, site.options)),
                     order="append")
    if site.websub_hub:
        fg.register_extension("hub", _hub_extension(site.websub_hub), atom=False, rss=True)
    document = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(document, stylesheet) if stylesheet else document


@lru_cache(maxsize=16384)
def rss_item_element(post: Post, options: Options):
    """The post's <item>, built once per post for every feed it is in.

    Built with lxml in the form feedgen's FeedEntry.rss_entry (with the dc
    extension) gives, without its per-item extension loading.
    """
    from feedgen.util import formatRFC2822
    from lxml.etree import CDATA, Element, SubElement

    item = Element("item")
    SubElement(item, "title").text = post.title
    SubElement(item, "link").text = post.url
    summary, content = entry_texts(post, options)
    SubElement(item, "description").text = summary
    if content:
        SubElement(item, f"{{{CONTENT_NS}}}encoded").text = CDATA(content)
    guid = SubElement(item, "guid", isPermaLink=str(post.id == post.url).lower())
    guid.text = post.id
    for tag in post.tags:
        SubElement(item, "category").text = tag
    SubElement(item, "pubDate").text = formatRFC2822(post.published)
    SubElement(item, f"{{{DC_NS}}}creator").text = post.author.name
    return item


def _hub_extension(hub: str):
    """feedgen writes only the self atom:link in RSS; this adds rel=hub after it."""
    from feedgen.ext.base import BaseExtension
    from lxml import etree

    class HubLink(BaseExtension):
        def extend_rss(self, feed):
            self_link = feed.find(f"channel/{{{ATOM_NS}}}link")
            self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))
            return feed

    return HubLink


def render_source(context: BuildContext, source: FeedSource) -> bytes:
    """The RSS document of one feed in the catalogue."""
    site = context.registry.site
    path = source.path("rss")
    return render_rss(
        site, source.posts, feed_url=source.url(site, "rss"), title=source.title,
        link=source.alternate, fallback_updated=oldest_date(context),
        stylesheet=stylesheet_href(site, path),
    )


class Rss2Writer:
    """out/rss.xml: the same posts as atom.xml, as RSS 2.0."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        source = site_source(context)
        outputs.add(source.path("rss"), render_source(context, source))
