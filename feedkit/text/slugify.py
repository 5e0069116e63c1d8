"""Slugs: ASCII letters, digits and hyphens that are safe in URLs and file names.

Every script is transliterated with anyascii (å/ä/ö -> a/a/o, Привет -> privet,
Καλημέρα -> kalimera, 北京 -> bei-jing); symbols, emoji and control characters are
dropped, as they always were, so the slugs of Latin names did not move.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLIT = str.maketrans({
    "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "œ": "oe", "Œ": "oe", "ı": "i",
})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


_MARKS = re.compile("[\u0300-\u036f]+")


def _ascii(text: str) -> str:
    # Latin letters with accents (å, é) decompose to ASCII and marks: no lookup needed.
    latin = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_TRANSLIT)))
    if latin.isascii():
        return latin
    from anyascii import anyascii

    out = []
    for char in unicodedata.normalize("NFC", text.translate(_TRANSLIT)):
        if char.isascii():
            out.append(char)
        elif unicodedata.category(char)[0] in "LMN":
            latin = anyascii(char)
            # A syllable of a script written without spaces (北 -> "Bei") is a word.
            out.append(f" {latin} " if len(latin) > 1 and latin.istitle() else latin)
    return "".join(out)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL- and file-safe slug: ASCII letters, digits and hyphens (å/ä/ö -> a/a/o)."""
    slug = _NOT_SLUG.sub("-", _ascii(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[
            :max_length]
    return slug
