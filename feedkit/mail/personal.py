"""Personal messages without running the email package per recipient.

What differs between two recipients of one digest is the To header, the
Message-ID (and the MIME boundary derived from it) and the unsubscribe token.
Message-ID and boundary have the same length for everyone, and tokens of the same
length share one template, all in one alphabet ([a-z0-9]), so a message built
once with placeholders of that shape folds, wraps and quoted-printable-encodes
exactly like the real one; only their characters change (the placeholders may be
cut by soft line breaks, which are kept as they are).
The To header is folded on its own by the same policy.

`MessageTemplate.check` compares the result with a message built the slow way;
the sender falls back to the slow way when they differ (say, a custom template
that transforms the unsubscribe URL).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from ..addresses import envelope_address
from ..model import Post, Registry, Site
from ..periods import Window
from ..writers.digest import RenderedDigest, clip_warning, render_digest
from .message import compose, phrase, sender_address, stable_message_id

TOKEN_PLACEHOLDER = "feed" * 16  # a template's token placeholder is cut from this
PLACEHOLDER_RECIPIENT = "placeholder@feedkit.invalid"
# Between two characters of a placeholder: quoted-printable soft breaks ("=\r\n"),
# format=flowed soft breaks (" \r\n", "=20\r\n"), a header folded between two
# encoded-words, or nothing.
_BREAK = rb"(?:(?:=20|=| )*\r\n|\?=\r\n[ \t]=\?utf-8\?q\?)?"

Build = Callable[[str, str, str], EmailMessage]  # (to, message_id, token) -> message


def _spread(text: str) -> re.Pattern[bytes]:
    """A pattern for `text` capturing the soft line breaks between its characters."""
    return re.compile(b"".join(
        re.escape(c.encode("ascii")) + (b"(" + _BREAK + b")" if i < len(text) - 1 else b"")
        for i, c in enumerate(text)))


# A compiled message: literal bytes, or a slot ("token", soft breaks) / ("id", ()).
_Part = bytes | tuple[str, tuple[tuple[int, bytes], ...]]


def _compile(data: bytes, token: re.Pattern[bytes], message_id: bytes) -> list[_Part]:
    """Split `data` at every placeholder so rendering is a join, not a search."""
    parts: list[_Part] = []
    for index, chunk in enumerate(data.split(message_id)):
        if index:
            parts.append(("id", ()))
        position = 0
        for match in token.finditer(chunk):
            parts.append(chunk[position:match.start()])
            cuts = tuple((i + 1, g) for i, g in enumerate(match.groups()) if g)
            parts.append(("token", cuts))
            position = match.end()
        parts.append(chunk[position:])
    return parts


def _fill(parts: list[_Part], token: bytes, message_id: bytes) -> bytes:
    out: list[bytes] = []
    for part in parts:
        if isinstance(part, bytes):
            out.append(part)
        elif part[0] == "id":
            out.append(message_id)
        else:
            start = 0
            for cut, soft_break in part[1]:
                out.append(token[start:cut])
                out.append(soft_break)
                start = cut
            out.append(token[start:])
    return b"".join(out)


_ATEXT_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def to_header(name: str, address: str) -> bytes:
    """The To header line for one recipient, built without the email package's folder.

    Plain names are written as they are, others quoted (email.utils.formataddr);
    names with non-ASCII letters become RFC 2047 encoded-words (email.header),
    split over as many lines as they need. An international domain is written in
    its ASCII (IDNA) form; an address with non-ASCII letters before the @ stays
    UTF-8, which only an SMTPUTF8 hand-over may carry.
    """
    name, address = phrase(name), envelope_address(address)
    if not name:
        line = f"To: {address}"
    elif _ATEXT_NAME.match(name):
        line = f"To: {name} <{address}>"
    elif name.isascii():
        from email.utils import formataddr

        line = f"To: {formataddr((name, address))}"
    else:
        from email.header import Header

        encoded = Header(name, "utf-8", header_name="To").encode(linesep="\r\n")
        line = f"To: {encoded} <{address}>"
    return line.encode("utf-8") + b"\r\n"


def read_to(data: bytes) -> tuple[str, str]:
    """(name, address) of a message's To header, decoded with the RFC 2047 decoder that
    joins adjacent encoded-words correctly (the newer header parser inserts spaces)."""
    from email import message_from_bytes
    from email.header import decode_header, make_header
    from email.utils import parseaddr

    raw = message_from_bytes(data)["To"]
    return parseaddr(str(make_header(decode_header(raw))))


def token_placeholder(length: int) -> str:
    """A stand-in token of `length` characters from the tokens' alphabet."""
    return ("feed" * (length // 4 + 1))[:length]


class MessageTemplate:
    """One built message of a period and language, personalised by substitution."""

    def __init__(self, build: Build, message_id: str, token_length: int = 64) -> None:
        self._build = build
        self._id = message_id
        self.placeholder = placeholder = token_placeholder(token_length)
        message = build(PLACEHOLDER_RECIPIENT, message_id, placeholder)
        self._boundary = (message.get_boundary() or "").encode("ascii")
        self.policy = message.policy.clone(linesep="\r\n")
        data = message.as_bytes(policy=self.policy)
        head, sep, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        start = next(i for i, line in enumerate(lines) if line.lower().startswith(b"to:"))
        end = start + 1
        while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
            end += 1
        token = _spread(placeholder)
        placeholder_id = message_id.encode("ascii")
        self._before = _compile(b"\r\n".join(lines[:start]) + b"\r\n", token, placeholder_id)
        self._after = _compile(b"\r\n".join(lines[end:]) + sep + body, token, placeholder_id)

    def render(self, name: str, address: str, message_id: str, token: str) -> bytes:
        """The message for one recipient, as CRLF bytes ready for SMTP.

        Every recipient's message keeps the template's MIME boundary, which is as
        good as any: quoted-printable bodies can't contain it.
        """
        if len(token) != len(self.placeholder) or len(message_id) != len(self._id):
            return self.slow(name, address, message_id, token)
        token_bytes, id_bytes = token.encode("ascii"), message_id.encode("ascii")
        return (_fill(self._before, token_bytes, id_bytes)
                + to_header(name, address)
                + _fill(self._after, token_bytes, id_bytes))

    def slow(self, name: str, address: str, message_id: str, token: str) -> bytes:
        """The same message built in full by the email package."""
        from email.headerregistry import Address

        message = self._build(str(Address(display_name=phrase(name),
                                          addr_spec=envelope_address(address))),
                              message_id, token)
        if self._boundary:
            message.set_boundary(self._boundary.decode("ascii"))
        return message.as_bytes(policy=self.policy)

    def check(self, name: str, address: str, message_id: str, token: str) -> bool:
        """Whether the fast way gives the bytes the email package gives, but for To.

        The To lines may be written differently (see to_header); they are compared
        by what they mean.
        """
        if not envelope_address(address).isascii():
            address = PLACEHOLDER_RECIPIENT  # the email package can't write such a To
        fast = self.render(name, address, message_id, token)
        slow = self.slow(name, address, message_id, token)
        if read_to(fast) != read_to(slow):
            return False
        return _without_to(fast) == _without_to(slow)


def _without_to(data: bytes) -> bytes:
    head, sep, body = data.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"to:")
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + sep + body


class _Composer:
    """Builds one recipient's message in full with the email package (picklable, so a
    rendering travels to another process with its Letters)."""

    def __init__(self, rendered: RenderedDigest, site: Site, date: datetime) -> None:
        self.rendered, self.site, self.date = rendered, site, date

    def __call__(self, to: str, message_id: str, token: str) -> EmailMessage:
        return compose(self.rendered, self.site, to=to, token=token, message_id=message_id,
                       date=self.date)


class Letters:
    """One period's digest in one language: rendered once, personalised per recipient.

    Recipients whose tokens have the same length share a template. Each template's
    first message is built both ways (substitution and the email package); if they
    differ, that template falls back to the email package for everyone.
    """

    def __init__(self, registry: Registry, window: Window, posts: Sequence[Post], *,
                 language: str, template_dirs: tuple[Path, ...], date: datetime,
                 log: Callable[[str], None], label: str) -> None:
        site = registry.site
        rendered = render_digest(registry, window, language=language,
                                 template_dirs=template_dirs, posts=posts)
        if warning := clip_warning(rendered):
            log(f"{label}: warning: {warning}")
        self.site = site
        self.window = window
        self.envelope = sender_address(site)
        self._build = _Composer(rendered, site, date)
        self._templates: dict[int, tuple[MessageTemplate, bool]] = {}
        self._lock = threading.Lock()
        self.log = log
        self.label = label

    def __getstate__(self) -> dict[str, object]:
        """Pickled without its lock and log (the other process logs its own way)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "log")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self.log = lambda text: None

    def message_id(self, recipient: str) -> str:
        """The recipient's Message-ID for this period: the same on every run."""
        return stable_message_id(self.site, self.window, recipient)

    def message(self, name: str, address: str, recipient: str, token: str
                ) -> tuple[str, bytes]:
        """(Message-ID, CRLF bytes) of this recipient's message."""
        message_id = self.message_id(recipient)
        known = self._templates.get(len(token))
        if known is None:
            with self._lock:  # several threads personalise at once; one builds it
                known = self._templates.get(len(token))
                if known is None:
                    template = MessageTemplate(self._build,
                                               self.message_id(PLACEHOLDER_RECIPIENT),
                                               len(token))
                    fast = template.check(name, address, message_id, token)
                    if not fast:
                        self.log(f"{self.label}: the template can't be personalised by "
                                 "substitution; building each message in full (slower)")
                    known = self._templates[len(token)] = (template, fast)
        template, fast = known
        if fast:
            return message_id, template.render(name, address, message_id, token)
        return message_id, template.slow(name, address, message_id, token)
