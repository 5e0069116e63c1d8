"""What a message in the list's mailbox is: a bounce (hard or soft), a `mailto:`
unsubscribe request, or something else. Reads only the message; the state is
`jobs/inbox.py`'s.

- An RFC 3464 delivery status report (multipart/report; report-type=
  delivery-status): per recipient, Action `failed` with a 5.x.x Status is a hard
  bounce, `failed` with 4.x.x a soft one; `delayed` is a warning and `delivered`,
  `relayed` or `expanded` a success notice, both ignored.
- A `mailto:` unsubscribe: a subject `unsubscribe TOKEN` (as the List-Unsubscribe
  mailto writes it). Without a token it is not acted on: a From address can be
  forged by anyone.
- A bounce that is not a report (older Exim, qmail, Microsoft and others) as
  flufl.bounce recognises it: permanent or temporary failures.
- An auto-reply (Auto-Submitted other than `no`, X-Autoreply, Precedence
  auto_reply) or anything else is ignored.

The recipient comes from the VERP envelope address the report was sent to
(Delivered-To, X-Original-To, Envelope-To, To), else from the Message-ID of the
returned headers, else from the addresses the report names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message

from .verp import read_verp

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNSUBSCRIBE = re.compile(r"^\s*(?:re:\s*)?unsubscribe\b\s*(?P<token>[A-Za-z0-9]*)\s*$",
                          re.IGNORECASE)
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


@dataclass
class Verdict:
    """What a message is; `action` hard, soft, unsubscribe or ignore."""

    action: str
    reason: str
    status: str = ""
    verp: tuple[str, str] | None = None  # (token, period) from the envelope address
    message_ids: list[str] = field(default_factory=list)  # of the returned message
    addresses: list[str] = field(default_factory=list)  # recipients the report names
    token: str = ""  # the unsubscribe token


def classify(data: bytes, bounce_address: str) -> Verdict:
    """Read one message (the bytes of a mailbox file)."""
    from email import message_from_bytes

    message = message_from_bytes(data)
    verp = _verp(message, bounce_address) if bounce_address else None
    report = _report(message)
    if report is not None:
        report.verp = verp
        report.message_ids = _returned_ids(message)
        return report
    subject = " ".join(str(message.get("Subject", "")).split())
    found = _UNSUBSCRIBE.match(subject)
    if found:
        if not found["token"]:
            return Verdict("ignore", "an unsubscribe request without a token: not acted on "
                           "(anyone can forge a From address); answer it by hand, or run "
                           "feedkit unsubscribe ADDRESS")
        return Verdict("unsubscribe", "a mailto: unsubscribe request", token=found["token"])
    temporary, permanent = _flufl(message)
    if permanent or temporary:
        kind = "hard" if permanent else "soft"
        return Verdict(kind, f"a {kind} bounce (not a delivery status report)", verp=verp,
                       message_ids=_returned_ids(message),
                       addresses=sorted(permanent or temporary))
    if _auto_reply(message):
        return Verdict("ignore", "an auto-reply")
    return Verdict("ignore", "not a bounce or an unsubscribe request")


def _verp(message: Message, bounce_address: str) -> tuple[str, str] | None:
    from email.utils import getaddresses

    for name in _ENVELOPE_HEADERS:
        for _, address in getaddresses([str(v) for v in message.get_all(name, [])]):
            found = read_verp(address, bounce_address)
            if found:
                return found
    return None


def _report(message: Message) -> Verdict | None:
    """A delivery status report's verdict, or None when the message isn't one."""
    if message.get_content_type() != "multipart/report" or \
            str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    blocks: list[Message] = []
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status",
                                       "message/global-delivery-status"):
            payload = part.get_payload()
            blocks += [b for b in payload if isinstance(b, Message)] if isinstance(
                payload, list) else []
    worst: Verdict | None = None
    for block in blocks[1:] or blocks:  # the first block is about the whole message
        action = str(block.get("Action", "")).strip().lower()
        if not action:
            continue
        found = _STATUS.search(str(block.get("Status", "")))
        status = ".".join(found.groups()) if found else ""
        recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if action == "failed":
            kind = "hard" if status.startswith("5") or not status else "soft"
            verdict = Verdict(kind, f"a {kind} bounce ({status or 'no status'})", status,
                              addresses=[recipient] if recipient else [])
            if worst is None or (worst.action != "hard" and kind == "hard"):
                worst = verdict
            elif recipient and recipient not in worst.addresses:
                worst.addresses.append(recipient)
        elif worst is None and action == "delayed":
            worst = Verdict("ignore", f"a delay warning ({status or 'no status'}), not a "
                            "bounce: the server is still trying")
        elif worst is None:
            worst = Verdict("ignore", f"a delivery notice (Action: {action}), not a bounce")
    return worst or Verdict("ignore", "a delivery status report without a recipient's "
                            "Action")


def _address(value: object) -> str:
    text = str(value or "")
    _, _, address = text.partition(";")
    return address.strip().strip("<>").lower()


def _returned_ids(message: Message) -> list[str]:
    """Message-IDs of the returned message (its headers, in a message/rfc822 or
    text/rfc822-headers part)."""
    from email import message_from_string

    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            head = message_from_string(payload.decode("utf-8", "replace")
                                       if isinstance(payload, bytes) else str(payload))
        elif kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if not isinstance(inner, list) or not inner or not isinstance(inner[0], Message):
                continue
            head = inner[0]
        else:
            continue
        if head.get("Message-ID"):
            found.append(str(head["Message-ID"]).strip())
    return found


def _flufl(message: Message) -> tuple[set[str], set[str]]:
    """(temporary, permanent) failure addresses flufl.bounce finds."""
    from flufl.bounce import all_failures

    temporary, permanent = all_failures(message)
    return _decoded(temporary), _decoded(permanent)


def _decoded(items: Iterable[bytes | str]) -> set[str]:
    return {(a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a)).strip().lower()
            for a in items}


def _auto_reply(message: Message) -> bool:
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (submitted not in ("", "no") or "X-Autoreply" in message
            or "X-Autorespond" in message or precedence in ("auto_reply", "bulk", "junk"))
