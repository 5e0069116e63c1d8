"""The sample collection (tests/data/bounces): one message per mail system and
format, each written from its documented format, with the decision and the
recipient a person would give it (answers.csv). A sample the code misreads fails."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from send_helpers import SECRET

from feedkit.mail.bounces import classify
from feedkit.mail.recipient import Directory, find_recipient
from feedkit.mail.verp import token_index

SAMPLES = Path(__file__).parent / "data" / "bounces"
BOUNCES = "bounces@lab.example.org"
PERIOD = "week:2020-02-03"
with (SAMPLES / "answers.csv").open(encoding="utf-8", newline="") as _file:
    ANSWERS = list(csv.DictReader(_file))
KNOWN = sorted({row["recipient"] for row in ANSWERS if row["recipient"]}
               | {"someone.else@example.org"})


def directory() -> Directory:
    """The list as `feedkit send` left it: every sample's recipient got the digest of
    PERIOD with a Message-ID naming the sample (so a returned Message-ID finds them)."""
    sent = {f"<digest.20200203-20200209.{row['sample']}@lab.example.org>":
            (PERIOD, row["recipient"]) for row in ANSWERS if row["recipient"]}
    return Directory(token_index(KNOWN, SECRET.encode()), sent.get, KNOWN,
                     SECRET.encode())


def test_every_sample_has_an_answer_and_every_answer_a_sample() -> None:
    assert sorted(p.stem for p in SAMPLES.glob("*.eml")) == sorted(
        row["sample"] for row in ANSWERS)
    assert len(ANSWERS) >= 40


@pytest.mark.parametrize("row", ANSWERS, ids=[row["sample"] for row in ANSWERS])
def test_sample(row: dict[str, str]) -> None:
    verdict = classify((SAMPLES / f"{row['sample']}.eml").read_bytes(), BOUNCES)
    assert verdict.action == row["decision"], verdict.reason
    found = find_recipient(verdict, directory())
    assert [r for r, _ in found.recipients] == ([row["recipient"]] if row["recipient"]
                                                else []), found.how
    if row["recipient"]:
        assert found.how == row["how"]


def test_nothing_but_hard_bounces_and_complaints_would_drop_a_reader() -> None:
    """The invariant: a sender-side, soft or auto-reply message never suppresses."""
    dropped = {row["sample"] for row in ANSWERS
               if classify((SAMPLES / f"{row['sample']}.eml").read_bytes(),
                           BOUNCES).action in ("hard", "complaint")}
    assert dropped == {row["sample"] for row in ANSWERS
                       if row["decision"] in ("hard", "complaint")}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SAMPLES.glob("*.eml"))), st.floats(0, 1), st.binary(max_size=80),
       st.booleans())
def test_a_mangled_sample_is_read_without_an_error(path: Path, where: float, junk: bytes,
                                                   cut: bool) -> None:
    """Cut short, or with any bytes put anywhere (8-bit headers, NUL in HTML, broken
    MIME): some verdict comes back, never an exception (flufl.bounce's detectors raise
    on such messages; their failure is caught)."""
    data = (SAMPLES / path.name).read_bytes()
    at = int(len(data) * where)
    data = data[:at] if cut else data[:at] + junk + data[at:]
    verdict = classify(data, BOUNCES)
    assert verdict.action in ("hard", "soft", "sender", "complaint", "unsubscribe",
                              "auto-reply", "ignore")
    find_recipient(verdict, directory())
