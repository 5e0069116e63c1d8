"""The Atom 1.0 feed (RFC 4287), written with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from datetime import datetime
from functools import lru_cache

from .. import __version__
from ..model import Options, Post, Site
from ..outputs import Outputs
from . import BuildContext
from .stylesheet import stylesheet_href, with_stylesheet
from .texts import entry_texts

GENERATOR_URI = "https://pypi.org/project/feedkit/"
FH_NS = "http://purl.org/syndication/history/1.0"


@lru_cache(maxsize=1)
def cached_entry_class():
    """A feedgen entry that hands out copies of an element built once per post."""
    from feedgen.entry import FeedEntry

    class CachedEntry(FeedEntry):
        """Hands feedgen a copy of a kept element, or (copy=False) the element itself."""

        def __init__(self, atom=None, rss=None, copy: bool = True) -> None:
            super().__init__()
            self.elements = {"atom": atom, "rss": rss}
            self.copy = copy

        def atom_entry(self, extensions: bool = True):
            element = self.elements["atom"]
            return deepcopy(element) if self.copy else element

        def rss_entry(self, extensions: bool = True):
            element = self.elements["rss"]
            return deepcopy(element) if self.copy else element

    return CachedEntry


@lru_cache(maxsize=16384)
def atom_entry_element(post: Post, options: Options):
    """The post's <entry>, built once: a post reads the same in every feed it is in."""
    return new_entry_element(post, entry_texts(post, options))


def new_entry_element(post: Post, texts: tuple[str, str]):
    """A new <entry> for `post` with its (summary, content HTML).

    Built with lxml in the form feedgen's FeedEntry.atom_entry gives (same
    elements, order and unqualified names, which the feed's default namespace
    covers), at a fraction of its cost, and with the link's rel and type that
    feedgen 1.0.0 drops.
    """
    from lxml.etree import Element, SubElement

    entry = Element("entry")
    SubElement(entry, "id").text = post.id
    SubElement(entry, "title").text = post.title
    SubElement(entry, "updated").text = post.updated.isoformat()
    author = SubElement(entry, "author")
    SubElement(author, "name").text = post.author.name
    if post.author.email:
        SubElement(author, "email").text = post.author.email
    if post.author.url:
        SubElement(author, "uri").text = post.author.url
    summary, content = texts
    if content:
        SubElement(entry, "content", type="html").text = content
    SubElement(entry, "link", href=post.url, rel="alternate", type="text/html")
    if summary:
        SubElement(entry, "summary").text = summary
    for tag in post.tags:
        SubElement(entry, "category", term=tag)
    SubElement(entry, "published").text = post.published.isoformat()
    return entry


def feed_updated(posts: Sequence[Post], fallback: datetime) -> datetime:
    """The feed's updated: the newest entry's updated, never the build time."""
    return max((p.updated for p in posts), default=fallback)


def render_atom(
    site: Site, posts: Sequence[Post], *, feed_url: str, feed_id: str, title: str,
    alternate: str, fallback_updated: datetime, links: Sequence[tuple[str, str]] = (),
    history: str | None = None, hub: bool = True, generator_version: bool = True,
    stylesheet: str | None = None, reuse_entries: bool = True,
) -> bytes:
    """One Atom document for `posts` (already newest first and limited).

    `links` are extra (rel, href) feed links such as RFC 5005's prev-archive;
    `history` adds that RFC's marker element ("archive" or "complete"); archive
    pages leave out the hub and generator version so nothing but their own
    entries can change them; `stylesheet` adds an xml-stylesheet instruction.
    `reuse_entries=False` builds entries afresh instead of keeping them for other
    feeds (archive pages: each old post is in one page, so keeping costs memory).
    """
    from feedgen.feed import FeedGenerator

    cached = cached_entry_class()
    fg = FeedGenerator()
    if history is not None:
        fg.register_extension("fh", _history_extension(history), atom=True, rss=False)
    fg.id(feed_id)
    fg.title(title)
    if site.subtitle:
        fg.subtitle(site.subtitle)
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=alternate, rel="alternate", type="text/html")
    if site.websub_hub and hub:
        fg.link(href=site.websub_hub, rel="hub")
    for rel, href in links:
        fg.link(href=href, rel=rel, type="application/atom+xml")
    fg.language(site.language)
    if site.publisher:
        fg.author({"name": site.publisher.name, **_optional(uri=site.publisher.url)})
        fg.rights(f"© {site.publisher.name}")
    else:
        fg.author({"name": site.title})
    fg.generator("feedkit", version=__version__ if generator_version else None,
                 uri=GENERATOR_URI)
    fg.updated(feed_updated(posts, fallback_updated))
    for post in posts:
        if reuse_entries:
            element = atom_entry_element(post, site.options)
        else:
            element = new_entry_element(post, entry_texts.__wrapped__(post, site.options))
        fg.add_entry(feedEntry=cached(atom=element, copy=reuse_entries), order="append")
    document = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return with_stylesheet(document, stylesheet) if stylesheet else document


def _history_extension(marker: str):
    """A feedgen extension adding RFC 5005's <fh:archive/> or <fh:complete/>."""
    from feedgen.ext.base import BaseExtension
    from lxml import etree

    class FeedHistory(BaseExtension):
        def extend_ns(self) -> dict[str, str]:
            return {"fh": FH_NS}

        def extend_atom(self, feed):
            etree.SubElement(feed, f"{{{FH_NS}}}{marker}")
            return feed

    return FeedHistory


def _optional(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


class AtomWriter:
    """out/atom.xml: the newest `feed_entries` published posts, linked to the archive."""

    path = "atom.xml"

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from .archive import archive_pages, newest_archive_url

        site = context.registry.site
        visible = context.registry.visible(context.now)
        posts = visible[: site.options.feed_entries]
        pages = archive_pages(visible, site.options.feed_entries,
                              site.options.archive_page_size)
        links = [("prev-archive", newest_archive_url(site, pages))] if pages else []
        outputs.add(
            self.path,
            render_atom(
                site, posts, feed_url=site.feed_url, feed_id=site.id, title=site.title,
                alternate=site.url, fallback_updated=oldest_date(context), links=links,
                stylesheet=stylesheet_href(site, self.path),
            ),
        )


def oldest_date(context: BuildContext) -> datetime:
    """`updated` for a feed without entries: the registry's oldest post date."""
    return context.registry.posts[-1].published  # posts are newest first
