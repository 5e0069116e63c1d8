"""The value checks behind the W3C rule families: script in HTML, RFC 822 dates read
strictly and loosely, RSS contacts, language codes and IRIs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.validate import validate_file
from feedkit.validate.common import (
    iri_problem,
    is_contact,
    is_language_code,
    rfc822,
    rfc822_loose,
)
from feedkit.validate.htmlrisk import executable_html

NOW = datetime(2024, 1, 1, tzinfo=UTC)
FEEDS = Path(__file__).resolve().parent / "feeds"


@pytest.mark.parametrize(("html", "found"), [
    ("<script>alert(1)</script>", "<script>"),
    ("<SCRIPT src=x></SCRIPT>", "<SCRIPT>"),
    ('<img src="x.png" onerror="alert(1)">', "onerror="),
    ("<body ONLOAD=go()>", "ONLOAD="),
    ('<a href="javascript:alert(1)">x</a>', 'href="javascript:..."'),
    ('<a href=" JavaScript:alert(1)">x</a>', 'href="javascript:..."'),
    ('<a href="&#106;avascript:alert(1)">x</a>', 'href="javascript:..."'),
    ('<a href="java&#9;script:alert(1)">x</a>', 'href="javascript:..."'),
    ("<iframe src='vbscript:msgbox'></iframe>", "src=\"vbscript:...\""),
])
def test_markup_a_reader_would_run_is_found(html: str, found: str) -> None:
    assert executable_html(html) == found


@pytest.mark.parametrize("html", [
    "<p>Plain <b>bold</b> and <a href='https://example.org/'>a link</a>.</p>",
    "Learn javascript: the good parts",
    '<img src="a.png" alt="onerror=alert(1) is an attack">',
    '<a href="/docs/javascript:intro">relative</a>',
    "<p>one < two and onion=3</p>",
])
def test_ordinary_html_is_not(html: str) -> None:
    assert executable_html(html) is None


def test_script_in_rss_description_is_a_warning_and_other_html_is_nothing() -> None:
    unsafe = validate_file(FEEDS / "rss" / "rss-unsafe-html.xml", now=NOW)
    assert [(m.rule, m.severity) for m in unsafe.messages] == [("rss-unsafe-html", "warning")]
    assert (unsafe.verdict(), unsafe.verdict(strict=True)) == ("valid", "invalid")
    html = validate_file(FEEDS / "rss" / "valid-html-description.xml", now=NOW)
    assert html.messages == []


@pytest.mark.parametrize("text", [
    "Thu, 06 Feb 2020 09:30:00 +0100", "06 Feb 2020 09:30 GMT", "Thu, 6 Feb 20 09:30:00 EST",
])
def test_rfc822_dates(text: str) -> None:
    assert rfc822(text) is not None


@pytest.mark.parametrize("text", [
    "Thu,  06 Feb 2020 09:30:00 +0100", "thu, 06 feb 2020 08:30:00 GMT",
    "Thursday, 06 February 2020 09:30:00 +0100", "Thu 06 Feb 2020 08:30:00 GMT",
    "Thu, 06 Feb 2020 9:30:00 +01:00", "Thu, 06 Feb 2020 08:30:00 UTC",
])
def test_problematic_dates_are_read_loosely_only(text: str) -> None:
    assert rfc822(text) is None
    assert rfc822_loose(text) == datetime(2020, 2, 6, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "Mon, 06 Feb 2020 09:30:00 +0100",  # 6 February 2020 was a Thursday
    "2020-02-06T09:30:00+01:00", "Thu, 06 Feb 2020", "yesterday", "Thu, 32 Feb 2020 09:30 GMT",
])
def test_dates_that_are_wrong_either_way(text: str) -> None:
    assert rfc822(text) is None and rfc822_loose(text) is None


@pytest.mark.parametrize(("text", "ok"), [
    ("lena@example.org", True), ("lena@example.org (Lena Liljendahl)", True),
    ("lena@example.org(Lena)", True), ("Lena Liljendahl <lena@example.org>", True),
    ("lena+rss@mail.example.org   (Lena)", True),
    ("Lena", False), ("lena at example.org", False), ("lena@localhost", False),
    ("(Lena) lena@example.org", False), ("", False),
])
def test_rss_contacts(text: str, ok: bool) -> None:
    assert is_contact(text) is ok


@pytest.mark.parametrize(("code", "ok"), [
    ("en", True), ("en-us", True), ("sv-SE", True), ("x-pig-latin", True), ("haw", True),
    ("english", False), ("en_US", False), ("zz", False), ("", False), ("en-", False),
])
def test_language_codes(code: str, ok: bool) -> None:
    assert is_language_code(code) is ok


@pytest.mark.parametrize(("iri", "ok"), [
    ("https://example.org/smörgås?q=%C3%A4#x", True), ("tag:example.org,2020:a/b", True),
    ("https://example.org/{x}", False), ("https://example.org/a|b", False),
    ("https://example.org/100%", False), ("https://example.org/\x7f", False),
])
def test_iri_characters(iri: str, ok: bool) -> None:
    assert (iri_problem(iri) is None) is ok
