"""The excerpt rule: plain text cut hard at a length, the way the site's listing does."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_LONGEST_UNIT = 64
# Characters that are each a grapheme of their own, next to any other of them, and
# start no entity: printable ASCII but "&", and Latin-1's letters and signs (text
# here is NFC, so å, ä, ö are one character each). A stretch of only these is cut
# exactly where the length says, with no grapheme to look at.
_ONE_EACH = re.compile("[\x20-\x25\x27-\x7e\xa0-\xff]*")


@lru_cache(maxsize=1)
def _patterns() -> tuple[Any, Any]:
    """One unit the cut never splits (an HTML entity, or one user-perceived character:
    a base letter with its combining marks, an emoji sequence, CR LF), and one
    grapheme. `regex` (for \\X) is imported when a text is first cut."""
    import regex

    return (regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
                          r"|\X"), regex.compile(r"\X"))


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed (no-break spaces are kept)."""
    for control in "\t\n\r\f\v":  # str.replace is a fast scan; a regex is not, here
        if control in text:
            text = text.replace(control, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def truncate(text: str, length: int, suffix: str) -> str:
    """Cut `text` so that it, with `suffix` appended, is at most `length` characters.

    The cut is hard (it may fall inside a word, as the listing's "samtal, wor..."),
    never inside an entity or a grapheme; trailing whitespace before the suffix is
    removed. A text that fits is returned whole, without the suffix.
    """
    if len(text) <= length:
        return text
    room = length - len(suffix)
    # Scan units from the last space at or before `room` (a space always starts
    # a unit), so only a few are looked at; the margin past `room` lets the last
    # one (an entity or a long grapheme) be seen whole, not cut by the search end.
    end = max(text.rfind(" ", 0, room + 1), 0)
    if _ONE_EACH.fullmatch(text, end, room + 1):  # every unit up to the cut is one char
        return text[:room].rstrip() + suffix
    unit, grapheme_of = _patterns()
    for match in unit.finditer(text, end, min(len(text), room + _LONGEST_UNIT)):
        stop = match.end()
        if match.group().startswith("&") and stop - match.start() > 1:
            # A mark or emoji modifier after an entity joins its ';' in one grapheme.
            grapheme = grapheme_of.match(text, stop - 1)
            stop = max(stop, grapheme.end() if grapheme else stop)
        if stop > room:
            break
        end = stop
    return text[:end].rstrip() + suffix
