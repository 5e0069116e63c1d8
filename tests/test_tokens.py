"""Unsubscribe tokens: HMAC-SHA256 of the address with FEEDKIT_SECRET."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from feedkit.mail.tokens import (
    MissingSecret,
    find_address,
    make_token,
    secret_from_env,
    token_matches,
    unsubscribe_url,
)

SECRET = b"a-secret-of-enough-length"


def test_token_is_hmac_sha256_of_the_lowercased_address() -> None:
    expected = hmac.new(SECRET, b"anna@example.org", hashlib.sha256).hexdigest()
    assert make_token(" Anna@Example.org ", SECRET) == expected


def test_tokens_differ_by_address_and_secret() -> None:
    token = make_token("a@example.org", SECRET)
    assert token != make_token("b@example.org", SECRET)
    assert token != make_token("a@example.org", SECRET + b"x")
    assert token_matches(token, "A@EXAMPLE.ORG", SECRET)
    assert not token_matches(token, "a@example.org", b"another-secret-value")


def test_find_address() -> None:
    token = make_token("b@example.org", SECRET)
    assert find_address(token, ["a@example.org", "B@example.org"], SECRET) == "B@example.org"
    assert find_address(token, ["a@example.org"], SECRET) is None


def test_secret_from_env() -> None:
    assert secret_from_env({"FEEDKIT_SECRET": "x" * 16}) == b"x" * 16
    with pytest.raises(MissingSecret, match="FEEDKIT_SECRET is not set"):
        secret_from_env({})
    with pytest.raises(MissingSecret, match="shorter than 16"):
        secret_from_env({"FEEDKIT_SECRET": "short"})


def test_unsubscribe_url_keeps_an_existing_query() -> None:
    assert unsubscribe_url("https://e.org/u", "T") == "https://e.org/u?token=T"
    assert unsubscribe_url("https://e.org/u?list=1", "T") == "https://e.org/u?list=1&token=T"
