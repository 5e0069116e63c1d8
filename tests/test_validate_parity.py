"""W3C parity: feedkit's verdict on each document of tests/parity/, which is labelled
with the verdict the W3C Feed Validation Service's documentation implies.

A label reads `parity: VERDICT | W3C MESSAGE | why [| feedkit: VERDICT (reason)]`;
the last part names a deliberate difference, and then feedkit must give that
verdict instead. The agreement rate by format is printed (pytest -s) and must not
fall below the issue's goals.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.validate import validate_file

PARITY = Path(__file__).resolve().parent / "parity"
CASES = sorted(PARITY.glob("*/*.xml"))
NOW = datetime(2024, 1, 1, tzinfo=UTC)
LABEL = re.compile(r"<!-- parity: (valid|invalid) \| W3C (.+?) \| (.+?)"
                   r"(?: \| feedkit: (valid|invalid) \((.+?)\))? -->")


def label(path: Path) -> tuple[str, str | None]:
    found = LABEL.search(path.read_text(encoding="utf-8"))
    assert found, f"{path.name} has no parity label"
    return found.group(1), found.group(4)


def test_the_corpus_is_large_enough_and_labelled_both_ways() -> None:
    counts = Counter((p.parent.name, label(p)[0]) for p in CASES)
    assert sum(counts.values()) >= 150
    for fmt in ("atom", "rss"):
        assert counts[(fmt, "valid")] >= 20 and counts[(fmt, "invalid")] >= 30, counts


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_feedkit_gives_the_labelled_verdict(path: Path) -> None:
    w3c, deliberate = label(path)
    report = validate_file(path, now=NOW)
    assert report.kind == path.parent.name or report.errors
    assert report.verdict() == (deliberate or w3c), "\n".join(map(str, report.messages))


def test_agreement_with_w3c_by_format() -> None:
    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for path in CASES:
        w3c, _ = label(path)
        fmt = path.parent.name
        total[fmt] += 1
        agree[fmt] += validate_file(path, now=NOW).verdict() == w3c
    rates = {fmt: agree[fmt] / total[fmt] for fmt in total}
    overall = sum(agree.values()) / sum(total.values())
    print("\nW3C parity corpus: " + ", ".join(
        f"{fmt} {agree[fmt]}/{total[fmt]} = {rates[fmt]:.1%}" for fmt in sorted(total))
        + f", overall {sum(agree.values())}/{sum(total.values())} = {overall:.1%}")
    assert overall >= 0.95 and rates["rss"] >= 0.92 and rates["atom"] >= 0.95, rates
