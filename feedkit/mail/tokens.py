"""Signed tokens, keyed with FEEDKIT_SECRET: `sign`/`verify` make and check tokens
that name their address and purpose (unsubscribe, confirm, form); `make_token` is
the older bare HMAC of an address, still accepted from mail already sent and used
by the preview."""

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


# -- signed tokens that carry their subject (issue 11) ---------------------------
# body: base32 (lower case, unpadded) of "<purpose letter><expiry or empty>:<subject>";
# then 32 hex digits of HMAC-SHA256(secret, purpose, body). Only [a-z0-9]: no escaping
# in URLs, quoted-printable or encoded-words, and no line-break preference.
PURPOSES = {"unsubscribe": "u", "confirm": "c", "form": "f"}
MAC_LENGTH = 32


class BadToken(FeedkitError):
    """A token that is forged, cut short, expired or made for another purpose."""


def _mac(secret: bytes, purpose: str, body: str) -> str:
    message = f"feedkit-token\0{purpose}\0{body}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:MAC_LENGTH]


def sign(purpose: str, subject: str, secret: bytes, *, expires: int | None = None) -> str:
    """A token for `subject` (an address, or a form's name) and `purpose`;
    `expires` is a Unix time after which verify() refuses it."""
    import base64

    payload = f"{PURPOSES[purpose]}{'' if expires is None else expires}:{subject}"
    body = base64.b32encode(payload.encode("utf-8")).decode("ascii").rstrip("=").lower()
    return body + _mac(secret, purpose, body)


def verify(token: str, purpose: str, secret: bytes, *, now: float | None = None) -> str:
    """The subject of a good token of this purpose, or BadToken saying why not."""
    import base64
    import binascii
    import time

    token = token.strip()
    body, mac = token[:-MAC_LENGTH], token[-MAC_LENGTH:]
    if len(token) <= MAC_LENGTH or not token.isascii() or not token.isalnum():
        raise BadToken("the link is not complete or not a feedkit link")
    if not hmac.compare_digest(mac, _mac(secret, purpose, body)):
        raise BadToken("the link's signature does not match (changed, cut short, made for "
                       "something else or with another secret)")
    try:
        padded = body.upper() + "=" * (-len(body) % 8)
        payload = base64.b32decode(padded).decode("utf-8")
    except (binascii.Error, ValueError):
        raise BadToken("the link can't be read") from None
    head, _, subject = payload.partition(":")
    if head[:1] != PURPOSES[purpose]:
        raise BadToken("the link was made for something else")
    if head[1:]:
        moment = time.time() if now is None else now
        if not head[1:].isdigit() or int(head[1:]) < moment:
            raise BadToken("the link has expired")
    return subject


def is_legacy_token(token: str) -> bool:
    """Whether `token` has the form of an unsubscribe token made before issue 11
    (64 hex digits of HMAC-SHA256 over the address): see make_token."""
    token = token.strip()
    return len(token) == 64 and all(c in "0123456789abcdef" for c in token)


def token_from(value: str) -> str:
    """The token in an unsubscribe or confirmation URL (its `token=` parameter), or
    `value` itself when it is a bare token."""
    from urllib.parse import parse_qs

    value = value.strip()
    if "?" in value or "token=" in value:
        found = parse_qs(urlsplit(value).query).get("token")
        if found:
            return found[0].strip()
    return value
