"""The digest: windows, grouping, the HTML and text parts and the message."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime

import lxml.html
import pytest

from feedkit.load.registry import load, loads
from feedkit.mail.message import HeaderInjectionError, build_message, stable_message_id
from feedkit.periods import Window, posts_in_window, window_for_period
from feedkit.writers.digest import UNSUBSCRIBE_PLACEHOLDER, render_digest, window_label

SITE = """\
site:
  title: Testdagbok
  url: https://example.org/blog/
  language: {language}
  timezone: Europe/Stockholm
  email: news@example.org
posts:
"""


def registry(posts: list[tuple[str, str]], language: str = "sv", body: str = "Text."):
    """A registry of (title, date) posts by Ann, each with `body` (a YAML scalar)."""
    lines = [SITE.format(language=language)]
    for title, when in posts:
        lines.append(f"  - title: {title!r}\n    date: {when!r}\n    author: Ann\n"
                     f"    body: {body}\n")
    return loads("".join(lines).encode("utf-8"))


def titles(reg, window):
    return [p.title for p in posts_in_window(reg, window)]


# --- windows ------------------------------------------------------------------

@pytest.mark.parametrize(("period", "until", "start", "end"), [
    ("day", date(2020, 2, 29), date(2020, 2, 29), date(2020, 2, 29)),
    ("week", date(2020, 2, 9), date(2020, 2, 3), date(2020, 2, 9)),
    ("week", date(2020, 2, 3), date(2020, 2, 3), date(2020, 2, 9)),
    ("week", date(2021, 1, 1), date(2020, 12, 28), date(2021, 1, 3)),
    ("week", date(2020, 3, 29), date(2020, 3, 23), date(2020, 3, 29)),
    ("month", date(2020, 2, 14), date(2020, 2, 1), date(2020, 2, 29)),
    ("month", date(2021, 2, 1), date(2021, 2, 1), date(2021, 2, 28)),
    ("month", date(2019, 12, 31), date(2019, 12, 1), date(2019, 12, 31)),
])
def test_window_for_period(period, until, start, end):
    assert window_for_period(period, until) == Window(start, end)


def test_unknown_period_and_backwards_window_are_refused():
    with pytest.raises(ValueError, match="fortnight"):
        window_for_period("fortnight", date(2020, 1, 1))
    with pytest.raises(ValueError, match="before it starts"):
        Window(date(2020, 1, 2), date(2020, 1, 1))


def test_week_with_daylight_saving_change_keeps_local_days():
    # Clocks go forward on Sunday 29 March 2020 in Stockholm.
    reg = registry([
        ("next monday", "2020-03-30T00:30"),
        ("sunday late", "2020-03-29T23:30"),
        ("monday early", "2020-03-23T00:00"),
        ("sunday before", "2020-03-22T23:59"),
    ])
    week = window_for_period("week", date(2020, 3, 29))
    assert titles(reg, week) == ["sunday late", "monday early"]


def test_week_with_clocks_going_back():
    reg = registry([("after", "2020-10-26T00:10"), ("last hour", "2020-10-25T23:30"),
                    ("doubled hour", "2020-10-25T02:30")])
    assert titles(reg, window_for_period("week", date(2020, 10, 25))) == [
        "last hour", "doubled hour"]


def test_post_at_2330_local_on_the_last_day_and_utc_offsets():
    reg = registry([
        ("utc but next local day", "2020-02-09T23:30:00Z"),
        ("local 23:30", "2020-02-09T23:30"),
        ("utc still sunday locally", "2020-02-09T22:30:00Z"),
    ])
    assert titles(reg, window_for_period("week", date(2020, 2, 9))) == [
        "local 23:30", "utc still sunday locally"]


def test_year_end_and_leap_day():
    reg = registry([("new year", "2021-01-01T00:00"), ("eve", "2020-12-31T23:30"),
                    ("leap", "2020-02-29T12:00"), ("march", "2020-03-01T00:00")])
    assert titles(reg, window_for_period("week", date(2020, 12, 31))) == ["new year", "eve"]
    assert titles(reg, window_for_period("month", date(2020, 12, 1))) == ["eve"]
    assert titles(reg, window_for_period("day", date(2020, 2, 29))) == ["leap"]
    assert titles(reg, window_for_period("month", date(2020, 2, 1))) == ["leap"]


def test_window_label_per_language():
    week = Window(date(2020, 2, 3), date(2020, 2, 9))
    assert window_label(week, "sv") == "3–9 februari 2020"
    assert window_label(week, "en") == "3–9 February 2020"
    months = Window(date(2020, 1, 27), date(2020, 2, 2))
    assert window_label(months, "sv") == "27 januari – 2 februari 2020"
    years = Window(date(2019, 12, 30), date(2020, 1, 5))
    assert window_label(years, "en") == "30 December 2019 – 5 January 2020"
    assert window_label(Window(date(2020, 2, 6), date(2020, 2, 6)), "sv-SE") == "6 februari 2020"


# --- the example registry ------------------------------------------------------

@pytest.fixture(scope="module")
def week():
    from conftest import ROOT

    reg = load(ROOT / "posts.yaml")
    return reg, render_digest(reg, window_for_period("week", date(2020, 2, 9)))


def test_example_week_holds_four_posts_under_two_headings(week):
    _, rendered = week
    doc = lxml.html.fromstring(rendered.html)
    headings = [p.text_content() for p in doc.xpath('//h2[@class="date"]')]
    assert headings == ["6 februari 2020", "3 februari 2020"]
    order = [a.text_content() for a in doc.xpath('//h3[@class="post-title"]/a')]
    assert order == [
        "Tack till alla vardagshjältar för allt ni lärt mig",
        "Många små steg ger stor nytta tillsammans",
        "Det verkligt innovativa finns i kunskapandet",
        "Fler kan göra mer!",
    ]
    # Each post sits after its own date heading: three under the 6th, one under the 3rd.
    text = doc.xpath('//td[@class="content"]')[0].text_content()
    assert text.index("6 februari 2020") < text.index("Tack till") < text.index(
        "3 februari 2020") < text.index("Fler kan göra mer!")
    assert rendered.subject == ("Allmännyttans innovationslabb – dagbok: 4 nya inlägg, "
                                "3–9 februari 2020")
    assert rendered.language == "sv" and doc.get("lang") == "sv"


def test_html_is_email_safe(week):
    _, rendered = week
    doc = lxml.html.fromstring(rendered.html)
    styles = doc.xpath("//style")
    assert len(styles) == 1 and styles[0].getparent().tag == "head"
    css = styles[0].text
    # Only @media blocks remain, with !important kept; everything else is inlined.
    outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    assert outside.strip() == ""
    assert "max-width: 620px" in css and "prefers-color-scheme: dark" in css
    assert "!important" in css
    assert not doc.xpath("//script|//link|//*[@onclick]|//*[@onload]")
    for href in doc.xpath("//@href|//@src"):
        assert href.startswith(("https://", "http://", "mailto:")), href
    assert all(img.get("alt") for img in doc.xpath("//img"))
    container = doc.xpath('//table[@class="container"]')[0]
    # 600 for Outlook's fixed layout; fluid up to 600 px everywhere else.
    assert container.get("width") == "600"
    assert "width:100%; max-width:600px" in container.get("style")
    preheader = doc.xpath('//div[@class="preheader"]')[0]
    assert "display:none" in preheader.get("style")
    assert preheader.text_content().startswith("Tack till alla vardagshjältar")
    assert doc.xpath('//p[@class="excerpt"]')[0].get("style")  # inlined


def test_footer_has_publisher_reason_and_unsubscribe(week):
    _, rendered = week
    doc = lxml.html.fromstring(rendered.html)
    footer = doc.xpath('//td[@class="footer"]')[0].text_content()
    for part in ("Sveriges Allmännytta", "Box 474, 101 29 Stockholm", "08-406 55 00",
                 "info@sverigesallmannytta.se", "https://www.sverigesallmannytta.se/",
                 "Du får det här mejlet eftersom du prenumererar", "tidigare SABO",
                 "Avsluta prenumerationen"):
        assert part in footer
    assert doc.xpath(f'//a[@href="{UNSUBSCRIBE_PLACEHOLDER}"]')


def test_text_part(week):
    _, rendered = week
    lines = rendered.text.split("\n")
    # Lines are at most 78 characters, except a URL, which is never cut.
    assert max(len(line) for line in lines if "://" not in line) <= 78
    assert all(line.startswith("https://") for line in lines if len(line) > 78)
    assert lines.index("6 februari 2020") < lines.index("3 februari 2020")
    at = lines.index("https://www.allmannyttan.se/innovationslabb/dagbok/fler-kan-gora-mer/")
    assert lines[at - 1] == "Läs hela inlägget:"
    assert "Tomas Lindquist · ansvarig för stadsdelsutveckling, Hyresbostäder i Norrköping" \
        in lines  # the byline on one line
    assert not re.search(r"[*#_`]|^\s*[-=]{3,}|\]\(", rendered.text, re.M)
    assert "<" not in rendered.text and "&amp;" not in rendered.text


def test_english_and_unknown_languages():
    reg = registry([("Hej", "2020-02-06T10:00")], language="de")
    rendered = render_digest(reg, Window(date(2020, 2, 6), date(2020, 2, 6)))
    assert rendered.language == "en"
    assert "6 February 2020" in rendered.html and "Read the whole post:" in rendered.text
    assert rendered.subject == "Testdagbok: 1 new post, 6 February 2020"
    assert '<div class="post" lang="de"' in rendered.html  # the post is still German
    sv = render_digest(reg, Window(date(2020, 2, 6), date(2020, 2, 6)), language="sv")
    assert sv.subject == "Testdagbok: 1 nytt inlägg, 6 februari 2020"


# --- escaping and headers --------------------------------------------------------

HOSTILE = "<b>Tom & Jerry</b>"


def test_hostile_titles_and_authors_are_text():
    reg = loads(f"""{SITE.format(language='en')}
  - title: "{HOSTILE}"
    date: 2020-02-06
    author: {{name: "<script>alert(1)</script>", role: "x\\" onclick=\\"y"}}
    summary: "<img src=x onerror=alert(1)>"
