"""Atom threading (RFC 4685): thr:in-reply-to needs ref (an IRI), href and source are
IRIs, thr:total and a replies link's thr:count are whole numbers, thr:updated is an
RFC 3339 date."""

from __future__ import annotations

from typing import Any

from ..values import scheme
from .base import Checker, integer, rfc3339_date, text, undefined, url

THR = "http://purl.org/syndication/thread/1.0"
NAMESPACES = (THR,)


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    if local == "in-reply-to":
        ref = elem.get("ref")
        if ref is None:
            checker.add("ext-missing-attribute", elem, "<thr:in-reply-to> has no ref "
                        "attribute: the id of the entry it answers")
        elif scheme(ref.strip()) is None:
            checker.add("ext-bad-url", elem, f"<thr:in-reply-to ref=\"{ref}\"> must be an "
                        "absolute IRI (the answered entry's id)", token="ref=")
        for name in ("href", "source"):
            if elem.get(name) is not None:
                url(checker, elem, elem.get(name), f"<thr:in-reply-to {name}>",
                    token=f"{name}=")
    elif local == "total":
        integer(checker, elem, text(elem), "<thr:total>")
    else:
        undefined(checker, elem, "threading (RFC 4685)")


def link_attributes(checker: Checker, link: Any) -> None:
    """thr:count and thr:updated on a link (rel="replies")."""
    count = link.get(f"{{{THR}}}count")
    if count is not None:
        integer(checker, link, count.strip(), "thr:count", token="thr:count")
    if link.get(f"{{{THR}}}when") is not None:
        checker.add("thread-when", link, "thr:when is from a draft of RFC 4685; the "
                    "attribute is thr:updated", token="thr:when")
    updated = link.get(f"{{{THR}}}updated")
    if updated is not None:
        rfc3339_date(checker, link, updated.strip(), "thr:updated", token="thr:updated")
