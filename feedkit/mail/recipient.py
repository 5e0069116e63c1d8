"""Whom a bounce or a complaint is about, in order of certainty:

1. the VERP envelope address it was returned to (an HMAC of the recipient);
2. the Message-ID of the returned digest (or the one the report refers to), as
   `feedkit send` recorded it;
3. the signed token in the returned digest's List-Unsubscribe header;
4. the addresses the report names in its fields (Final-Recipient, Original-Recipient,
   X-Failed-Recipients, Original-Rcpt-To, the returned To) that the list knows;
5. in a bounce without such fields, the one address of the list its text names.

A message that names several of the list's addresses in its text only, or none, is
left for a person: never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from .bounces import Verdict


@dataclass
class Directory:
    """What the list knows, to tie a message to a recipient."""

    verp_tokens: dict[str, str]  # VERP token -> recipient
    delivery: Callable[[str], tuple[str, str] | None]  # Message-ID -> (period, recipient)
    known: Collection[str]  # every recipient (lower-case)
    secret: bytes  # FEEDKIT_SECRET, for List-Unsubscribe tokens


@dataclass
class Found:
    """The recipients found, with the digest's period when known, and how."""

    recipients: list[tuple[str, str | None]]
    how: str  # verp, message-id, list-unsubscribe, report, text; or why none


def find_recipient(verdict: Verdict, directory: Directory) -> Found:
    """Who `verdict` is about (see the module's docstring)."""
    if verdict.verp is not None:
        token, period = verdict.verp
        recipient = directory.verp_tokens.get(token)
        if recipient is not None:
            return Found([(recipient, period)], "verp")
    for message_id in verdict.message_ids:
        found = directory.delivery(message_id)
        if found is not None:
            return Found([(found[1], found[0])], "message-id")
    for token in verdict.tokens:
        address = _token_address(token, directory)
        if address is not None:
            return Found([(address, None)], "list-unsubscribe")
    named = [a for a in dict.fromkeys(verdict.addresses) if a in directory.known]
    if named:
        return Found([(a, None) for a in named], "report")
    in_text = [a for a in verdict.named if a in directory.known]
    if len(in_text) == 1:
        return Found([(in_text[0], None)], "text")
    if in_text:
        return Found([], f"its text names {len(in_text)} of the list's addresses")
    return Found([], "for no recipient of this list")


def _token_address(token: str, directory: Directory) -> str | None:
    from .tokens import BadToken, find_address, is_legacy_token, verify

    try:
        address = verify(token, "unsubscribe", directory.secret).lower()
    except BadToken:
        if not is_legacy_token(token):
            return None
        found = find_address(token, directory.known, directory.secret)
        return found.lower() if found else None
    return address if address in directory.known else None
