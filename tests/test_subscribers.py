"""Subscribers files: CSV and YAML, every problem with FILE:LINE:COL, merged duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedkit.addresses import address_problem
from feedkit.errors import FeedkitError, SubscribersError
from feedkit.load.subscribers import Subscriber, load_subscribers


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_merges_duplicates_case_insensitively(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "Email,Name,Language\n"
                                     "Anna@Example.org,,\n"
                                     "\n"
                                     "anna@example.org,Anna Åberg,sv\n"
                                     '"bo@example.org","Bo, Jr.",en-GB\n')
    assert load_subscribers(path) == (
        Subscriber("Anna@Example.org", "Anna Åberg", "sv", 2),
        Subscriber("bo@example.org", "Bo, Jr.", "en-GB", 5),
    )


def test_csv_without_language_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "\ufeffemail,name\nx@example.org,X\n")
    assert load_subscribers(path) == (Subscriber("x@example.org", "X", None, 2),)


PROBLEM_FILES = {
    "s.csv": ("email,name\n"
              "a@b,No dot\n"
              '"multi\nline@example.org",M\n'
              "ok@example.org,Ok,extra\n"
              "two@@example.org,T\n",
              ["{path}:2:1: email: 'a@b' 'b' is not a valid domain (like example.org)",
               "{path}:3:1: email: 'multi\nline@example.org' contains spaces or control "
               "characters",
               "{path}:5:1: 3 fields but the header has 2; quote values holding commas",
               "{path}:6:1: email: 'two@@example.org' needs exactly one '@'"]),
    "bad.yaml": ("- email: a@example.org\n"
                 "  lang: sv\n"
                 "- email: nope\n"
                 "- [1, 2]\n",
                 ["{path}:2:3: unknown field 'lang'; did you mean 'language'?",
                  "{path}:3:10: email: 'nope' needs exactly one '@'",
                  "{path}:4:3: each subscriber is an address or a mapping with email, name "
                  "and language"]),
}


@pytest.mark.parametrize("name", sorted(PROBLEM_FILES))
def test_problems_carry_line_and_column(tmp_path: Path, name: str) -> None:
    text, expected = PROBLEM_FILES[name]
    path = _write(tmp_path, name, text)
    with pytest.raises(SubscribersError) as caught:
        load_subscribers(path)
    assert [str(p) for p in caught.value.problems] == [e.format(path=path) for e in expected]


def test_csv_header_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.csv", "mail,namn\nx@example.org,X\n")
    with pytest.raises(SubscribersError) as caught:
        load_subscribers(path)
    messages = [str(p) for p in caught.value.problems]
    assert f"{path}:1:1: unknown column 'mail'; did you mean 'email'?" in messages
    assert f"{path}:1:6: unknown column 'namn'; did you mean 'name'?" in messages
    assert any("has no 'email' column" in m for m in messages)


def test_yaml_list(tmp_path: Path) -> None:
    good = _write(tmp_path, "s.yaml", "subscribers:\n"
                                      "  - email: a@example.org\n"
                                      "    name: A\n"
                                      "  - b@example.org\n")
    assert [s.email for s in load_subscribers(good)] == ["a@example.org", "b@example.org"]


def test_unreadable_or_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(FeedkitError, match="can't read the subscribers file"):
        load_subscribers(tmp_path / "missing.csv")
    with pytest.raises(FeedkitError, match=r"unknown subscribers format '\.txt'"):
        load_subscribers(_write(tmp_path, "s.txt", "x"))
    latin1 = tmp_path / "l.csv"
    latin1.write_bytes(b"email,name\nx@example.org,\xc5sa\n")
    with pytest.raises(SubscribersError, match=r"l\.csv:2:1: not UTF-8"):
        load_subscribers(latin1)


@pytest.mark.parametrize(("address", "ok"), [
    ("a@example.org", True), ("first.last+tag@sub.example.co.uk", True),
    ("a@bücher.example", True), ("a@example", False), (".a@example.org", False),
    ("a..b@example.org", False), ("a b@example.org", False), ("a@-x.org", False),
    ("a@example.org\r\nBcc: x@y.z", False), ("<a@example.org>", False),
])
def test_address_problem(address: str, ok: bool) -> None:
    assert (address_problem(address) is None) is ok


@pytest.mark.parametrize("name", ["s.csv", "s.yaml"])
def test_a_file_read_again_row_by_row_gives_the_same_subscribers(tmp_path: Path,
                                                                 name: str) -> None:
    from feedkit.load.subscribers import SubscriberFile

    rows = [("Anna@Example.org", "", ""), ("bo@example.org", "Bo", ""),
            ("anna@example.org", "Anna Åberg", "sv"), ("ANNA@example.org", "Other", "en"),
            ("cy@example.org", "Cy", "en")]
    if name.endswith(".csv"):
        text = "email,name,language\n" + "".join(f"{e},{n},{lang}\n" for e, n, lang in rows)
    else:
        text = "".join(f"- {{email: '{e}', name: '{n}', language: '{lang}'}}\n"
                       for e, n, lang in rows)
    path = _write(tmp_path, name, text)
    whole = load_subscribers(path)
    streamed = SubscriberFile(path)
    assert tuple(streamed) == whole == tuple(streamed)  # the same every time it is read
    assert len(streamed) == 3 and "anna@example.org" in streamed and "x@y.org" not in streamed
    path.write_text(text.replace("cy@example.org", "not an address"), encoding="utf-8")
    with pytest.raises(SubscribersError, match="not an address"):
        list(streamed)  # changed since it was checked: checked again
