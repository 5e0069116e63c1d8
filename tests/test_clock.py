"""feedkit/clock.py: one rule for "now", one for when a record is made, and no module
reading the clock on its own except where a protocol needs the real time."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import feedkit
from feedkit.clock import recorded_at, resolve_now

PACKAGE = Path(feedkit.__file__).parent

# Where the wall clock is read on purpose, and why (a new entry needs a reason).
WALL_CLOCK = {
    "clock.py": "the rules themselves",
    "jobs/sendrun.py": "the pacer maps sent_at records onto the monotonic clock",
    "serve/mailer.py": "a confirmation's Date header is when it is sent",
    "serve/trial.py": "the local trial's outbox shows the posts visible as it runs",
    "mail/confirmation.py": "a message's Date header is when it is made",
}


def _reads_clock(tree: ast.AST) -> bool:
    """Does the module call datetime.now(...) or datetime.utcnow()?"""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"now", "utcnow", "today"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"datetime", "date"}):
            return True
    return False


def test_only_the_listed_modules_read_the_wall_clock() -> None:
    readers = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if _reads_clock(ast.parse(p.read_text(encoding="utf-8")))}
    assert readers <= set(WALL_CLOCK), sorted(readers - set(WALL_CLOCK))
    assert "clock.py" in readers  # the scan does see a call where there is one


def test_now_follows_the_option_then_source_date_epoch_then_the_clock() -> None:
    assert resolve_now("2020-02-09T12:00+01:00") == datetime(2020, 2, 9, 11, tzinfo=UTC)
    assert resolve_now(None, {"SOURCE_DATE_EPOCH": "1581249600"}) == datetime(
        2020, 2, 9, 12, tzinfo=UTC)
    before = datetime.now(UTC)
    assert before <= resolve_now(None, {}) <= datetime.now(UTC)


def test_a_record_is_dated_by_the_clock_not_by_source_date_epoch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    stamp = datetime.fromisoformat(recorded_at())
    assert stamp.year >= 2026 and stamp.tzinfo is not None
    assert "." in recorded_at("milliseconds")
