"""Atom 1.0 (RFC 4287) from a feed spec: the one writer of every Atom document and entry.

`entry` is the only code that writes an Atom <entry>: the site feed, tag and
author feeds and the RFC 5005 archive pages all take theirs from it (and the
build cache keeps what it gives). `document` writes the feed around them. Both
emit text, in the form feedgen and lxml's pretty printer gave (the golden files),
with the link rel and type that feedgen 1.0.0 dropped on entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import __version__
from ..dates import rfc3339
from ..model import Post
from .catalogue import FeedSpec
from .xmltext import attr, element, head, text

FH_NS = "http://purl.org/syndication/history/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"


def entry(post: Post, post_texts: tuple[str, str]) -> str:
    """The post's <entry> with its (summary, content HTML), as a child of <feed>."""
    summary, content = post_texts
    author = post.author
    published = rfc3339(post.published)
    updated = published if post.updated is post.published else rfc3339(post.updated)
    parts = ["  <entry>\n", element("    ", "id", post.id),
             element("    ", "title", post.title),
             f"    <updated>{updated}</updated>\n    <author>\n",
             element("      ", "name", author.name)]
    if author.email:
        parts.append(element("      ", "email", author.email))
    if author.url:
        parts.append(element("      ", "uri", author.url))
    parts.append("    </author>\n")
    if content:
        parts.append(f'    <content type="html">{text(content)}</content>\n')
    parts.append(f'    <link href="{attr(post.url)}" rel="alternate" type="text/html"/>\n')
    if summary:
        parts.append(element("    ", "summary", summary))
    parts += [f'    <category term="{attr(tag)}"/>\n' for tag in post.tags]
    parts.append(f"    <published>{published}</published>\n  </entry>\n")
    return "".join(parts)


def document(spec: FeedSpec, entries: Iterable[bytes]) -> bytes:
    """The Atom document of `spec` holding `entries` (from `entry`, as UTF-8)."""
    own = spec.file("atom")
    site = spec.site
    namespaces = f'xmlns:fh="{FH_NS}" ' if spec.history else ""
    lang = f' xml:lang="{attr(site.language)}"' if site.language else ""
    parts = [head(own.stylesheet), f'<feed {namespaces}xmlns="{ATOM_NS}"{lang}>\n',
             element("  ", "id", own.id), element("  ", "title", spec.title),
             element("  ", "updated", spec.updated.isoformat()), "  <author>\n"]
    publisher = site.publisher
    parts.append(element("    ", "name", publisher.name if publisher else site.title))
    if publisher and publisher.url:
        parts.append(element("    ", "uri", publisher.url))
    parts.append("  </author>\n")
    links = [(own.url, "self", "application/atom+xml"), (spec.alternate, "alternate",
                                                         "text/html")]
    if spec.hub:
        links.append((spec.hub, "hub", ""))
    links += [(href, rel, "application/atom+xml") for rel, href in spec.links]
    for href, rel, kind in links:
        kind = f' type="{kind}"' if kind else ""
        parts.append(f'  <link href="{attr(href)}" rel="{attr(rel)}"{kind}/>\n')
    version = f' version="{attr(__version__)}"' if spec.generator_version else ""
    parts.append(f'  <generator{version}>feedkit</generator>\n')  # no uri: no dead link
    if publisher:
        parts.append(element("  ", "rights", f"© {publisher.name}"))
    if site.subtitle:
        parts.append(element("  ", "subtitle", site.subtitle))
    if spec.history:
        parts.append(f"  <fh:{spec.history}/>\n")
    return b"".join(["".join(parts).encode("utf-8"), *entries, b"</feed>\n"])
