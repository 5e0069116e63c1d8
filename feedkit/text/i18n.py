"""Translations of the digest's fixed words and dates written per the site language.

Catalogs are gettext .po files under feedkit/locale/<lang>/LC_MESSAGES/feedkit.po,
read with Babel at run time (no compiled .mo files are kept in the repository).
English is the source language; a language without a catalog falls back to it.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel.support import NullTranslations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "feedkit"
SOURCE_LANGUAGE = "en"
# A BCP 47 tag as feedkit accepts one: a 2-3 letter language, then subtags.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def is_language_tag(text: str) -> bool:
    """Whether `text` reads as a BCP 47 language tag such as sv, en or en-GB."""
    return bool(_LANGUAGE_TAG.match(text))


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Languages the digest can be written in: English and every shipped catalog
    (looked up once: the catalogs ship with the package)."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


def resolve_language(language: str | None) -> str:
    """The supported language for a BCP 47 tag ("sv-SE" -> "sv"); English otherwise."""
    if not language:
        return SOURCE_LANGUAGE
    tag = language.replace("_", "-").lower()
    available = available_languages()
    if tag in available:
        return tag
    primary = tag.split("-", 1)[0]
    return primary if primary in available else SOURCE_LANGUAGE


def lang_attribute(text_language: str, page_language: str) -> Any:
    """` lang="de"` (Markup) for text in `text_language` on a page whose words are in
    `page_language` (a resolved language), when the two are different languages; "".
    A site language without a catalog gets English words, and its own text keeps its
    tag: a German site's titles on an English page are marked lang="de"."""
    from markupsafe import Markup, escape

    primary = text_language.replace("_", "-").split("-", 1)[0].lower()
    if primary == page_language.split("-", 1)[0]:
        return ""
    return Markup(' lang="{}"').format(escape(text_language))


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """A babel.support.Translations for a resolved language (null for English)."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _babel_locale(language: str) -> str:
    # Bare "en" writes dates day-month-year ("6 February 2020"): CLDR's
    # international English, en_001, rather than the US default.
    return "en_001" if language == "en" else language.replace("-", "_")


@lru_cache(maxsize=4096)
def long_date(day: date, language: str) -> str:
    """A date written out in full: "6 februari 2020" (sv), "6 February 2020" (en)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=_babel_locale(language))


def date_range(start: date, end: date, language: str) -> str:
    """Two dates with what they share written once: "3–9 februari 2020",
    "27 januari–2 februari 2020", "30 December 2019 – 5 January 2020"."""
    from babel.dates import format_date

    last = long_date(end, language)
    if start == end:
        return last
    day_first = last.startswith(f"{end.day} ")
    if not day_first or start.year != end.year:
        return f"{long_date(start, language)} – {last}"
    if start.month == end.month:
        return f"{start.day}–{last}"
    first = format_date(start, format="d MMMM", locale=_babel_locale(language))
    return f"{first} – {last}"
