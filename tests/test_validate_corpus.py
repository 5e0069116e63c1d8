"""The corpus under tests/feeds/: each file is named after the rule it must trigger.

`<rule-id>.xml|json` must report that rule and no other, and so must
`<rule-id>--<case>.xml|json` (another case of the same rule); `valid-*.xml|json` must
report nothing at all (so it passes --strict).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.validate import validate_file
from feedkit.validate.rules import RULES

FEEDS = Path(__file__).resolve().parent / "feeds"
CASES = sorted(p for p in FEEDS.glob("*/*") if p.suffix in (".xml", ".json"))
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(path: Path) -> None:
    report = validate_file(path, now=NOW)
    found = sorted({m.rule for m in report.messages})
    if path.stem.startswith("valid-"):
        assert report.messages == [], "\n".join(map(str, report.messages))
        assert report.verdict(strict=True) == "valid"
    else:
        rule = path.stem.split("--")[0]
        assert rule in RULES, f"{path.name} is not named after a rule id"
        assert found == [rule], "\n".join(map(str, report.messages))
        expected = "invalid" if RULES[rule][0] == "error" else "valid"
        assert report.verdict() == expected
        assert report.verdict(strict=True) == "invalid"


def test_corpus_detects_the_format_from_content() -> None:
    kinds = {p.parent.name: validate_file(p, now=NOW).kind
             for p in CASES if p.stem.startswith("valid-minimal")}
    assert kinds == {"atom": "atom", "rss": "rss", "json": "json"}


NOT_ABOUT_A_FEED = ("file-", "registry-", "lock-", "out-of-date", "previous-", "http-")


def test_every_feed_rule_has_a_corpus_file() -> None:
    named = {p.stem.split("--")[0] for p in CASES}
    missing = sorted(r for r in RULES if not r.startswith(NOT_ABOUT_A_FEED) and r not in named)
    assert missing == []


def test_messages_point_at_the_offending_line() -> None:
    report = validate_file(FEEDS / "atom" / "atom-id-not-absolute.xml", now=NOW)
    (message,) = report.messages
    lines = (FEEDS / "atom" / "atom-id-not-absolute.xml").read_text().splitlines()
    assert lines[message.line - 1][message.column - 1:].startswith("<id>one</id>")
    report = validate_file(FEEDS / "json" / "jsonfeed-relative-url.json", now=NOW)
    (message,) = report.messages
    lines = (FEEDS / "json" / "jsonfeed-relative-url.json").read_text().splitlines()
    assert lines[message.line - 1][message.column - 1:].startswith('"/one/"')


def test_malformed_json_names_line_and_column() -> None:
    report = validate_file(FEEDS / "json" / "json-malformed.json", now=NOW)
    (message,) = report.messages
    line = (FEEDS / "json" / "json-malformed.json").read_text().splitlines()[message.line - 1]
    assert message.line == 5
    assert line[message.column - 2:message.column] == ",}"  # the trailing comma's end
    assert "property name" in message.message
