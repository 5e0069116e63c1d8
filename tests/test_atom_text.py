"""The one Atom entry and RSS item writers, written as text, are the bytes lxml
gives for the same elements (what feedgen wrote before, and every golden file
holds), whatever the text: lxml builds the expected element here, in the test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedkit.model import Author, Post
from feedkit.writers import atom, rss
from feedkit.writers.xmltext import cdata

# Any character XML can carry (what the loader lets through), spaces and line ends.
XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"
                          ).filter(lambda c: c in "\t\n\r" or ord(c) >= 0x20)
TEXT = st.text(XML_CHARS, min_size=1, max_size=40)
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def lxml_entry(post: Post, summary: str, content: str) -> etree._Element:
    entry = etree.Element("entry")
    etree.SubElement(entry, "id").text = post.id
    etree.SubElement(entry, "title").text = post.title
    etree.SubElement(entry, "updated").text = post.updated.isoformat()
    author = etree.SubElement(entry, "author")
    etree.SubElement(author, "name").text = post.author.name
    if post.author.email:
        etree.SubElement(author, "email").text = post.author.email
    etree.SubElement(author, "uri").text = post.author.url
    if content:
        etree.SubElement(entry, "content", type="html").text = content
    etree.SubElement(entry, "link", href=post.url, rel="alternate", type="text/html")
    if summary:
        etree.SubElement(entry, "summary").text = summary
    for tag in post.tags:
        etree.SubElement(entry, "category", term=tag)
    etree.SubElement(entry, "published").text = post.published.isoformat()
    return entry


def lxml_item(post: Post, summary: str, content: str) -> etree._Element:
    from html import escape

    item = etree.Element("item")
    etree.SubElement(item, "title").text = post.title
    etree.SubElement(item, "link").text = post.url
    if summary:
        etree.SubElement(item, "description").text = escape(summary, quote=False)
    if content:
        etree.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = etree.CDATA(content)
    etree.SubElement(item, "guid", isPermaLink="false").text = post.id
    for tag in post.tags:
        etree.SubElement(item, "category").text = tag
    etree.SubElement(item, "pubDate").text = rss.rfc822(post.published)
    etree.SubElement(item, f"{{{DC_NS}}}creator").text = post.author.name
    return item


def inside(parent: str, child: etree._Element, depth: int) -> bytes:
    """`child` pretty-printed as lxml writes it `depth` levels down."""
    root = etree.Element(parent, nsmap={"content": CONTENT_NS, "dc": DC_NS})
    holder = root
    for _ in range(depth - 1):
        holder = etree.SubElement(holder, "channel")
    holder.append(child)
    lines = etree.tostring(root, pretty_print=True, encoding="UTF-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(b"<entry")
                 or line.lstrip().startswith(b"<item"))
    return b"".join(lines[start:len(lines) - depth])


@settings(max_examples=300, deadline=None)
@given(title=TEXT, name=TEXT, email=st.sampled_from(["", "a@b.se"]), url=TEXT, tags=st.lists(
    TEXT, max_size=3), summary=st.text(XML_CHARS, max_size=60),
    content=st.text(XML_CHARS, max_size=60), offset=st.integers(-12, 12))
def test_entry_and_item_are_what_lxml_writes(title: str, name: str, email: str, url: str,
                                             tags: list[str], summary: str, content: str,
                                             offset: int) -> None:
    zone = timezone(timedelta(hours=offset))
    post = Post(title=title, slug="s", url="https://e.se/" + url.replace(" ", "")
                .replace("\n", "").encode("ascii", "ignore").decode() + "x",
                id="tag:e.se,2020:" + url,
                published=datetime(2020, 2, 6, 9, 30, tzinfo=zone),
                updated=datetime(2020, 2, 7, 9, 30, tzinfo=zone),
                author=Author(name=name, email=email, url="https://e.se/" + name),
                tags=tuple(tags))
    entry = atom.entry(post, (summary, content)).encode("utf-8")
    assert entry == inside("feed", lxml_entry(post, summary, content), 1)
    if "]]>" not in content:  # lxml refuses that in CDATA; see the test below
        item = rss.item(post, (summary, content)).encode("utf-8")
        assert item == inside("rss", lxml_item(post, summary, content), 2)


@pytest.mark.parametrize("value", ["a]]>b", "]]>", "]]]>>"])
def test_cdata_never_ends_early(value: str) -> None:
    """A "]]>" inside content:encoded is split across sections, so the text reads back
    whole (lxml itself refuses to write it)."""
    root = etree.fromstring(f"<x>{cdata(value)}</x>".encode())
    assert root.text == value
