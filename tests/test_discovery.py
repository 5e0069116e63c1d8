"""out/feeds.html: the <link rel="alternate"> tags, escaped names, every feed listed, the
site's language, links relative within out/ (the page in a browser: test_discovery_browser)."""

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
    assert page.codes[4].splitlines()[0] == (
        f'<link rel="alternate" type="application/atom+xml" title="Testblogg (Atom)" '
        f'href="{SITE_URL}atom.xml">'
    )
    # The addresses to copy are absolute; the links go to the same files from out/.
    assert page.codes[:3] == [SITE_URL + name for name in ("atom.xml", "rss.xml", "feed.json")]
    assert page.hrefs[1:4] == ["atom.xml", "rss.xml", "feed.json"]
    assert "tags/ett/rss.xml" in page.hrefs
    assert "authors/bo-ek/feed.json" in page.hrefs
    assert page.hrefs[0] == page.hrefs[-1] == SITE_URL  # the site itself


def test_a_feed_url_elsewhere_is_linked_as_it_is(tmp_path: Path):
    registry = write_registry(tmp_path, 2)
    registry.write_text(registry.read_text("utf-8").replace(
        "  language: sv\n", "  language: sv\n  feed_url: https://feeds.example.net/testblogg\n"),
        "utf-8")
    _, page = page_for(registry)
    assert page.hrefs[1:4] == ["https://feeds.example.net/testblogg", "rss.xml", "feed.json"]
    assert page.head_links[0]["href"] == "https://feeds.example.net/testblogg"


def test_the_page_speaks_the_site_language(tmp_path: Path):
    swedish = page_for(write_registry(tmp_path, 2, tags=lambda i: ["ett"]))[0].decode()
    assert '<html lang="sv">' in swedish
    assert "<h1>Följ Testblogg i en flödesläsare</h1>" in swedish
    assert "Ämnen" in swedish and "Tags" not in swedish
    registry = tmp_path / "posts.yaml"
    for language, words in (("en", "Follow Testblogg in a feed reader"),
                            ("de", "Follow Testblogg in a feed reader")):
        registry.write_text(registry.read_text("utf-8").replace(
            "  language: sv\n", f"  language: {language}\n").replace(
            "  language: en\n", f"  language: {language}\n"), "utf-8")
        html = page_for(registry)[0].decode()
        # German has no catalogue: the page is English and says so; the site's own
        # words keep their language tag.
        assert '<html lang="en">' in html and f"<h1>{words}</h1>" in html
        assert ('<p class="site-title" lang="de">' in html) == (language == "de")


def test_published_digests_are_linked(tmp_path: Path):
    with_digests = write_registry(tmp_path, 2, options={"web_digests": "week"})
    _, page = page_for(with_digests)
    assert "digests/" in page.hrefs
    _, page = page_for(write_registry(tmp_path, 2))
    assert "digests/" not in page.hrefs


def test_hostile_tag_names_stay_text(tmp_path: Path):
    name = '<script>alert("x")</script>'
    data, page = page_for(write_registry(tmp_path, 2, tags=lambda i: [name]))
    assert "script" not in page.tags
    assert b"<script" not in data
    assert any(f'title="Testblogg: {name} (RSS)"' in unescape(code) for code in page.codes)
