"""feedgen, the design card's feed library, as the oracle of feedkit's feed writers.

feedkit writes its Atom and RSS documents as text (writers/atom.py, rss.py: ten
times faster than building elements, docs/building.md says why). Here feedgen
writes the same feeds from the same specs, for generated sites and posts, and
both documents, parsed by lxml, must be the same trees: the same elements in the
same order, the same attributes and the same text. feedgen's known pitfalls are
handled as feedkit handles them: `updated` set explicitly on the feed and each
entry (its default is the build's time), entries added with order="append" (its
default prepends), the generator set, and the rel and type of entry links set
back (feedgen 1.0.0 drops them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from feedgen.feed import FeedGenerator
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from test_atom_text import TEXT

from feedkit import __version__
from feedkit.model import Author, Options, Post, Publisher, Registry, Site
from feedkit.text.content import post_texts
from feedkit.urls import to_uri
from feedkit.writers.atom import ATOM_NS, FH_NS
from feedkit.writers.catalogue import FeedSpec, build_catalogue
from feedkit.writers.entries import render_atom, render_rss
from feedkit.writers.rss import DC_NS, DOCS, html_text

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)),
                         timezone(timedelta(hours=-5, minutes=-30))])
WORDS = st.text(st.sampled_from("abcåäö ÅÖxyz<>&\"'"), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s)
SLUG = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
HOST = st.sampled_from(["example.se", "exempel.se", "räksmörgås.se"])


@st.composite
def sites(draw: Any) -> Site:
    url = f"https://{draw(HOST)}/{draw(SLUG)}/"
    publisher = draw(st.none() | st.builds(
        Publisher, name=WORDS, url=st.sampled_from(["", "https://utgivare.example.se/"])))
    return Site(title=draw(TEXT), url=url, feed_url=url + "atom.xml", id=url + "atom.xml",
                language=draw(st.sampled_from(["sv", "en", "sv-SE", ""])),
                timezone="Europe/Stockholm", subtitle=draw(st.sampled_from(["", "Om oss"])),
                publisher=publisher, websub_hub=draw(st.sampled_from(
                    ["", "https://hub.example.se/"])),
                options=Options(feed_entries=3, archive_page_size=2))


@st.composite
def posts(draw: Any, site: Site, number: int) -> Post:
    zone = draw(ZONES)
    published = datetime(2021, 1, 1, tzinfo=zone) + timedelta(
        minutes=draw(st.integers(0, 500_000)))
    updated = published + timedelta(minutes=draw(st.sampled_from([0, 0, 90])))
    slug = f"{draw(SLUG)}-{number}"
    url = site.url + slug + "/"
    return Post(
        title=draw(TEXT), slug=slug, url=url,
        id=draw(st.sampled_from([url, f"tag:example.se,2021:{slug}"])),
        published=published, updated=updated,
        author=Author(name=draw(WORDS), email=draw(st.sampled_from(["", "a@example.se"])),
                      url=draw(st.sampled_from(["", "https://a.example.se/"]))),
        body=draw(st.sampled_from(["", "Text med *kursiv* & <b>fet</b>.", "Ett stycke.\n\n"
                                   "Ett till, med [länk](https://example.se/x?a=1&b=2)."])),
        summary=draw(st.none() | TEXT),
        tags=tuple(draw(st.lists(st.sampled_from(["bo", "stad", "Å ä"]), max_size=2,
                                 unique=True))))


@st.composite
def registries(draw: Any) -> Registry:
    site = draw(sites())
    chosen = [draw(posts(site, n)) for n in range(draw(st.integers(0, 6)))]
    chosen.sort(key=lambda p: p.published, reverse=True)
    return Registry("posts.yaml", site, tuple(chosen))


def atom_by_feedgen(spec: FeedSpec) -> bytes:
    """The Atom document feedgen writes for `spec`."""
    own, site = spec.file("atom"), spec.site
    fg = FeedGenerator()
    if spec.history:
        fg.register_extension("fh", History, atom=True, rss=False)
        fg.fh.marker = spec.history
    fg.id(own.id)
    fg.title(spec.title)
    fg.updated(spec.updated)  # its default is the time of the build
    publisher = site.publisher
    fg.author(name=publisher.name if publisher else site.title,
              uri=publisher.url if publisher and publisher.url else None)
    fg.link(href=own.url, rel="self", type="application/atom+xml")
    fg.link(href=spec.alternate, rel="alternate", type="text/html")
    if spec.hub:
        fg.link(href=spec.hub, rel="hub")
    for rel, href in spec.links:
        fg.link(href=href, rel=rel, type="application/atom+xml")
    fg.generator("feedkit", version=__version__ if spec.generator_version else None)
    if publisher:
        fg.rights(f"© {publisher.name}")
    if site.subtitle:
        fg.subtitle(site.subtitle)
    if site.language:
        fg.language(site.language)
    for post in spec.posts:
        summary, content = post_texts(post, site.options)
        entry = fg.add_entry(order="append")  # its default puts each entry first
        entry.id(post.id)
        entry.title(post.title)
        entry.updated(post.updated)
        entry.author(name=post.author.name, email=post.author.email or None,
                     uri=post.author.url or None)
        if content:
            entry.content(content, type="html")
        entry.link(href=post.url, rel="alternate", type="text/html")
        if summary:
            entry.summary(summary)
        for tag in post.tags:
            entry.category(term=tag)
        entry.published(post.published)
    tree = etree.fromstring(fg.atom_str(pretty=True))
    for link in tree.iterfind(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}link"):
        link.set("rel", "alternate")  # feedgen 1.0.0 drops both
        link.set("type", "text/html")
    return etree.tostring(tree)


class History:
    """An RFC 5005 marker (fh:archive) as a feedgen extension: after the subtitle,
    before the entries, where feedgen puts an extension's elements."""

    marker = ""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH_NS}

    def extend_atom(self, feed: Any) -> Any:
        etree.SubElement(feed, f"{{{FH_NS}}}{self.marker}")
        return feed


