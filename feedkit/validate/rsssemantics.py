"""RSS core elements and namespaced elements that say the same thing (W3C's
DuplicateSemantics and DuplicateItemSemantics): readers have no agreed rule for which
one wins, so a channel or item should carry only one of each pair."""

from __future__ import annotations

from typing import Any

DC = "{http://purl.org/dc/elements/1.1/}"
ADMIN = "{http://webns.net/mvcb/}"

# core element -> the namespaced element with the same meaning, with its usual prefix
CHANNEL_PAIRS = {
    "language": (DC + "language", "dc:language"),
    "copyright": (DC + "rights", "dc:rights"),
    "pubDate": (DC + "date", "dc:date"),
    "managingEditor": (DC + "creator", "dc:creator"),
    "webMaster": (DC + "publisher", "dc:publisher"),
    "category": (DC + "subject", "dc:subject"),
    "generator": (ADMIN + "generatorAgent", "admin:generatorAgent"),
}
ITEM_PAIRS = {
    "author": (DC + "creator", "dc:creator"),
    "category": (DC + "subject", "dc:subject"),
    "source": (DC + "source", "dc:source"),
    "pubDate": (DC + "date", "dc:date"),
}


def same_meaning(parent: Any, kids: dict[str, list[Any]], foreign: list[Any]
                 ) -> list[tuple[Any, str, str]]:
    """(the later element of each pair, the core name, the namespaced name) for each
    pair of `parent`'s children that mean the same thing."""
    pairs = ITEM_PAIRS if parent.tag == "item" else CHANNEL_PAIRS
    if not foreign:
        return []
    found = []
    for core, (tag, shown) in pairs.items():
        if core in kids:
            other = next((e for e in foreign if e.tag == tag), None)
            if other is not None:
                later = max(kids[core][0], other, key=lambda e: e.sourceline or 0)
                found.append((later, core, shown))
    return found
