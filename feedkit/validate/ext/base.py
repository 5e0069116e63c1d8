"""What extension modules share: the Checker protocol they report through and the
value checks they use (integers, numbers, URLs, W3C-DTF dates, choices)."""

from __future__ import annotations

import re
from typing import Any, Protocol

from ..common import rfc3339
from ..values import is_full_url, uri_problem
from ..xmlsafe import qname

_W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                     r"(Z|[+-]\d{2}:\d{2}))?)?)?$")


class Checker(Protocol):
    """What a module reports through: add a message; memo is the document's scratch
    space (what a module decided once, such as whether the feed is a podcast)."""

    memo: dict[str, Any]

    def add(self, rule: str, elem: Any, message: str, token: str | None = None) -> None: ...


def text(elem: Any) -> str:
    return (elem.text or "").strip()


def is_w3cdtf(value: str) -> bool:
    """A W3C-DTF date (the ISO 8601 profile Dublin Core uses): 2020, 2020-02,
    2020-02-06 or a date-time with a zone; month, day and time in range."""
    if not _W3CDTF.match(value):
        return False
    parts = value[:10].split("-")
    if len(parts) >= 2 and not 1 <= int(parts[1]) <= 12:
        return False
    if len(parts) == 3 and not 1 <= int(parts[2]) <= 31:
        return False
    return "T" not in value or (int(value[11:13]) <= 23 and int(value[14:16]) <= 59)


INT_MAX = 2**31 - 1  # positive integer attributes: the W3C validator's limit


def integer(checker: Checker, elem: Any, value: str, what: str, *,
            positive: bool = False, token: str | None = None) -> int | None:
    """A whole number (non-negative; positive when asked): ext-not-integer, or
    ext-not-positive-integer for a positive one, if not; a positive attribute (`token`
    given) past 2^31-1 is ext-integer-overflow."""
    if value.isascii() and value.isdigit() and (int(value) > 0 or not positive):
        if positive and token is not None and int(value) > INT_MAX:
            checker.add("ext-integer-overflow", elem, f"{what} '{value}' is too large: "
                        f"this attribute takes 1 to {INT_MAX} (2^31-1)", token=token)
            return None
        return int(value)
    if positive:
        checker.add("ext-not-positive-integer", elem, f"{what} '{value}' must be a whole "
                    "number greater than zero", token=token)
    else:
        checker.add("ext-not-integer", elem, f"{what} '{value}' must be a non-negative "
                    "whole number", token=token)
    return None


def number(checker: Checker, elem: Any, value: str, what: str,
           token: str | None = None) -> float | None:
    try:
        found = float(value)
    except ValueError:
        found = None
    if found is None or value.strip().lower() in ("nan", "inf", "-inf", "infinity"):
        checker.add("ext-not-number", elem, f"{what} '{value}' must be a decimal number",
                    token=token)
        return None
    return found


def url(checker: Checker, elem: Any, value: str, what: str, token: str | None = None) -> None:
    """A full URL or IRI, of the characters RFC 3987 allows."""
    if not is_full_url(value):
        checker.add("ext-bad-url", elem, f"{what} '{value}' is not a full URL", token=token)
        return
    problem = uri_problem(value, iri=True)
    if problem:
        checker.add("uri-bad-char", elem, f"{what} '{value}' holds a character a URI may "
                    f"not: {problem}; percent-encode it", token=token)


def url_path(value: str) -> str:
    """A URL without its query and fragment, lower-cased: what its file name ends in."""
    return value.split("#", 1)[0].split("?", 1)[0].lower()


def choice(checker: Checker, elem: Any, value: str, allowed: tuple[str, ...], what: str,
           rule: str = "ext-bad-value", token: str | None = None) -> bool:
    if value in allowed:
        return True
    checker.add(rule, elem, f"{what} '{value}' must be one of {', '.join(allowed)}",
                token=token)
    return False


def w3cdtf(checker: Checker, elem: Any) -> None:
    value = text(elem)
    if not is_w3cdtf(value):
        checker.add("ext-bad-date", elem, f"<{qname(elem)}> '{value}' is not a W3C-DTF "
                    "date (ISO 8601): write 2020-02-06 or 2020-02-06T09:30:00+01:00")


def rfc3339_date(checker: Checker, elem: Any, value: str, what: str,
                 token: str | None = None) -> None:
    if rfc3339(value) is None:
        checker.add("ext-bad-date", elem, f"{what} '{value}' is not an RFC 3339 date-time: "
                    "write 2020-02-06T09:30:00+01:00", token=token)


def undefined(checker: Checker, elem: Any, module: str) -> None:
    checker.add("ext-undefined-element", elem, f"<{qname(elem)}> is not an element the "
                f"{module} module defines; check the spelling")