def rss_by_feedgen(spec: FeedSpec) -> bytes:
    """The RSS 2.0 document feedgen writes for `spec` (without a hub: its atom:link is
    the self link only)."""
    own, site = spec.file("rss"), spec.site
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(spec.title)
    fg.link(href=to_uri(own.url), rel="self", type="application/rss+xml")
    fg.link(href=to_uri(spec.alternate))  # the last link is the channel's <link>
    fg.description(html_text(site.subtitle or site.title))
    if site.publisher:
        fg.copyright(f"© {site.publisher.name}")
    fg.docs(DOCS)
    fg.generator(f"feedkit {__version__}")
    if site.language:
        fg.language(site.language)
    fg.lastBuildDate(spec.updated)
    for post in spec.posts:
        summary, content = post_texts(post, site.options)
        item = fg.add_entry(order="append")
        item.title(post.title)
        item.link(href=to_uri(post.url))
        item.description(html_text(summary))
        if content:
            item.content(content, type="CDATA")
        permalink = post.id == post.url
        item.guid(to_uri(post.id) if permalink else post.id, permalink=permalink)
        for tag in post.tags:
            item.category(term=tag)
        item.pubDate(post.published)
        item.dc.dc_creator(post.author.name)
    return fg.rss_str(pretty=True)


def tree(element: Any) -> tuple[Any, ...]:
    """An element as (tag, attributes, text, children), whitespace between elements
    (the pretty printer's) left out."""
    text = element.text if element.text and element.text.strip() else ""
    return (element.tag, dict(element.attrib), text,
            tuple(tree(child) for child in element if isinstance(child.tag, str)))


def specs(registry: Registry) -> list[FeedSpec]:
    catalogue = build_catalogue(registry, NOW)
    return [catalogue.site_feed, *catalogue.taxonomy, *catalogue.archive]


@given(registries())
@settings(max_examples=40, deadline=None)
def test_every_atom_feed_is_the_tree_feedgen_writes(registry: Registry) -> None:
    for spec in specs(registry):
        ours = etree.fromstring(render_atom(spec))
        assert tree(ours) == tree(etree.fromstring(atom_by_feedgen(spec))), spec.name


@given(registries())
@settings(max_examples=40, deadline=None)
def test_every_rss_feed_is_the_tree_feedgen_writes(registry: Registry) -> None:
    for spec in specs(registry):
        if "rss" not in {f.format for f in spec.files} or spec.hub:
            continue
        ours = etree.fromstring(render_rss(spec))
        assert ours.nsmap.get("dc") == DC_NS
        assert tree(ours) == tree(etree.fromstring(rss_by_feedgen(spec))), spec.name
