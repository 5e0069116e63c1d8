"""The digest, the web copies, feeds.html and the feed stylesheet in a real browser
(Debian's Chromium): nothing overflows at 375 or 600 px with long URLs, words,
titles and roles; text meets WCAG AA contrast in light and dark."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from layout_sample import LONG_URL, write_sample

from feedkit.jobs.build import build

NOW = datetime(2020, 3, 1, tzinfo=UTC)
WIDTHS = (375, 600, 1000)

# The largest horizontal extent of the page and of any element, in CSS pixels.
OVERFLOW = """() => {
  const root = document.documentElement;
  let right = 0;
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && getComputedStyle(el).display !== 'none')
      right = Math.max(right, box.right);
  }
  return [root.scrollWidth, Math.ceil(right)];
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    registry = write_sample(folder)
    build(registry, folder / "out", now=NOW, templates=None)
    (folder / "posts.yaml").write_text(
        registry.read_text("utf-8").replace("    web_digests: week\n",
                                            "    web_digests: week\n    feed_xsl: true\n"),
        "utf-8")
    build(registry, folder / "out", now=NOW)
    return folder / "out"


def pages(out: Path) -> list[Path]:
    return [out / "digest.html", out / "digests" / "2020-W06" / "index.html",
            out / "digests" / "index.html", out / "feeds.html"]


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_window(browser, site: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for path in pages(site):
            html = path.read_text("utf-8")
            if path.name == "digest.html":
                assert LONG_URL.replace("&", "&amp;") in html  # the hostile post is in it
            page.set_content(html)
            scroll, right = page.evaluate(OVERFLOW)
            assert scroll <= width and right <= width, (path, width, scroll, right)
    finally:
        page.close()


@pytest.mark.parametrize("width", (375, 600))
def test_the_feed_stylesheet_page_fits(browser, site: Path, width: int) -> None:
    from lxml import etree

    transform = etree.XSLT(etree.parse(str(site / "feed.xsl")))
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for name in ("atom.xml", "rss.xml"):
            html = str(transform(etree.parse(str(site / name))))
            assert "Det här är ett webbflöde" in html  # the feed's language, Swedish
            page.set_content(html)
            scroll, right = page.evaluate(OVERFLOW)
            assert scroll <= width and right <= width, (name, width, scroll, right)
    finally:
        page.close()


def test_wide_screens_keep_a_margin_above_the_digest(browser, site: Path) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_content((site / "digest.html").read_text("utf-8"))
        top = page.evaluate("document.querySelector('.container').getBoundingClientRect().top")
        assert top >= 16
    finally:
        page.close()


# Every element with its own text: its colour against the nearest painted background.
CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.display === 'none' || style.opacity === '0') continue;
    let bg = null;
    for (let p = el; p && !bg; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length < 4 || c[3] > 0) bg = c;
    }
    bg = bg || [255, 255, 255];
    const [a, b] = [lum(rgb(style.color)), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 ||
      (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    found.push([el.className || el.tagName, ratio, large ? 3 : 4.5]);
  }
  return found;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_meets_wcag_aa_contrast(browser, site: Path, scheme: str) -> None:
    page = browser.new_page(viewport={"width": 600, "height": 800}, color_scheme=scheme)
    try:
        page.set_content((site / "digest.html").read_text("utf-8"))
        checked = page.evaluate(CONTRAST)
        assert len(checked) > 10
        low = [(name, round(ratio, 2)) for name, ratio, need in checked if ratio < need]
        assert not low, low
    finally:
        page.close()
