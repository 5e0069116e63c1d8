"""Dates: ISO 8601 and written-out Swedish/English, DST-aware RFC 3339."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from feedkit.dates import DateProblem, parse_date, rfc3339

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-25", "2019-04-25T00:00:00+02:00"),
        ("2019-04-25T09:30", "2019-04-25T09:30:00+02:00"),
        ("2019-04-25T09:30:00Z", "2019-04-25T11:30:00+02:00"),
        ("2020-02-06T10:00+00:00", "2020-02-06T11:00:00+01:00"),
        ("25 april 2019", "2019-04-25T00:00:00+02:00"),
        ("6 februari 2020", "2020-02-06T00:00:00+01:00"),
        ("6 February 2020", "2020-02-06T00:00:00+01:00"),
        ("6 Februari 2020", "2020-02-06T00:00:00+01:00"),
        ("den 3 maj 2021", "2021-05-03T00:00:00+02:00"),
        ("1 oktober 2020 14:15", "2020-10-01T14:15:00+02:00"),
        ("torsdag 6 februari 2020", "2020-02-06T00:00:00+01:00"),
        ("  6   februari\n 2020 ", "2020-02-06T00:00:00+01:00"),
    ],
)
def test_parses_iso_and_written_dates(text: str, expected: str) -> None:
    assert rfc3339(parse_date(text, STOCKHOLM)) == expected


def test_offset_follows_daylight_saving_on_each_day() -> None:
    # Sweden moves to summer time on 2020-03-29 and back on 2020-10-25.
    assert rfc3339(parse_date("2020-03-28", STOCKHOLM)).endswith("+01:00")
    assert rfc3339(parse_date("2020-03-29T03:00", STOCKHOLM)).endswith("+02:00")
    assert rfc3339(parse_date("2020-10-25T01:59", STOCKHOLM)).endswith("+02:00")
    assert rfc3339(parse_date("2020-10-25T03:00", STOCKHOLM)).endswith("+01:00")


def test_ambiguous_time_means_first_occurrence() -> None:
    # 02:30 happens twice on 2020-10-25: the first time is still summer time.
    assert rfc3339(parse_date("2020-10-25T02:30", STOCKHOLM)) == "2020-10-25T02:30:00+02:00"


def test_skipped_time_is_refused() -> None:
    with pytest.raises(DateProblem, match="does not exist in Europe/Stockholm"):
        parse_date("2020-03-29T02:30", STOCKHOLM)


@pytest.mark.parametrize("text", ["31 februari 2020", "2020-02-31", "29 februari 2019"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(DateProblem, match="does not exist"):
        parse_date(text, STOCKHOLM)


def test_leap_day_exists() -> None:
    assert parse_date("29 februari 2020", STOCKHOLM) == datetime(2020, 2, 29, tzinfo=STOCKHOLM)


@pytest.mark.parametrize("text", ["igår", "6 februari", "februari 2020", "hello world"])
def test_unreadable_or_incomplete_dates_are_refused(text: str) -> None:
    with pytest.raises(DateProblem):
        parse_date(text, STOCKHOLM)


def test_rfc3339_drops_microseconds_and_keeps_offset() -> None:
    value = parse_date("2021-06-01T12:00:00.123456+02:00", STOCKHOLM)
    assert rfc3339(value) == "2021-06-01T12:00:00+02:00"
