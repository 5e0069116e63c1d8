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
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LOOSE_NAME = re.compile(r"[A-Za-z]{3,}\.?")
_LOOSE_ZONE = re.compile(r"([+-]\d{2}):?(\d{2})$")
_LOOSE_TIME = re.compile(r"(?<![\d:])(\d):")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WHITESPACE = re.compile(r"\s")
# RFC 3987: what an IRI may hold besides %XX escapes (whitespace is reported apart).
_IRI_BAD = re.compile(
    "[\x00-\x1f\x7f-\x9f\"<>\\\\^`{|}\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
    "|%(?![0-9A-Fa-f]{2})"
)
_MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;.*)?$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+$")
_ADDR = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9.:]+\])"
# RFC 2822 contacts as RSS uses them: an address, optionally with the name in
# parentheses after it, or a name with the address in angle brackets.
_CONTACT = re.compile(rf"^(?:{_ADDR}(?:\s*\([^()]*\))?|[^<>@]*<{_ADDR}>)$")
_ISO639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn ko kr ks ku kv
kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na nb nd ne ng nl nn no nr
nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq
sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu""".split())
_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")
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
    """An RFC 822 date-time (four-digit years recommended), or None.

    A day name that is not the date's weekday makes the date wrong (None).
    """
    if not _RFC822.match(text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if text[:3] in _DAYS and _DAYS.index(text[:3]) != moment.weekday():
        return None
    return moment


def rfc822_loose(text: str) -> datetime | None:
    """A date that is RFC 822 once written the usual way, or None.

    Forgiven: runs of spaces, names in another case or in full ("Thursday",
    "February", "Feb."), a missing comma after the day, one-digit hours, a colon
    in the zone (+01:00) and "UTC" for UT. Readers cope with these; feeds should
    still not rely on it.
    """
    words = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    words = _LOOSE_NAME.sub(_short_name, words)
    if words[:3] in _DAYS and not words.startswith(", ", 3):
        words = words[:3] + "," + words[3:]
    words = _LOOSE_ZONE.sub(r"\1\2", words.replace("UTC", "UT"))
    words = _LOOSE_TIME.sub(r"0\1:", words)
    return rfc822(words) if words != text else None


_FULL_NAMES = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                         "Sunday", "January", "February", "March", "April", "June", "July",
                         "August", "September", "October", "November", "December", "Sept",
                         "Tues", "Thur", "Thurs"})
_ZONE_NAMES = frozenset({"GMT", "UT", "UTC", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST",
                         "PDT"})


def _short_name(match: re.Match[str]) -> str:
    """A day or month name as RFC 822 writes it (Thu, Feb); zone names in capitals."""
    written = match.group()
    word = written.rstrip(".").capitalize()
    if (word[:3] in _DAYS or word[:3] in _MONTHS) and (len(word) == 3 or word in _FULL_NAMES):
        return word[:3]
    return written.upper() if written.upper() in _ZONE_NAMES else written


def is_future(moment: datetime, now: datetime) -> bool:
    return moment > now + FUTURE_SLACK


def is_absolute(uri: str) -> bool:
    """Whether `uri` starts with a scheme (an absolute IRI)."""
    return bool(_SCHEME.match(uri))


def has_whitespace(text: str) -> bool:
    return bool(_WHITESPACE.search(text))


def iri_problem(text: str) -> str | None:
    """The first character (or bad % escape) RFC 3987 does not allow in an IRI."""
    found = _IRI_BAD.search(text)
    if found is None:
        return None
    if found.group() == "%":
        return f"'%' not followed by two hex digits at position {found.start() + 1}"
    return f"U+{ord(found.group()):04X} ({found.group()!r}) at position {found.start() + 1}"


def is_http_url(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) > len("https://")


def is_media_type(text: str) -> bool:
    return bool(_MEDIA_TYPE.match(text))


def is_language(text: str) -> bool:
    return bool(_LANGUAGE.match(text))


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def is_contact(text: str) -> bool:
    """An RSS contact: 'ann@example.org', 'ann@example.org (Ann)' or 'Ann <ann@example.org>'."""
    return bool(_CONTACT.match(" ".join(text.split())))


def is_language_code(text: str) -> bool:
    """An RFC 1766/3066 code whose primary subtag is an ISO 639 code (or i- / x-)."""
    primary, *rest = text.split("-")
    lowered = primary.lower()
    if not (lowered in _ISO639_1 or lowered in ("i", "x")
            or (len(lowered) == 3 and lowered.isascii() and lowered.isalpha())):
        return False
    return all(_SUBTAG.match(part) for part in rest)


def html_tag(text: str) -> str | None:
    """The first HTML tag found in `text`, or None."""
    found = _HTML_TAG.search(text)
    return found.group() if found else None


def unsafe_html(text: str) -> str | None:
    """The first script-like construct found in HTML, or None."""
    found = _UNSAFE_HTML.search(text)
    return found.group().strip() if found else None
