"""out/feeds.html: the <link rel="alternate"> tags, escaped names, every feed listed."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from registry_factory import SITE_URL, render_one, write_registry

from feedkit.writers.discovery import DiscoveryWriter

NOW = datetime(2030, 1, 1, tzinfo=UTC)


class Page(HTMLParser):
    """The <link> tags of <head>, every href, and every <code> block's text."""

    def __init__(self) -> None:
        super().__init__()
        self.head_links: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []
        self.codes: list[str] = []
        self.tags: list[str] = []
        self._in_head = False
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head:
            self.head_links.append(attributes)
        elif tag == "a":
            self.hrefs.append(attributes["href"])
        elif tag == "code":
            self._in_code = True
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag == "code":
            self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.codes[-1] += data


def page_for(registry: Path) -> tuple[bytes, Page]:
    data = render_one(registry, DiscoveryWriter(), "feeds.html", NOW)
    page = Page()
    page.feed(data.decode("utf-8"))
    return data, page


def test_example_feeds_html_matches_golden(example_registry: Path, golden):
    golden("example/feeds.html", page_for(example_registry)[0])


def test_head_links_name_the_three_main_feeds(tmp_path: Path):
    _, page = page_for(write_registry(tmp_path, 3, tags=lambda i: ["ett"]))
    assert page.head_links == [
        {"rel": "alternate", "type": "application/atom+xml", "title": "Testblogg (Atom)",
         "href": SITE_URL + "atom.xml"},
        {"rel": "alternate", "type": "application/rss+xml", "title": "Testblogg (RSS)",
         "href": SITE_URL + "rss.xml"},
        {"rel": "alternate", "type": "application/feed+json", "title": "Testblogg (JSON Feed)",
         "href": SITE_URL + "feed.json"},
    ]
    # The paste-ready text is the same tags, shown as text.
    assert page.codes[1].splitlines()[0] == (
        f'<link rel="alternate" type="application/atom+xml" title="Testblogg (Atom)" '
        f'href="{SITE_URL}atom.xml">'
    )
    assert SITE_URL + "tags/ett/rss.xml" in page.hrefs
    assert SITE_URL + "authors/bo-ek/feed.json" in page.hrefs


def test_hostile_tag_names_stay_text(tmp_path: Path):
    name = '<script>alert("x")</script>'
    data, page = page_for(write_registry(tmp_path, 2, tags=lambda i: [name]))
    assert "script" not in page.tags
    assert b"<script" not in data
    assert any(f'title="Testblogg: {name} (RSS)"' in unescape(code) for code in page.codes)
