"""Atom 1.0 (RFC 4287) from a feed spec, written with feedgen."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import __version__
from ..dates import rfc3339
from ..model import Options, Post
from .catalogue import FeedSpec
from .entries import cached_entry_class, generator, texts
from .stylesheet import with_stylesheet

GENERATOR_URI = "https://pypi.org/project/feedkit-se/"
FH_NS = "http://purl.org/syndication/history/1.0"


def render(spec: FeedSpec) -> bytes:
    """The Atom document of `spec`."""
    fg, own = generator(spec, "atom")
    site = spec.site
    if spec.history is not None:
        fg.register_extension("fh", _history_extension(spec.history), atom=True, rss=False)
    fg.id(own.id)
    fg.title(spec.title)
    if site.subtitle:
        fg.subtitle(site.subtitle)
    fg.link(href=own.url, rel="self", type="application/atom+xml")
    fg.link(href=spec.alternate, rel="alternate", type="text/html")
    if spec.hub:
        fg.link(href=spec.hub, rel="hub")
    for rel, href in spec.links:
        fg.link(href=href, rel=rel, type="application/atom+xml")
    fg.language(site.language)
    if site.publisher:
        fg.author({"name": site.publisher.name, **_optional(uri=site.publisher.url)})
        fg.rights(f"© {site.publisher.name}")
    else:
        fg.author({"name": site.title})
    fg.generator("feedkit", version=__version__ if spec.generator_version else None,
                 uri=GENERATOR_URI)
    fg.updated(spec.updated)
    if spec.keep_entries:
        cached = cached_entry_class()
        for post in spec.posts:
            fg.add_entry(feedEntry=cached(atom=kept_entry(post, site.options)), order="append")
    document: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    if not spec.keep_entries and spec.posts:
        # Each post is in one such feed (archive pages): its entry is written as
        # text, the bytes lxml would give, without building elements to throw away.
        head, end, tail = document.rpartition(b"</feed>")
        entries = "".join(entry_text(post, texts(post, site.options, keep=False))
                          for post in spec.posts)
        document = head + entries.encode("utf-8") + end + tail
    return with_stylesheet(document, own.stylesheet) if own.stylesheet else document


@lru_cache(maxsize=16384)
def kept_entry(post: Post, options: Options) -> Any:
    """The post's <entry>, built once: a post reads the same in every feed it is in."""
    return entry_element(post, texts(post, options))


def entry_element(post: Post, post_texts: tuple[str, str]) -> Any:
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
    SubElement(entry, "updated").text = rfc3339(post.updated)
    author = SubElement(entry, "author")
    SubElement(author, "name").text = post.author.name
    if post.author.email:
        SubElement(author, "email").text = post.author.email
    if post.author.url:
        SubElement(author, "uri").text = post.author.url
    summary, content = post_texts
    if content:
        SubElement(entry, "content", type="html").text = content
    SubElement(entry, "link", href=post.url, rel="alternate", type="text/html")
    if summary:
        SubElement(entry, "summary").text = summary
    for tag in post.tags:
        SubElement(entry, "category", term=tag)
    SubElement(entry, "published").text = rfc3339(post.published)
    return entry


def entry_text(post: Post, post_texts: tuple[str, str]) -> str:
    """The <entry> of entry_element as lxml pretty-prints it inside <feed>."""
    summary, content = post_texts
    lines = ["  <entry>", f"    <id>{_text(post.id)}</id>",
             f"    <title>{_text(post.title)}</title>",
             f"    <updated>{rfc3339(post.updated)}</updated>", "    <author>",
             f"      <name>{_text(post.author.name)}</name>"]
    if post.author.email:
        lines.append(f"      <email>{_text(post.author.email)}</email>")
    if post.author.url:
        lines.append(f"      <uri>{_text(post.author.url)}</uri>")
    lines.append("    </author>")
    if content:
        lines.append(f'    <content type="html">{_text(content)}</content>')
    lines.append(f'    <link href="{_attr(post.url)}" rel="alternate" type="text/html"/>')
    if summary:
        lines.append(f"    <summary>{_text(summary)}</summary>")
    lines += [f'    <category term="{_attr(tag)}"/>' for tag in post.tags]
    lines += [f"    <published>{rfc3339(post.published)}</published>", "  </entry>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    """Element text escaped as libxml2 escapes it."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: str) -> str:
    """An attribute value escaped as libxml2 escapes it."""
    return (_text(value).replace('"', "&quot;").replace("\t", "&#9;")
            .replace("\n", "&#10;"))


def _history_extension(marker: str) -> Any:
    """A feedgen extension adding RFC 5005's <fh:archive/> or <fh:complete/>."""
    from feedgen.ext.base import BaseExtension
    from lxml import etree

    class FeedHistory(BaseExtension):  # type: ignore[misc]
        def extend_ns(self) -> dict[str, str]:
            return {"fh": FH_NS}

        def extend_atom(self, feed: Any) -> Any:
            etree.SubElement(feed, f"{{{FH_NS}}}{marker}")
            return feed

    return FeedHistory


def _optional(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}
