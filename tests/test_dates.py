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


@pytest.mark.parametrize(("text", "expected"), [
    # Stockholm kept local mean time, +01:12:12, until 1879: the wall clock is kept,
    # the offset rounded to the minute (RFC 3339 offsets have no seconds).
    ("1850-01-01", "1850-01-01T00:00:00+01:12"),
    ("1 januari 1850 09:30", "1850-01-01T09:30:00+01:12"),
    ("1850-01-01T12:00:00Z", "1850-01-01T13:12:12+01:12"),
    ("1878-12-31T23:00", "1878-12-31T23:00:00+01:12"),
    ("1900-01-01", "1900-01-01T00:00:00+01:00"),
])
def test_offsets_are_whole_minutes(text: str, expected: str) -> None:
    assert rfc3339(parse_date(text, STOCKHOLM)) == expected


def test_offsets_round_to_the_nearest_minute() -> None:
    # Amsterdam's mean time was +00:19:32 and Dublin's -00:25:21.
    assert rfc3339(parse_date("1900-01-01", ZoneInfo("Europe/Amsterdam"))).endswith("+00:20")
    assert rfc3339(parse_date("1900-01-01", ZoneInfo("Europe/Dublin"))).endswith("-00:25")


@pytest.mark.parametrize("text", [
    "1" * 5000, "1" * 20, "2020-02-06" + "0" * 40, "1111-11-11T11:11:11" + "1" * 30,
    "٢٠٢٠-٠٢-٠٦", "６ februari ２０２０", "6 feb 2020 2021", "6 februari 2020 " + "9" * 30,
    "2020-02-06T09:30:00.1234567891", "2020", "6 februari 20200",
])
def test_what_is_not_a_real_date_is_refused(text: str) -> None:
    with pytest.raises(DateProblem) as problem:
        parse_date(text, STOCKHOLM)
    assert len(str(problem.value)) < 200  # the message never quotes thousands of digits


def test_every_output_writes_whole_minute_offsets(tmp_path) -> None:
    """One rule, every output: feeds, the digest's Date, posts.lock; and validate,
    which refuses an offset with seconds, passes."""
    import re

    from typer.testing import CliRunner

    from feedkit.cli import app

    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: Arkivet\n  url: https://example.org/\n  timezone: Europe/Stockholm\n"
        "posts:\n  - title: Gammalt\n    date: 1 januari 1850\n    author: Ann\n    body: x\n"
        "  - title: Äldre\n    date: '1849-06-01T12:00:00Z'\n    author: Ann\n    body: y\n",
        "utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    built = runner.invoke(app, ["build", "-r", str(registry), "-o", str(out)])
    assert built.exit_code == 0, built.output
    texts = {name: (out / name).read_text("utf-8")
             for name in ("atom.xml", "rss.xml", "feed.json", "digest.eml")}
    texts["posts.lock"] = registry.with_suffix(".lock").read_text("utf-8")
    for name, text in texts.items():
        assert "+01:12" in text or "+0112" in text, name
        assert not re.search(r"[+-]\d\d:\d\d:\d\d|[+-]\d{6}\b", text), name
    assert "<published>1850-01-01T00:00:00+01:12</published>" in texts["atom.xml"]
    assert "<pubDate>Tue, 01 Jan 1850 00:00:00 +0112</pubDate>" in texts["rss.xml"]
    checked = runner.invoke(app, ["validate", "--strict", "-r", str(registry), "-o", str(out)])
    assert checked.exit_code == 0, checked.output
