"""Reading dates from the registry and writing them as RFC 3339.

Two rules live here for every output. Only real dates are read: ISO 8601 as
RFC 3339 writes it, or a date written out in words with a four-digit year;
anything else (a number thousands of digits long, digits of another script, a
second year) is refused with a message. And an offset is a whole number of
minutes, as RFC 3339 requires: before standard time (Stockholm until 1879) a
zone's offset from UTC had seconds (+01:12:12); such a time keeps its wall-clock
reading and gets the offset rounded to the nearest minute (+01:12), so every
feed, page and message writes the same valid timestamp.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import UsageError


class DateProblem(ValueError):
    """A date that can't be read or doesn't exist; the message says how to fix it."""


@lru_cache(maxsize=1)
def _dateutil() -> tuple[Any, Any]:
    """dateutil's parser and feedkit's month and weekday names, imported on the first
    written-out date (ISO 8601 dates, the usual ones, need neither)."""
    from dateutil import parser

    class _SvEnInfo(parser.parserinfo):
        """Month and weekday names in Swedish as well as English."""

        JUMP = [*parser.parserinfo.JUMP, "den", "kl", "klockan"]
        # dateutil takes any number of names per month; its stubs say two or three.
        MONTHS: list[tuple[str, ...]] = [  # type: ignore[assignment]
            ("Jan", "January", "januari"),
            ("Feb", "February", "februari"),
            ("Mar", "March", "mars"),
            ("Apr", "April"),
            ("May", "maj"),
            ("Jun", "June", "juni"),
            ("Jul", "July", "juli"),
            ("Aug", "August", "augusti"),
            ("Sep", "Sept", "September"),
            ("Oct", "October", "okt", "oktober"),
            ("Nov", "November"),
            ("Dec", "December"),
        ]
        WEEKDAYS: list[tuple[str, ...]] = [  # type: ignore[assignment]
            ("Mon", "Monday", "mån", "måndag"),
            ("Tue", "Tuesday", "tis", "tisdag"),
            ("Wed", "Wednesday", "ons", "onsdag"),
            ("Thu", "Thursday", "tor", "torsdag"),
            ("Fri", "Friday", "fre", "fredag"),
            ("Sat", "Saturday", "lör", "lördag"),
            ("Sun", "Sunday", "sön", "söndag"),
        ]



    return parser, _SvEnInfo()


# Two defaults that differ in every field: a part missing from the text shows up
# as a difference between the two parses.
_DEFAULTS = (datetime(1904, 1, 1), datetime(1905, 2, 2))


# Dates feedkit handles: a day of margin inside Python's range on each side, so
# that converting to any offset, and spreading posts of one second, stays in it.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
_UTC_NAMES = frozenset({"UTC", "UT", "GMT", "Z"})
_HOW = "write 2020-02-06, 2020-02-06T09:30 or 6 februari 2020"
_LONGEST = 80  # characters: "torsdag den 6 februari 2020 klockan 14:30:00 Europe/Stockholm"
# ISO 8601 as RFC 3339 uses it (extended or basic), ASCII digits only.
_ISO = re.compile(r"[0-9]{4}(-?)[0-9]{2}\1[0-9]{2}"
                  r"(?:[T ][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]{1,9})?)?)?)?"
                  r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?", re.IGNORECASE)
# The words of a written-out date: names, a day, one four-digit year, a time, an offset.
_WORD = re.compile(r"(?P<year>[0-9]{4})|[0-9]{1,2}(?:st|nd|rd|th)?\.?|"
                   r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?|[+-][0-9]{2}:?[0-9]{2}|"
                   r"[^\W\d_]+\.?", re.IGNORECASE)


class _NamedZone(Exception):
    """A time zone given by an abbreviation such as EST, which can mean several zones."""


def _zone_of(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's tzinfos hook: numeric offsets and UTC only; other names refused."""
    if name is None or name.upper() in _UTC_NAMES:
        return timezone(timedelta(seconds=offset)) if offset else (UTC if name else None)
    raise _NamedZone(name)


