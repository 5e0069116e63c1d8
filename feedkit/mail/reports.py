"""The machine-readable reports in what comes back: RFC 3464 delivery status
notifications (message/delivery-status, and RFC 6533's message/global-delivery-status)
and RFC 5965 feedback reports (ARF, with RFC 6591's authentication failure reports).

Only parsing lives here; what a report means is bounces.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")


@dataclass
class RecipientStatus:
    """One per-recipient block of a delivery status notification."""

    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # the Status field's x.y.z ("" when missing)
    diagnostic: str  # the Diagnostic-Code without its type ("550 5.1.1 ...")
    final: str  # Final-Recipient's address, lower-case
    original: str  # Original-Recipient's address
    remote_mta: str  # Remote-MTA's host name


@dataclass
class StatusReport:
    """A delivery status notification: who wrote it and one block per recipient."""

    reporting_mta: str
    original_message_id: str  # X-Original-Message-ID (Gmail), else ""
    recipients: list[RecipientStatus] = field(default_factory=list)


@dataclass
class FeedbackReport:
    """An RFC 5965 feedback report (a mailbox provider's feedback loop)."""

    feedback_type: str  # abuse, fraud, other, virus, not-spam, auth-failure
    user_agent: str
    recipients: list[str]  # Original-Rcpt-To (often withheld)
    reported_domain: str
    auth_failure: str  # RFC 6591: dkim, spf, ... ("" otherwise)
    mail_from: str = ""  # Original-Mail-From: the envelope sender (a VERP address)


def _fields(text: str) -> list[list[tuple[str, str]]]:
    """Header-style blocks separated by blank lines, continuation lines joined."""
    blocks: list[list[tuple[str, str]]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if line[:1] in (" ", "\t") and blocks[-1]:
            name, value = blocks[-1][-1]
            blocks[-1][-1] = (name, f"{value} {line.strip()}")
            continue
        found = _FIELD.match(line)
        if found:
            blocks[-1].append((found[1].lower(), found[2].strip()))
    return [b for b in blocks if b]


def _part_text(part: Message) -> str:
    """A message/* part's content as text, however the email package split it."""
    payload = part.get_payload()
    if isinstance(payload, list):
        chunks = []
        for item in payload:
            if isinstance(item, Message):
                head = "\n".join(f"{k}: {v}" for k, v in item.items())
                body = item.get_payload()
                chunks.append(head + ("\n\n" + body if isinstance(body, str) and body else ""))
        return "\n\n".join(chunks)
    if isinstance(payload, str):
        raw = part.get_payload(decode=True)
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else payload
    return ""


def address_of(value: str) -> str:
    """The address in a typed field ("rfc822; a@b", "utf-8; a@b", "<a@b>")."""
    _, _, address = value.rpartition(";")
    return address.strip().strip("<>").strip().lower()


def delivery_status(message: Message) -> StatusReport | None:
    """The message's delivery status notification, or None when it has none."""
    for part in message.walk():
        if part.get_content_type() not in ("message/delivery-status",
                                           "message/global-delivery-status"):
            continue
        blocks = [dict(b) for b in _fields(_part_text(part))]
        if not blocks:
            continue
        head = blocks[0] if "action" not in blocks[0] else {}
        report = StatusReport(address_of(head.get("reporting-mta", "")),
                              head.get("x-original-message-id", ""))
        for block in blocks:
            if "action" not in block:
                continue
            diagnostic = block.get("diagnostic-code", "")
            _, sep, rest = diagnostic.partition(";")
            report.recipients.append(RecipientStatus(
                _first_word(block["action"]).lower(),
                _status(block.get("status", "")), rest.strip() if sep else diagnostic,
                address_of(block.get("final-recipient", "")),
                address_of(block.get("original-recipient", "")),
                _first_word(address_of(block.get("remote-mta", "")))))
        return report
    return None


def _first_word(value: str) -> str:
    """The first word of a field's value ("" when it has none: "dns;" names no host)."""
    words = value.split(maxsplit=1)
    return words[0] if words else ""


def _status(value: str) -> str:
    found = re.search(r"([245])\.(\d{1,3})\.(\d{1,3})", value)
    return ".".join(found.groups()) if found else ""


def feedback_report(message: Message) -> FeedbackReport | None:
    """The message's feedback report (ARF), or None when it has none."""
    for part in message.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        fields: dict[str, list[str]] = {}
        for block in _fields(_part_text(part)):
            for name, value in block:
                fields.setdefault(name, []).append(value)

        def one(name: str, fields: dict[str, list[str]] = fields) -> str:
            return fields.get(name, [""])[0].strip()

        return FeedbackReport(
            one("feedback-type").lower() or "other", one("user-agent"),
            [address_of(v) for v in fields.get("original-rcpt-to", []) if "@" in v],
            one("reported-domain").lower(), one("auth-failure").lower(),
            address_of(one("original-mail-from")))
    if message.get_content_type() == "multipart/report" and str(
            message.get_param("report-type", "")).lower() == "feedback-report":
        return FeedbackReport("other", "", [], "", "")
    return None
