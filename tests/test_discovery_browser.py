"""out/feeds.html in a real browser (Debian's Chromium), served by `feedkit serve --local`
as a newcomer sees it: the site's language, no two words run together, nothing wider
than a phone, WCAG AA contrast in light and dark, and every link answers with what it
names (the feeds parse, the web digests are there)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from registry_factory import write_registry
from serve_helpers import serving
from test_digest_layout import CONTRAST, OVERFLOW

from feedkit.jobs.build import build

NOW = datetime(2020, 3, 1, tzinfo=UTC)
SITE = "https://www.allmannyttan.se/innovationslabb/dagbok/"

# Text that runs on into the next element's without a space ("läsare:Atom",
# "AtomRSS"): consecutive visible text nodes in the same block box, with neither
# whitespace nor punctuation between them.
RUN_TOGETHER = """() => {
  const inline = new Set(['inline', 'inline-block', 'inline-flex', 'contents']);
  const block = node => {
    let el = node.parentElement;
    while (el && inline.has(getComputedStyle(el).display)) el = el.parentElement;
    return el;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  let previous = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const box = block(node);
    if (!node.textContent.trim()) {
      if (previous && previous.box === box && node.textContent) previous.spaced = true;
      continue;
    }
    if (!node.parentElement.getClientRects().length) continue;  // not shown
    const text = node.textContent;
    if (previous && previous.box === box && !previous.spaced &&
        !/[\\s(\\[]$/.test(previous.text) && !/^[\\s,.;:!?)\\]]/.test(text))
      found.push(previous.text.slice(-20) + '|' + text.slice(0, 20));
    previous = {box, text, spaced: false};
  }
  return found;
}"""


def read_feed(data: bytes, name: str) -> tuple[str, int]:
    """A feed's title and number of entries, read by feedparser (JSON Feed: json)."""
    if name.endswith(".json"):
        document = json.loads(data)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        return document["title"], len(document["items"])
    parsed = feedparser.parse(data)
    assert not parsed.bozo, (name, parsed.bozo_exception)
    return parsed.feed.title, len(parsed.entries)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example registry, publishing its digests on the web, built."""
    from conftest import ROOT

    folder = tmp_path_factory.mktemp("feeds-page")
    registry = folder / "posts.yaml"
    registry.write_text((ROOT / "posts.yaml").read_text("utf-8").replace(
        "    feed_entries: 20\n", "    feed_entries: 20\n    web_digests: week\n"), "utf-8")
    build(registry, folder / "out", now=NOW, templates=None)
    return registry


def test_the_feeds_page_reads_well_and_its_links_work(browser, site: Path) -> None:
    with serving(site, "--local") as (base, _):
        page = browser.new_page(viewport={"width": 375, "height": 800})
        try:
            page.goto(base + "feeds.html")
            assert page.evaluate("document.documentElement.lang") == "sv"
            assert page.locator("h1").inner_text() == \
                "Följ Allmännyttans innovationslabb – dagbok i en flödesläsare"
            assert page.get_by_role("heading", name="Ämnen").count() == 1
            assert page.evaluate(RUN_TOGETHER) == []

            # Each format: a link that answers with the feed, and its address to copy.
            for item in page.locator("ul.formats li").all():
                link = item.locator("a")
                href = link.get_attribute("href")
                address = item.locator("code").inner_text()
                assert address == SITE + href
                served = page.request.get(base + href)
                assert served.status == 200, href
                assert read_feed(served.body(), href) == (
                    "Allmännyttans innovationslabb – dagbok", 5)

            # Every other link: the tag and author feeds, the web digests, the site.
            hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
            assert len(hrefs) == 3 + 3 * 7 + 3  # the site twice, the web digests
            for href in hrefs:
                if href == SITE:
                    continue
                assert href.startswith(base), href
                answer = page.request.get(href)
                assert answer.status == 200, href
                if href.endswith((".xml", ".json")):
                    assert read_feed(answer.body(), href)[1] > 0, href
            assert base + "digests/" in hrefs

            # The <link> tags for the site's own pages are folded away until asked for.
            code = page.locator("details pre").first
            assert not code.is_visible()
            page.get_by_text("För webbplatsens egna sidor").click()
            assert code.inner_text().startswith(
                f'<link rel="alternate" type="application/atom+xml" '
                f'title="Allmännyttans innovationslabb – dagbok (Atom)" href="{SITE}atom.xml">')
            assert page.evaluate(RUN_TOGETHER) == []

            for width in (375, 600, 1000):
                page.set_viewport_size({"width": width, "height": 800})
                scroll, right = page.evaluate(OVERFLOW)
                assert scroll <= width and right <= width, (width, scroll, right)
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                checked = page.evaluate(CONTRAST)
                assert len(checked) > 20
                low = [(name, round(ratio, 2)) for name, ratio, need in checked
                       if ratio < need]
                assert not low, (scheme, low)
        finally:
            page.close()


def test_an_english_site_gets_english_words(browser, tmp_path: Path) -> None:
    registry = write_registry(tmp_path, 3, tags=lambda i: ["one", "two"])
    registry.write_text(registry.read_text("utf-8").replace("language: sv", "language: en"),
                        "utf-8")
    build(registry, tmp_path / "out", now=datetime(2030, 1, 1, tzinfo=UTC), templates=None)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.set_content((tmp_path / "out" / "feeds.html").read_text("utf-8"))
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("h1").inner_text() == "Follow Testblogg in a feed reader"
        assert page.locator("h2").all_inner_texts() == ["TAGS", "AUTHORS"]  # upper-cased
        assert page.evaluate(RUN_TOGETHER) == []
    finally:
        page.close()
