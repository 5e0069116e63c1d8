"""Archive entries written as text are the bytes lxml gives for the same element."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedkit.model import Author, Post
from feedkit.writers.atom import entry_element, entry_text

# Any character XML can carry (what the loader lets through), spaces and line ends.
XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"
                          ).filter(lambda c: c in "\t\n\r" or ord(c) >= 0x20)
TEXT = st.text(XML_CHARS, min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(title=TEXT, name=TEXT, email=st.sampled_from(["", "a@b.se"]), url=TEXT, tags=st.lists(
    TEXT, max_size=3), summary=st.text(XML_CHARS, max_size=60),
    content=st.text(XML_CHARS, max_size=60), offset=st.integers(-12, 12))
def test_entry_text_is_what_lxml_writes(title: str, name: str, email: str, url: str,
                                        tags: list[str], summary: str, content: str,
                                        offset: int) -> None:
    zone = timezone(timedelta(hours=offset))
    post = Post(title=title, slug="s", url="https://e.se/" + url, id="tag:e.se,2020:" + url,
                published=datetime(2020, 2, 6, 9, 30, tzinfo=zone),
                updated=datetime(2020, 2, 7, 9, 30, tzinfo=zone),
                author=Author(name=name, email=email, url="https://e.se/" + name),
                tags=tuple(tags))
    texts = (summary, content)
    feed = etree.Element("feed")
    feed.append(entry_element(post, texts))
    expected = etree.tostring(feed, pretty_print=True, encoding="UTF-8")
    expected = expected.removeprefix(b"<feed>\n").removesuffix(b"</feed>\n")
    assert entry_text(post, texts).encode("utf-8") == expected
