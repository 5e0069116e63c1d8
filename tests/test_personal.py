"""Personalising one built digest per recipient by substitution, checked against the
email package building each message in full."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import pytest
from send_helpers import REGISTRY

from feedkit.load.registry import loads
from feedkit.mail.message import build_message, default_list_id, sender_for, stable_message_id
from feedkit.mail.personal import PLACEHOLDER_RECIPIENT, MessageTemplate, read_to, to_header
from feedkit.mail.tokens import make_token, unsubscribe_url
from feedkit.periods import window_for_period
from feedkit.writers.digest import render_digest

NAMES = ["", "User 1", "Anna Åberg", 'Bo "The Boss", Jr.', " ".join(["Ünïcödé"] * 12),
         "O'Neil-Smith"]


@pytest.fixture(scope="module", params=["https://lab.example.org/u", "https://e.org/u?l=1"])
def template(request: pytest.FixtureRequest) -> tuple[MessageTemplate, object, object]:
    text = REGISTRY.replace("  email: news@lab.example.org\n",
                            f"  email: news@lab.example.org\n  unsubscribe_url: {request.param}\n")
    registry = loads(text.encode("utf-8"))
    site = registry.site
    window = window_for_period("week", datetime(2020, 2, 5).date())
    rendered = render_digest(registry, window, language="sv")

    def build(to: str, message_id: str, token: str):
        return build_message(
            rendered, to=to, sender=sender_for(site), message_id=message_id,
            date=datetime(2020, 2, 10, tzinfo=UTC),
            unsubscribe_url=unsubscribe_url(site.unsubscribe_url, token),
            list_id=default_list_id(site),
            unsubscribe_mailto=f"mailto:news@lab.example.org?subject=unsubscribe%20{token}")

    placeholder_id = stable_message_id(site, window, PLACEHOLDER_RECIPIENT)
    return MessageTemplate(build, placeholder_id), site, window


@pytest.mark.parametrize("name", NAMES)
def test_substitution_gives_the_same_message_as_the_email_package(template, name) -> None:
    tmpl, site, window = template
    address = f"reader{len(name)}@example.org"
    token = make_token(address, b"secret-secret-secret")
    message_id = stable_message_id(site, window, address)
    assert tmpl.check(name, address, message_id, token)
    fast = email.message_from_bytes(tmpl.render(name, address, message_id, token),
                                    policy=policy.default)
    slow = email.message_from_bytes(tmpl.slow(name, address, message_id, token),
                                    policy=policy.default)
    assert read_to(fast.as_bytes()) == read_to(slow.as_bytes()) == (name, address)
    for header in ("Message-ID", "List-Unsubscribe", "Subject", "From", "Date"):
        assert str(fast[header]) == str(slow[header]), header
    assert token in str(fast["List-Unsubscribe"])
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()
    assert "feedfeed" not in tmpl.render(name, address, message_id, token).decode("ascii")


def test_a_template_that_hides_the_token_is_detected(template) -> None:
    tmpl, site, window = template
    # A token of another length can't be substituted: the message is built in full.
    message_id = stable_message_id(site, window, "a@example.org")
    data = tmpl.render("A", "a@example.org", message_id, "abc")
    assert b"token=abc" in data


@pytest.mark.parametrize("name", NAMES)
def test_to_header_reads_back_as_the_same_address(name: str) -> None:
    line = to_header(name, "x@example.org")
    assert line.endswith(b"\r\n") and line.isascii()
    assert read_to(line + b"\r\n") == (name, "x@example.org")
    if len(name) < 40:
        assert all(len(part) <= 78 for part in line.split(b"\r\n"))
