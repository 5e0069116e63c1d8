"""The digest's newer parts: images, the reader's language beside the site's, web
copies of each period's digest with a "view in browser" link, and their index."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pytest
from layout_sample import write_sample

from feedkit.errors import RegistryError
from feedkit.jobs.build import build
from feedkit.load import load, loads
from feedkit.periods import Window
from feedkit.writers.digest import render_digest

NOW = datetime(2020, 3, 1, tzinfo=UTC)
WEEK = Window(date(2020, 2, 3), date(2020, 2, 9))


def test_an_image_has_its_alt_text_and_size(tmp_path: Path) -> None:
    registry = load(write_sample(tmp_path))
    rendered = render_digest(registry, Window(date(2020, 2, 3), date(2020, 2, 9)))
    images = lxml.html.fromstring(rendered.html).xpath("//img")
    assert len(images) == 1
    img = images[0]
    assert img.get("src") == "https://www.allmannyttan.se/bilder/vardagshjaltar.jpg"
    assert img.get("alt") == "Boende och personal samlade på en gård"
    # Shown at the column's width, the height in proportion (1200x675 -> 536x302).
    assert (img.get("width"), img.get("height")) == ("536", "302")
    assert "max-width:100%" in img.get("style").replace(" ", "")  # narrower on a phone


@pytest.mark.parametrize(("image", "message"), [
    ("{url: 'https://e.org/a.jpg', width: 10, height: 10}",
     "posts[0].image.alt: missing; describe the picture"),
    ("{url: /a.jpg, alt: A, width: 10, height: 10}",
     "posts[0].image.url: '/a.jpg' is not an absolute http(s) URL"),
    ("{url: 'https://e.org/a.jpg', alt: A, width: wide, height: 10}",
     "posts[0].image.width: must be a whole number of pixels"),
    ("{url: 'https://e.org/a.jpg', alt: A, width: 10}",
     "posts[0].image.height: missing; give the picture's height in pixels"),
    ("https://e.org/a.jpg", "posts[0].image: must be a mapping"),
])
def test_image_problems_are_located(image: str, message: str) -> None:
    text = ("site: {title: T, url: 'https://e.org/'}\nposts:\n"
            f"  - {{title: A, date: 2020-01-01, author: Ann, body: x, image: {image}}}\n")
    with pytest.raises(RegistryError) as caught:
        loads(text.encode())
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_draft_must_be_true_or_false() -> None:
    text = ("site: {title: T, url: 'https://e.org/'}\nposts:\n"
            "  - {title: A, date: 2020-01-01, author: Ann, body: x, draft: maybe}\n")
    with pytest.raises(RegistryError, match=r"posts\[0\].draft: must be true or false"):
        loads(text.encode())


def test_fixed_words_follow_the_reader_and_post_text_keeps_the_site_language() -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = load(example)
    english = lxml.html.fromstring(render_digest(registry, WEEK, language="en").html)
    assert english.get("lang") == "en"
    assert "Read the whole post" in english.text_content()
    posts = english.xpath('//div[@class="post"]')
    assert len(posts) == 4 and all(p.get("lang") == "sv" for p in posts)
    swedish = lxml.html.fromstring(render_digest(registry, WEEK).html)
    assert swedish.get("lang") == "sv"
    assert not swedish.xpath('//*[@lang and not(self::html)]')  # nothing to mark


def test_web_copies_of_complete_weeks_with_links_and_nothing_personal(tmp_path: Path) -> None:
    registry = write_sample(tmp_path)
    out = tmp_path / "out"
    result = build(registry, out, now=NOW)
    copies = sorted(p for p in result.paths if p.startswith("digests/"))
    assert copies == ["digests/2019-W17/index.html", "digests/2020-W06/index.html",
                      "digests/index.html"]
    index = lxml.html.fromstring((out / "digests" / "index.html").read_bytes())
    assert [a.get("href") for a in index.xpath("//li/a")] == ["2020-W06/", "2019-W17/"]
    assert "3–9 februari 2020" in index.text_content()
    week = (out / "digests" / "2020-W06" / "index.html").read_text("utf-8")
    assert "token=" not in week and "@example.invalid" not in week
    assert 'href="https://www.allmannyttan.se/innovationslabb/dagbok/unsubscribe"' in week
    assert "<style>" in week  # a page for browsers: the stylesheet stays in <head>
    # A digest of exactly that week links to its web copy; the preview (not a week) doesn't.
    sent = render_digest(load(registry), WEEK)
    link = "https://www.allmannyttan.se/innovationslabb/dagbok/digests/2020-W06/"
    assert f'href="{link}"' in sent.html and link in sent.text
    assert "digests/2020-W06" not in (out / "digest.html").read_text("utf-8")
    assert "Tidigare nyhetsbrev" in sent.html  # the archive of past newsletters


def test_an_incomplete_week_gets_no_web_copy_yet(tmp_path: Path) -> None:
    registry = write_sample(tmp_path)
    result = build(registry, tmp_path / "out", now=datetime(2020, 2, 8, tzinfo=UTC))
    assert "digests/2020-W06/index.html" not in result.paths
    assert "digests/2019-W17/index.html" in result.paths


def test_web_digests_takes_only_a_period(tmp_path: Path) -> None:
    registry = write_sample(tmp_path, web_digests="fortnight")
    with pytest.raises(RegistryError, match="web_digests: 'fortnight' is not one of: day, "
                                            "week, month"):
        load(registry)