def parse_date(text: str, tz: ZoneInfo) -> datetime:
    """Parse an ISO 8601 or written-out date; naive values are local to `tz`.

    A trailing IANA zone name ("... 09:30 Europe/Stockholm") sets the zone; other
    zone names (EST, CET) are refused, as are numbers that aren't ISO 8601.
    Raises DateProblem with a message meant for the user.
    """
    text = " ".join(text.split())
    if not text:
        raise DateProblem(f"is empty; {_HOW}")
    if len(text) > _LONGEST:
        raise DateProblem(f"'{shown(text)}' is {len(text):,} characters long, not a date; "
                          f"{_HOW}")
    text, zone = _trailing_zone(text, tz)
    if _ISO.fullmatch(text):
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            if "offset" in str(exc):
                raise DateProblem(f"'{text}' has an offset outside -23:59 to +23:59") from None
            raise DateProblem(f"'{text}' does not exist ({exc})") from None
    else:
        value = _parse_written(text)
    value = value.replace(microsecond=0)
    try:
        value = localize(value, zone) if value.tzinfo is None else value.astimezone(zone)
        instant: datetime | None = value.astimezone(UTC)
    except DateProblem:
        raise
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not EARLIEST <= instant <= LATEST:
        raise DateProblem(f"'{text}' is outside the dates feedkit handles "
                          f"({EARLIEST.date()} to {LATEST.date()} UTC)")
    return whole_minutes(value if zone is tz else value.astimezone(tz))


def whole_minutes(value: datetime) -> datetime:
    """`value` with its UTC offset rounded to the nearest minute, the wall-clock time
    kept (RFC 3339 offsets have no seconds; local mean time before standard time
    does). Values whose offset is already whole minutes are returned as they are."""
    offset = value.utcoffset()
    if offset is None or offset.seconds % 60 == 0:
        return value
    minutes = round(offset.total_seconds() / 60)
    return value.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def shown(text: str, width: int = 40) -> str:
    """`text` short enough to quote in a message."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _trailing_zone(text: str, tz: ZoneInfo) -> tuple[str, ZoneInfo]:
    """Split off a last word that is an IANA zone name, such as Europe/Stockholm."""
    head, _, last = text.rpartition(" ")
    if head and "/" in last:
        try:
            return head, ZoneInfo(last)
        except (ValueError, OSError, ZoneInfoNotFoundError):
            raise DateProblem(f"'{last}' is not a time zone; give an IANA name such as "
                              "Europe/Stockholm or an offset such as +01:00") from None
    return text, tz


def _parse_written(text: str) -> datetime:
    # 6/2/2020: the 6th of February, or June 2? Numbers alone are read only as ISO.
    if not any(c.isalpha() for c in text):
        raise DateProblem(f"can't read '{text}' as a date; numbers alone are read only as "
                          f"ISO 8601: {_HOW}")
    words = [_WORD.fullmatch(word) for word in re.split(r"[\s,]+", text) if word]
    if not all(words) or sum(1 for w in words if w and w["year"]) != 1:
        raise DateProblem(f"can't read '{text}' as a date; {_HOW}")
    parser, info = _dateutil()
    try:
        first, second = (parser.parse(text, info, default=d, tzinfos=_zone_of)
                         for d in _DEFAULTS)
    except _NamedZone as exc:
        raise DateProblem(f"'{text}': the zone '{exc}' is ambiguous; give an offset such as "
                          "+01:00 or an IANA name such as Europe/Stockholm") from None
    except parser.ParserError as exc:
        reason = str(exc).split(":")[0]
        if "out of range" in reason:
            raise DateProblem(f"'{text}' does not exist ({reason})") from None
        raise DateProblem(f"can't read '{text}' as a date; {_HOW}") from None
    except (OverflowError, ValueError) as exc:
        raise DateProblem(f"'{text}' does not exist ({exc})") from None
    missing = [
        name
        for name in ("year", "month", "day")
        if getattr(first, name) != getattr(second, name)
    ]
    if missing:
        raise DateProblem(f"'{text}' has no {' or '.join(missing)}; write the full date")
    found: datetime = first
    return found


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz` to a wall-clock time, refusing times skipped by a DST change.

    A time that occurs twice (clocks going back) means its first occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise DateProblem(
            f"{naive.isoformat(timespec='minutes')} does not exist in {tz.key} "
            "(the clocks skip it for daylight saving time); give a time an hour "
            "later or an explicit offset"
        )
    return aware


def rfc3339(value: datetime) -> str:
    """An aware datetime as RFC 3339 with seconds and the offset of that instant."""
    return value.isoformat(timespec="seconds")


def parse_day(text: str, option: str) -> date:
    """A calendar day given on the command line, in any form the registry accepts
    ("2020-02-06", "6 februari 2020"); a UsageError naming `option` otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return parse_date(text, ZoneInfo("UTC")).date()
    except DateProblem as exc:
        raise UsageError(option, f"'{text}' is not a date such as 2020-02-09 or "
                                 f"9 februari 2020 ({exc})") from None
