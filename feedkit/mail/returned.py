"""What a returned message says about the mail it returns: the human-readable text
of a bounce (up to where the copy of the original begins), the original's headers
(attached as message/rfc822 or text/rfc822-headers, or pasted below a marker line
as qmail, Exim, Sendmail, GroupWise and Yahoo do), and the clues in them that name
the recipient: Message-IDs, the List-Unsubscribe token, the envelope (VERP)
address and the addresses a bounce names.
"""

from __future__ import annotations

import re
from email.message import Message

# Lines after which a bounce pastes the original message (qmail and Yahoo, Exim,
# Sendmail, GroupWise, Courier, Domino, Zoho, Microsoft's older NDRs).
_COPY = re.compile(
    r"^\s*(?:-+ ?below this line is a copy of the message|-+ ?this is a copy of the message"
    r"|-+ ?original message (?:follows|headers? follows?)|possibly truncated original message "
    r"follows|-+ ?the header of the original message is following|-+ ?original message ?-+"
    r"|-+ ?returned mail follows|-+ ?start of returned message|original message follows"
    r"|-+ ?the (?:original|returned) message|-+ ?message headers follow|-+ ?forwarded message)"
    r".*$", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*"
                      r"[A-Za-z0-9])?\.[A-Za-z]{2,}")
_TOKEN_URL = re.compile(r"[?&]token=([A-Za-z0-9]+)")
_TOKEN_MAILTO = re.compile(r"subject=unsubscribe(?:%20|\+|\s)+([A-Za-z0-9]+)", re.IGNORECASE)
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To",
                    "X-Original-Recipient", "To")


def _decoded(part: Message) -> str:
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def _html_text(html: str) -> str:
    """The text of an HTML part (Exchange's NDRs are HTML only): no network, no entities."""
    from lxml import html as lxml_html

    html = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", html)  # not in XML text
    try:
        tree = lxml_html.fromstring(html)
        for tag in tree.iter("br", "p", "div", "tr", "li"):
            tag.tail = "\n" + (tag.tail or "")
        return str(tree.text_content())  # type: ignore[attr-defined]  # an HtmlElement
    except Exception:  # lxml raises several kinds on an empty or broken document
        return re.sub(r"<[^>]*>", " ", html)


def bounce_text(message: Message) -> str:
    """The human-readable text of a bounce, without the returned copy of the original:
    text parts outside any attached message (the HTML part when there is no plain one)."""
    plain: list[str] = []
    html: list[str] = []

    def visit(part: Message) -> None:
        kind = part.get_content_type()
        if part.get_content_maintype() == "message" or kind == "text/rfc822-headers":
            return
        if part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    visit(sub)
        elif kind == "text/plain":
            plain.append(_decoded(part))
        elif kind == "text/html":
            html.append(_html_text(_decoded(part)))

    visit(message)
    text = "\n".join(plain) if plain else "\n".join(html)
    cut = _COPY.search(text)
    return text[:cut.start()] if cut else text


def returned_headers(message: Message) -> list[Message]:
    """The headers of the returned original (attached, or pasted below a marker)."""
    from email.parser import HeaderParser

    found: list[Message] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found.append(inner[0])
        elif kind in ("text/rfc822-headers", "text/global-headers"):
            found.append(HeaderParser().parsestr(_decoded(part).lstrip()))
        elif kind == "text/plain" and not found:
            text = _decoded(part)
            cut = _COPY.search(text)
            if cut:
                head = HeaderParser().parsestr(text[cut.end():].lstrip("\r\n"))
                if head.keys():
                    found.append(head)
    return found


def message_ids(message: Message, headers: list[Message]) -> list[str]:
    """Message-IDs that may be of the mail that came back: the returned headers', then
    those the bounce refers to (In-Reply-To, References: Gmail's and others')."""
    ids: list[str] = []
    for head in headers:
        ids += [str(v) for v in head.get_all("Message-ID", [])]
    for name in ("X-Original-Message-ID", "In-Reply-To", "References"):
        for value in message.get_all(name, []):
            ids += re.findall(r"<[^<>\s]+>", str(value))
    seen: list[str] = []
    for value in (i.strip() for i in ids):
        if value and value not in seen:
            seen.append(value)
    return seen


def unsubscribe_tokens(headers: list[Message]) -> list[str]:
    """The tokens in the returned original's List-Unsubscribe (its URL and mailto)."""
    tokens: list[str] = []
    for head in headers:
        for value in head.get_all("List-Unsubscribe", []):
            text = " ".join(str(value).split())
            tokens += _TOKEN_URL.findall(text) + _TOKEN_MAILTO.findall(text)
    return list(dict.fromkeys(tokens))


def envelope_addresses(message: Message, headers: list[Message]) -> list[str]:
    """Addresses the message was delivered to (where a VERP address shows), and the
    returned original's Return-Path (a feedback report's copy keeps it)."""
    from email.utils import getaddresses

    values = [str(v) for name in ENVELOPE_HEADERS for v in message.get_all(name, [])]
    values += [str(v) for head in headers for v in head.get_all("Return-Path", [])]
    return [a for _, a in getaddresses(values) if a]


def named_addresses(text: str) -> list[str]:
    """Every address in a bounce's text, lower-case, in order, once."""
    return list(dict.fromkeys(a.lower().strip(".") for a in _ADDRESS.findall(text)))


def recipients_named(headers: list[Message]) -> list[str]:
    """Who the returned original was for: its To, and Microsoft's feedback loop's
    X-HmXmrOriginalRecipient."""
    from email.utils import getaddresses

    values = [str(v) for head in headers for name in ("X-HmXmrOriginalRecipient", "To")
              for v in head.get_all(name, [])]
    return [a.lower() for _, a in getaddresses(values) if "@" in a]
