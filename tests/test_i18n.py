"""Translations: every fixed word has a Swedish translation; dates come from CLDR."""

from __future__ import annotations

from datetime import date

from conftest import ROOT

from feedkit.text.i18n import LOCALE_DIR, available_languages, long_date, resolve_language


def _extracted() -> set[str]:
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_translatable_word_has_a_swedish_translation():
    from babel.messages.pofile import read_po

    extracted = _extracted()
    assert {"Read the whole post", "Unsubscribe", "Tags", "Authors",
            "%(site)s: %(num)d new post, %(period)s"} <= extracted
    with (LOCALE_DIR / "sv" / "LC_MESSAGES" / "feedkit.po").open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    for msgid in extracted:
        message = catalog.get(msgid)
        assert message is not None, f"no Swedish translation for {msgid!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, msgid
    assert not list(catalog.check())  # placeholders match between msgid and msgstr


def test_languages_resolve_to_a_catalog_or_english():
    assert available_languages() == ("en", "sv")
    assert resolve_language("sv") == "sv"
    assert resolve_language("sv-SE") == "sv"
    assert resolve_language("SV_fi") == "sv"
    assert resolve_language("en-GB") == "en"
    assert resolve_language("de") == "en"
    assert resolve_language(None) == "en"


def test_long_dates_come_from_cldr():
    assert long_date(date(2020, 2, 6), "sv") == "6 februari 2020"
    assert long_date(date(2020, 2, 6), "en") == "6 February 2020"
    assert long_date(date(2019, 5, 1), "sv") == "1 maj 2019"


def test_text_in_another_language_than_the_page_carries_its_tag():
    from feedkit.text.i18n import lang_attribute

    assert lang_attribute("sv-SE", "sv") == "" and lang_attribute("en_GB", "en") == ""
    assert lang_attribute("sv", "en") == ' lang="sv"'
    assert lang_attribute("de", resolve_language("de")) == ' lang="de"'  # no catalogue