""".encode())
    rendered = render_digest(reg, Window(date(2020, 2, 6), date(2020, 2, 6)))
    doc = lxml.html.fromstring(rendered.html)
    assert not doc.xpath("//b|//script|//img|//*[@onclick]|//*[@onerror]")
    assert doc.xpath('//h3[@class="post-title"]/a')[0].text_content() == HOSTILE
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in rendered.html
    assert HOSTILE in rendered.text and "<script>alert(1)</script>" in rendered.text


BAD_TITLE = 'title: "Test\\r\\nBcc: x@y.z"'


def test_line_breaks_never_reach_headers():
    from dataclasses import replace

    from feedkit.errors import RegistryError

    posts = "\n  - title: post\n    date: 2020-02-06\n    author: Ann\n    body: Text.\n"
    site = SITE.format(language="en")
    with pytest.raises(RegistryError, match=r"site\.title: holds a line break"):
        loads((site.replace("title: Testdagbok", BAD_TITLE) + posts).encode())
    # The loader refuses it; a library caller building a Site itself is still safe.
    reg = loads((site + posts).encode())
    reg = replace(reg, site=replace(reg.site, title="Test\r\nBcc: x@y.z"))
    rendered = render_digest(reg, Window(date(2020, 2, 6), date(2020, 2, 6)))
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    message = _message(rendered)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None
    for field in ("to", "sender", "list_id", "message_id", "unsubscribe_url"):
        with pytest.raises(HeaderInjectionError, match="line break"):
            _message(rendered, **{field: "a@b.c\r\nBcc: evil@example.org"})


def _message(rendered, **overrides):
    args = dict(
        to="ann@example.org", sender="Test <news@example.org>",
        message_id="<m1@example.org>", date=datetime(2020, 2, 6, 9, 0, tzinfo=UTC),
        unsubscribe_url="https://example.org/unsubscribe?email=ann%40example.org",
        list_id="Test <digest.example.org>", unsubscribe_mailto="news@example.org",
    )
    args.update(overrides)
    return build_message(rendered, **args)


def test_message_structure_and_headers(week):
    _, rendered = week
    raw = _message(rendered, sender="Allmännyttans innovationslabb <info@example.org>",
                   to="Åsa Öberg <asa@example.org>").as_bytes()
    assert b"\r\n" in raw and max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert raw.isascii()  # RFC 2047 and quoted-printable, nothing raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == rendered.subject
    assert re.search(rb"^Subject: .*=\?utf-8\?q\?", raw, re.M)
    assert msg["From"].addresses[0].display_name == "Allmännyttans innovationslabb"
    assert msg["To"].addresses[0].display_name == "Åsa Öberg"
    assert msg["Date"].datetime == datetime(2020, 2, 6, 9, 0, tzinfo=UTC)
    assert msg["Message-ID"] == "<m1@example.org>"
    assert msg["MIME-Version"] == "1.0"
    assert msg["List-Id"] == "Test <digest.example.org>"
    assert msg["List-Unsubscribe"] == (
        "<https://example.org/unsubscribe?email=ann%40example.org>, "
        "<mailto:news@example.org>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain.get_param("format") == "flowed" and plain.get_param("delsp") == "yes"
    assert "Tack till alla vardagshjältar för allt ni lärt mig" in plain.get_content()
    assert "Många små steg" in html.get_content()
    assert "https://example.org/unsubscribe?email=ann%40example.org" in html.get_content()
    assert UNSUBSCRIBE_PLACEHOLDER not in html.get_content() + plain.get_content()


def test_personalised_text_keeps_a_long_unsubscribe_url_whole(week):
    from feedkit.text.flowed import unwrap
    from feedkit.writers.digest import personalize

    _, rendered = week
    url = "https://example.org/unsubscribe?token=" + "x" * 90
    html, text = personalize(rendered, url)
    assert url in text.split("\n")  # whole, on a line of its own
    assert max(len(line) for line in text.split("\n") if "://" not in line) <= 78
    assert f"Avsluta prenumerationen:\n{url}" in unwrap(text)
    assert f'href="{url}"' in html
    html, _ = personalize(rendered, "https://example.org/u?a=1&b=2")
    assert 'href="https://example.org/u?a=1&amp;b=2"' in html


def test_message_id_is_stable_per_window_and_recipient(week):
    reg, _ = week
    site = reg.site
    one = Window(date(2020, 2, 3), date(2020, 2, 9))
    first = stable_message_id(site, one, "ann@example.org")
    assert first == stable_message_id(site, one, "ann@example.org")
    assert first != stable_message_id(site, one, "bo@example.org")
    assert first != stable_message_id(site, Window(date(2020, 2, 3), date(2020, 2, 8)),
                                      "ann@example.org")
    assert re.fullmatch(r"<[\w.-]+@www\.allmannyttan\.se>", first)


def test_thirty_post_digest_stays_well_under_gmail_clipping():
    posts = [(f"Inlägg nummer {i} med en ganska lång rubrik", f"2020-02-{1 + i % 28:02d}T"
              f"{i % 24:02d}:00") for i in range(30)]
    reg = registry(posts, body="'" + "Lång brödtext med många ord. " * 40 + "'")
    rendered = render_digest(reg, Window(date(2020, 2, 1), date(2020, 2, 29)))
    assert len(rendered.posts) == 30
    assert len(rendered.html.encode("utf-8")) < 80_000


def test_a_long_message_id_stays_on_its_header_line(week):
    reg, rendered = week
    message_id = stable_message_id(reg.site, Window(date(2020, 2, 3), date(2020, 2, 9)),
                                   "ann@example.org")
    raw = _message(rendered, message_id=message_id).as_bytes()
    assert f"\r\nMessage-ID: {message_id}\r\n".encode() in raw
    assert len(f"Message-ID: {message_id}") > 78  # long enough that Python would fold it
    assert email.message_from_bytes(raw)["Message-ID"] == message_id  # compat32 too
