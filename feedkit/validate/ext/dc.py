"""Dublin Core (purl.org/dc/elements/1.1/ and dc/terms/): the fifteen elements only,
W3C-DTF dates, language codes."""

from __future__ import annotations

from typing import Any

from ..common import is_language_code
from .base import Checker, text, undefined, w3cdtf

ELEMENTS = "http://purl.org/dc/elements/1.1/"
TERMS = "http://purl.org/dc/terms/"
NAMESPACES = (ELEMENTS, TERMS)
DEFINED = frozenset("""title creator subject description publisher contributor date type
format identifier source language relation coverage rights""".split())
TERM_DATES = frozenset("""date created modified issued available valid dateAccepted
dateCopyrighted dateSubmitted""".split())


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    if elem.tag.startswith(f"{{{ELEMENTS}}}") and local not in DEFINED:
        undefined(checker, elem, "Dublin Core")
    elif local == "date" or (elem.tag.startswith(f"{{{TERMS}}}") and local in TERM_DATES):
        w3cdtf(checker, elem)
    elif local == "language" and not is_language_code(text(elem)):
        checker.add("ext-bad-language", elem, f"<dc:language> '{text(elem)}' is not a "
                    "language code such as sv or en-GB")
