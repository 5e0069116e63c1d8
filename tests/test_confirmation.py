"""The list's own messages (confirmation, unsubscribe link) made once per kind and
language and personalised by substitution: the same bytes as the email package
building each in full, a Date of their own, and a custom template that defeats
substitution still gets a right message."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from send_helpers import REGISTRY

from feedkit.load.registry import loads
from feedkit.mail.confirmation import ListLetters, MailLinks, _compose
from feedkit.mail.personal import to_header
from feedkit.mail.tokens import sign, verify

SECRET = b"secret-secret-secret"
SITE = loads(REGISTRY.encode("utf-8")).site
LINKS = MailLinks(SITE.url + "confirm", SITE.url + "unsubscribe")
NOW = datetime(2026, 12, 4, 7, 30, 5, tzinfo=UTC)
ADDRESSES = ["a@example.org", "reader.with.a.rather.long.local.part@sub.example.org",
             "bo@exämple.se", "åsa@example.org"]


def _without_to(data: bytes) -> bytes:
    head, sep, body = data.partition(b"\r\n\r\n")
    return b"\r\n".join(line for line in head.split(b"\r\n")
                        if not line.lower().startswith(b"to:")) + sep + body


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
@pytest.mark.parametrize("language", ["sv", "en", None])
@pytest.mark.parametrize("address", ADDRESSES)
def test_substitution_gives_the_email_packages_message(kind, language, address) -> None:
    letters = ListLetters(SITE, LINKS, days=7)
    token = sign(kind, address.lower(), SECRET, expires=2_000_000_000 if kind == "confirm"
                 else None)
    data = letters.message(kind, address, language, token, NOW)
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert parsed["Date"].datetime == NOW
    assert to_header("", address) in data  # the bare address, its domain in ASCII
    link = LINKS.url(kind, token)
    assert link in parsed.get_content().replace("\r\n", "\n")
    assert verify(link.rpartition("token=")[2], kind, SECRET) == address.lower()
    ascii_to = address if address.isascii() else "placeholder@example.org"
    full = _compose(SITE, to=ascii_to, language=language or SITE.language, kind=kind,
                    url=link, context={"days": 7} if kind == "confirm" else {}, now=NOW,
                    message_id=parsed["Message-ID"], template_dirs=())
    assert _without_to(data) == _without_to(full.as_bytes(
        policy=full.policy.clone(linesep="\r\n")))
    # every message is a new one: a Message-ID of its own, of the same length
    again = email.message_from_bytes(letters.message(kind, address, language, token, NOW),
                                     policy=policy.default)
    assert again["Message-ID"] != parsed["Message-ID"]
    assert len(again["Message-ID"]) == len(parsed["Message-ID"])
    # and it was made by substitution, not by the email package
    assert [fast for _, fast in letters._templates.values()] == [True]


def test_a_template_that_changes_the_link_falls_back_to_building_in_full(tmp_path: Path
                                                                         ) -> None:
    folder = tmp_path / "list"
    folder.mkdir()
    (folder / "confirm-mail.txt.j2").write_text(
        "Open {{ confirm_url|upper }} within {{ days }} days.\n",
        encoding="utf-8")
    letters = ListLetters(SITE, LINKS, days=7, template_dirs=(tmp_path,))
    for address in ("a@example.org", "b@example.org"):
        token = sign("confirm", address, SECRET)
        text = email.message_from_bytes(letters.message("confirm", address, "en", token, NOW),
                                        policy=policy.default).get_content()
        assert f"Open {LINKS.url('confirm', token).upper()} within 7 days" in text
    assert [fast for _, fast in letters._templates.values()] == [False]
