"""Value checks shared by the Atom, RSS and JSON Feed validators."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
_RFC822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}(\d{2})? "
    r"\d{2}:\d{2}(:\d{2})? "
    r"([+-]\d{4}|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z|[A-IK-Y])$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;.*)?$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+$")
_HTML_TAG = re.compile(
    r"</?(a|abbr|b|blockquote|br|code|div|em|h[1-6]|hr|i|img|li|ol|p|pre|span|strong|"
    r"table|td|tr|u|ul)(\s[^<>]*)?/?>",
    re.I,
)
_UNSAFE_HTML = re.compile(r"<(script|style|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:",
                          re.I)
# A little slack for clocks that disagree: W3C's validator also allows some.
FUTURE_SLACK = timedelta(minutes=10)


def rfc3339(text: str) -> datetime | None:
    """An RFC 3339 date-time (as RFC 4287 §3.3 restricts it), or None."""
    if not _RFC3339.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def rfc822(text: str) -> datetime | None:
    """An RFC 822 date-time (four-digit years recommended), or None."""
    if not _RFC822.match(text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def is_future(moment: datetime, now: datetime) -> bool:
    return moment > now + FUTURE_SLACK


def is_absolute(uri: str) -> bool:
    """Whether `uri` starts with a scheme (an absolute IRI)."""
    return bool(_SCHEME.match(uri))


def is_http_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) > len("https://")


def is_media_type(text: str) -> bool:
    return bool(_MEDIA_TYPE.match(text))


def is_language(text: str) -> bool:
    return bool(_LANGUAGE.match(text))


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def html_tag(text: str) -> str | None:
    """The first HTML tag found in `text`, or None."""
    found = _HTML_TAG.search(text)
    return found.group() if found else None


def unsafe_html(text: str) -> str | None:
    """The first script-like construct found in HTML, or None."""
    found = _UNSAFE_HTML.search(text)
    return found.group().strip() if found else None
