"""Unsubscribe tokens: HMAC-SHA256 of the address, keyed with FEEDKIT_SECRET."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import FeedkitError

SECRET_ENV = "FEEDKIT_SECRET"
MIN_SECRET_LENGTH = 16


class MissingSecret(FeedkitError):
    """FEEDKIT_SECRET is not set (or too short) but a token is needed."""


def secret_from_env(environ: dict[str, str] | None = None) -> bytes:
    """The signing secret, or MissingSecret saying how to set one."""
    value = (environ if environ is not None else os.environ).get(SECRET_ENV, "")
    if len(value) < MIN_SECRET_LENGTH:
        state = "is not set" if not value else f"is shorter than {MIN_SECRET_LENGTH} characters"
        raise MissingSecret(
            f"{SECRET_ENV} {state}; unsubscribe links are signed with it. Set it to a long "
            "random string kept the same between runs, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value.encode("utf-8")


def make_token(address: str, secret: bytes) -> str:
    """The token for `address` (case-insensitive): 64 lower-case hex digits.

    Hex needs no escaping anywhere: in URLs, quoted-printable or encoded-words.
    """
    return hmac.new(secret, address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def token_matches(token: str, address: str, secret: bytes) -> bool:
    """Whether `token` was made for `address` with `secret` (constant-time compare)."""
    return hmac.compare_digest(token.strip(), make_token(address, secret))


def find_address(token: str, addresses: Iterable[str], secret: bytes) -> str | None:
    """The address among `addresses` the token was made for, if any."""
    for address in addresses:
        if token_matches(token, address, secret):
            return address
    return None


def unsubscribe_url(base: str, token: str) -> str:
    """`base` with `token=...` added to its query string."""
    parts = urlsplit(base)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=f"{query}token={quote(token)}"))
