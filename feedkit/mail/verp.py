"""VERP envelope senders: `bounces+TOKEN-PERIOD@domain`, so each bounce names its
recipient and the digest it came back from.

TOKEN is 20 base32 letters of an HMAC of the recipient keyed with FEEDKIT_SECRET:
it can't be made up, and it names no address (Return-Path headers are kept in
mailboxes and logs). `feedkit inbox` finds the recipient by computing the token of
every address the state knows. PERIOD is the kind's letter and the period's first
day (`w20200203`). The local part stays under 64 characters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

TOKEN_LENGTH = 20
_KINDS = {"day": "d", "week": "w", "month": "m"}
_VERP = re.compile(r"^(?P<local>[^@+]+)\+(?P<token>[a-z2-7]{20})-(?P<kind>[dwm])"
                   r"(?P<day>\d{8})@(?P<domain>[^@]+)$", re.IGNORECASE)


def bounce_token(recipient: str, secret: bytes) -> str:
    """The recipient's VERP token (lower-case base32)."""
    mac = hmac.new(secret, b"feedkit-bounce\0" + recipient.strip().lower().encode("utf-8"),
                   hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii").lower()[:TOKEN_LENGTH]


def verp_address(bounce_address: str, recipient: str, period: str, secret: bytes) -> str:
    """The envelope sender for `recipient`'s digest of `period` ("week:2020-02-03")."""
    local, _, domain = bounce_address.rpartition("@")
    kind, _, start = period.partition(":")
    code = _KINDS.get(kind, "d") + start.replace("-", "")
    return f"{local}+{bounce_token(recipient, secret)}-{code}@{domain}"


def read_verp(address: str, bounce_address: str) -> tuple[str, str] | None:
    """(token, period) from a VERP address of `bounce_address`, or None."""
    found = _VERP.match(address.strip().strip("<>"))
    if not found:
        return None
    local, _, domain = bounce_address.rpartition("@")
    if (found["local"].lower(), found["domain"].lower()) != (local.lower(), domain.lower()):
        return None
    kind = {v: k for k, v in _KINDS.items()}[found["kind"].lower()]
    day = found["day"]
    return found["token"].lower(), f"{kind}:{day[:4]}-{day[4:6]}-{day[6:]}"


def token_index(recipients: Iterable[str], secret: bytes) -> dict[str, str]:
    """VERP token -> recipient, for every recipient given."""
    return {bounce_token(r, secret): r.strip().lower() for r in recipients}
