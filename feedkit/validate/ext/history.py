"""Feed paging and archiving (RFC 5005): fh:complete and fh:archive are empty markers;
a complete feed has no paging or archive links, and its rel="current" is itself; an
archive names its current feed; the history relations belong to the feed, not to an
entry. Links are atom:link (in Atom, and in RSS beside the channel's elements)."""

from __future__ import annotations

from typing import Any

from .base import Checker, text, undefined
from .thread import link_attributes

FH = "http://purl.org/syndication/history/1.0"
NAMESPACES = (FH,)
PAGING = ("first", "last", "previous", "next", "prev-archive", "next-archive")
HISTORY = (*PAGING, "current")


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    if local not in ("complete", "archive"):
        undefined(checker, elem, "feed history (RFC 5005)")
    elif text(elem) or len(elem):
        checker.add("ext-not-empty", elem, f"<fh:{local}> is a marker and must be empty: "
                    f"<fh:{local}/>")
    elif level != "feed":
        checker.add("ext-misplaced", elem, f"<fh:{local}/> belongs to the feed (channel), "
                    "not to an entry (item)")


def links(checker: Checker, found: list[Any], parent: Any, level: str) -> None:
    """The atom:link children `found` of `parent`: threading's attributes, and the
    history relations where RFC 5005 puts them."""
    for link in found:
        link_attributes(checker, link)
    rels = {link.get("rel", "alternate"): link for link in found}
    if level != "feed":
        for rel in HISTORY:
            if rel in rels:
                checker.add("history-rel-in-entry", rels[rel], f"rel=\"{rel}\" is a feed "
                            "history relation (RFC 5005); it belongs to the feed, not to an "
                            "entry", token="rel=")
        return
    if parent.find(f"{{{FH}}}complete") is not None:
        for rel in PAGING:
            if rel in rels:
                checker.add("history-rel-in-complete-feed", rels[rel], f"rel=\"{rel}\" in a "
                            "complete feed (fh:complete): a complete feed is never paged or "
                            "archived; remove the link or fh:complete", token="rel=")
        current, own = rels.get("current"), rels.get("self")
        if current is not None and (own is None or current.get("href") != own.get("href")):
            checker.add("history-current-not-self", current, "in a complete feed, "
                        "rel=\"current\" must point at the feed itself (its rel=\"self\")",
                        token="rel=")
    if parent.find(f"{{{FH}}}archive") is not None and "current" not in rels:
        checker.add("history-missing-current", parent, "an archive document (fh:archive) "
                    "should link to the feed it belongs to with rel=\"current\"")
