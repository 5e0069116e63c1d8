"""RSS 2.0 (with atom:link self, content:encoded and dc:creator), written with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .. import __version__
from ..model import Post, Site
from ..outputs import OutputSet
from . import BuildContext
from .atom import feed_updated, oldest_date
from .catalogue import FeedSource, site_source
from .stylesheet import stylesheet_href, with_stylesheet
from .texts import entry_texts


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
    for post in posts:
        fe = fg.add_entry(order="append")
        fe.title(post.title)
        fe.link(href=post.url)
        fe.guid(post.id, permalink=post.id == post.url)
        fe.pubDate(post.published)
        summary, content = entry_texts(post, site.options)
        fe.description(summary)
        if content:
            fe.content(content, type="CDATA")
        fe.dc.dc_creator(post.author.name)
        for tag in post.tags:
            fe.category(term=tag)
    document = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    document = _with_hub(document, site.websub_hub)
    return with_stylesheet(document, stylesheet) if stylesheet else document


def _with_hub(document: bytes, hub: str) -> bytes:
    """feedgen writes only the self atom:link in RSS; add rel=hub beside it."""
    if not hub:
        return document
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             strip_cdata=False)
    root = etree.fromstring(document, parser)
    atom = "http://www.w3.org/2005/Atom"
    self_link = root.find(f"channel/{{{atom}}}link")
    hub_link = etree.Element(f"{{{atom}}}link", href=hub, rel="hub")
    hub_link.tail = self_link.tail
    self_link.addnext(hub_link)
    return etree.tostring(root.getroottree(), pretty_print=True, encoding="UTF-8",
                          xml_declaration=True)


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

    def write(self, context: BuildContext, outputs: OutputSet) -> None:
        source = site_source(context)
        outputs.add(source.path("rss"), render_source(context, source))
