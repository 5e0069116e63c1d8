"""Inputs that are not ordinary files, and text the email package would misread."""

from __future__ import annotations

import email
import email.policy
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app

NOW = "2030-01-01T00:00:00+00:00"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_registry_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path,
                                                                  kind: str) -> None:
    path = tmp_path / "posts.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    elif kind == "device":
        path = Path("/dev/zero")  # endless
    else:
        path.mkdir()
    for command in (["build", "-o", str(tmp_path / "out")], ["validate"]):
        result = run(*command, "-r", str(path))
        assert result.exit_code in (1, 2), result.output
        # A usage error is drawn in a box that may wrap a long path: read it unwrapped.
        flat = "".join(ch for ch in result.output if not ch.isspace() and ch not in "│╭╮╰╯─")
        assert "".join(str(path).split()) in flat and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_encoded_words_never_turn_into_header_lines(tmp_path: Path) -> None:
    """A site title and a --to name that are RFC 2047 encoded words carrying CR/LF."""
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        'site:\n  title: "=?utf-8?q?A=0D=0ABcc:_victim@example.org?="\n'
        "  url: https://example.org/\nposts:\n"
        "  - {title: Hej, date: 2020-02-06, author: A, body: Text.}\n", "utf-8")
    result = run("digest", "-r", str(registry), "-o", str(tmp_path / "out"),
                 "--since", "2020-02-01", "--until", "2020-02-09", "--now", NOW,
                 "--to", '"=?utf-8?q?B=0D=0ABcc:_x@y.z?=" <reader@example.org>')
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "out" / "digest.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    for name in ("Subject", "From", "To", "List-Id"):
        assert "\r" not in str(message[name]) and "\n" not in str(message[name]), name
    assert message["To"].addresses[0].addr_spec == "reader@example.org"
    assert "Bcc:_victim@example.org" in str(message["Subject"])  # shown, as text


def test_an_international_site_builds_with_ascii_where_urls_must_be(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: Dagbok\n  url: https://exämple.org/dagbök/\n"
        "  email: info@exämple.org\n  language: sv\n  timezone: Europe/Stockholm\n"
        "posts:\n  - {title: Hej på dig, date: 6 februari 2020, author: Åsa, body: Text.}\n",
        "utf-8")
    out = tmp_path / "out"
    result = run("build", "-r", str(registry), "-o", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    rss = (out / "rss.xml").read_text("utf-8")
    assert "<link>https://xn--exmple-cua.org/dagb%C3%B6k/hej-pa-dig/</link>" in rss
    atom = (out / "atom.xml").read_text("utf-8")
    assert 'href="https://exämple.org/dagbök/hej-pa-dig/"' in atom  # IRIs are fine in Atom
    message = email.message_from_bytes((out / "digest.eml").read_bytes(),
                                       policy=email.policy.default)
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.isascii()
    assert unsubscribe.startswith("<https://xn--exmple-cua.org/dagb%C3%B6k/unsubscribe?token=")
    assert message["From"].addresses[0].domain == "xn--exmple-cua.org"
    assert message["Message-ID"].endswith("@xn--exmple-cua.org>")


@pytest.mark.parametrize(("args", "env", "code", "message"), [
    (["build"], {"SOURCE_DATE_EPOCH": "99999999999999"}, 2,
     "SOURCE_DATE_EPOCH: 99999999999999 seconds since 1970 is past the year 9999"),
    (["build"], {"SOURCE_DATE_EPOCH": "yesterday"}, 2, "is not a whole number of seconds"),
    (["build", "--now", "0001-01-01T00:00+14:00"], {}, 2,
     "lies outside the years 1 to 9999"),
    (["digest", "--until", "9999-12-31", "--period", "week"], {}, 3, "no posts between"),
    (["digest", "--until", "9999-12-31", "--period", "month"], {}, 3, "no posts between"),
    (["digest", "--since", "0001-01-01", "--until", "0001-01-07"], {}, 3, "no posts between"),
    (["send", "--period", "week", "--now", "0001-01-01T00:00+14:00", "--dry-run"], {}, 2,
     "--now"),
])
def test_moments_at_the_ends_of_time(args: list[str], env: dict[str, str], code: int,
                                     message: str, example_registry: Path,
                                     tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*args, "-r", str(example_registry),
                                      *(["-o", str(tmp_path / "out")]
                                        if args[0] != "send" else [])],
                                env={"SOURCE_DATE_EPOCH": "", **env})
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
