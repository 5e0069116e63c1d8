"""Media RSS 1.5.1's attributes: what each element's attributes must hold (URLs, whole
and positive numbers, NPT times, media types, the values the specification lists),
as a table the media module reads."""

from __future__ import annotations

import re
from typing import Any

from ..common import is_language_code, is_media_type
from ..values import uri_problem
from .base import Checker, choice, integer, number, url

MEDIUMS = ("image", "audio", "video", "document", "executable")
EXPRESSIONS = ("sample", "full", "nonstop")
TEXT_TYPES = ("plain", "html")
# Each attribute's kind; a trailing "!" marks one the element must have.
ATTRIBUTES: dict[str, dict[str, str]] = {
    "content": {"url": "url", "fileSize": "int", "type": "mime", "medium": "medium",
                "isDefault": "bool", "expression": "expression", "bitrate": "number",
                "framerate": "number", "samplingrate": "number", "channels": "int",
                "duration": "number", "height": "int+", "width": "int+", "lang": "lang"},
    "thumbnail": {"url": "url!", "width": "int+", "height": "int+", "time": "npt"},
    "player": {"url": "url!", "width": "int+", "height": "int+"},
    "embed": {"url": "url!", "width": "int+", "height": "int+"},
    "param": {"name": "any!"},
    "title": {"type": "text"},
    "description": {"type": "text"},
    "text": {"type": "text", "lang": "lang", "start": "npt", "end": "npt"},
    "copyright": {"url": "url"},
    "category": {"scheme": "iri"},
    "credit": {"scheme": "iri"},
    "rating": {"scheme": "iri"},
    "starRating": {"average": "number", "count": "int", "min": "number", "max": "number"},
    "statistics": {"views": "int", "favorites": "int"},
    "status": {"state": "state!"},
    "price": {"type": "price", "price": "number", "info": "url", "currency": "currency"},
    "license": {"href": "url"},
    "subTitle": {"href": "url!", "lang": "lang", "type": "mime"},
    "peerLink": {"href": "url!", "type": "mime"},
    "rights": {"status": "rights"},
    "location": {"start": "npt", "end": "npt"},
}
CHOICES = {"state": ("active", "blocked", "deleted"),
           "price": ("rent", "purchase", "package", "subscription"),
           "rights": ("userCreated", "official")}
# RFC 2326 normal play time: now, seconds, or h:mm:ss, each with an optional fraction.
_NPT = re.compile(r"^(now|\d+(\.\d*)?|\d+:[0-5]\d:[0-5]\d(\.\d*)?)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


REQUIRED = {local: tuple(name for name, kind in table.items() if kind.endswith("!"))
            for local, table in ATTRIBUTES.items()}


def attributes(checker: Checker, elem: Any, local: str) -> None:
    """Check `elem`'s attributes against the table (elements not in it have none)."""
    table = ATTRIBUTES.get(local)
    if table is None:
        return
    for name in REQUIRED[local]:
        if elem.get(name) is None:
            checker.add("ext-missing-attribute", elem, f"<media:{local}> has no {name} "
                        "attribute, which Media RSS requires")
    for name, value in elem.items():  # only those written, not the whole table
        kind = table.get(name)
        if kind is not None:
            _value(checker, elem, value.strip(), kind.rstrip("!"), f"<media:{local} {name}>",
                   f"{name}=")


def _value(checker: Checker, elem: Any, value: str, kind: str, what: str,
           token: str) -> None:
    if kind == "url":
        url(checker, elem, value, what, token=token)
    elif kind in ("int", "int+"):
        integer(checker, elem, value, what, positive=kind == "int+", token=token)
    elif kind == "number":
        number(checker, elem, value, what, token=token)
    elif kind == "npt" and not _NPT.match(value):
        checker.add("media-npt-time", elem, f"{what} '{value}' is not a normal play time "
                    "(RFC 2326): seconds (12.5) or h:mm:ss (0:01:30.5)", token=token)
    elif kind == "mime" and not is_media_type(value):
        checker.add("ext-not-media-type", elem, f"{what} '{value}' is not a media type "
                    "such as video/mp4", token=token)
    elif kind == "lang" and not is_language_code(value):
        checker.add("ext-bad-language", elem, f"{what} '{value}' is not a language code "
                    "such as sv or en-GB", token=token)
    elif kind == "iri" and uri_problem(value, iri=True):
        checker.add("uri-bad-char", elem, f"{what} '{value}' holds a character a URI may "
                    f"not: {uri_problem(value, iri=True)}", token=token)
    elif kind == "currency" and not _CURRENCY.match(value):
        checker.add("ext-bad-value", elem, f"{what} '{value}' is not an ISO 4217 currency "
                    "code such as SEK or EUR", token=token)
    elif kind == "bool":
        choice(checker, elem, value, ("true", "false"), what, rule="ext-not-boolean",
               token=token)
    elif kind in ("medium", "expression", "text"):
        allowed = {"medium": MEDIUMS, "expression": EXPRESSIONS, "text": TEXT_TYPES}[kind]
        rule = {"text": "media-text-type"}.get(kind, f"media-{kind}")
        choice(checker, elem, value, allowed, what, rule=rule, token=token)
    elif kind in CHOICES:
        choice(checker, elem, value, CHOICES[kind], what, token=token)
