"""Where `feedkit inbox` reads what came back: a Maildir, an mbox file, one message on
standard input (a mail server's pipe transport), or an IMAP mailbox over TLS
(imapbox.py).

Each gives (name, bytes) pairs and hears back whether the message was acted on:
a Maildir moves it from new/ to cur/ (read when acted on, unread otherwise, so a
person still sees what was left for them); an mbox file is only read, never
rewritten (the mail server may be appending to it): a report read twice counts
once all the same, as every report is recorded by a hash of its bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import UsageError


class Mailbox(Protocol):
    """A source of messages."""

    def messages(self) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of each message to read."""
        ...  # pragma: no cover

    def done(self, name: str, acted: bool) -> None:
        """The message `name` was read; `acted` when something was done about it."""
        ...  # pragma: no cover

    def close(self) -> None:
        """Let go of the mailbox (a connection, a lock)."""
        ...  # pragma: no cover


class MaildirBox:
    """A Maildir: reads new/, moves each message read to cur/."""

    def __init__(self, path: Path) -> None:
        if not (path / "new").is_dir() or not (path / "cur").is_dir():
            raise UsageError("--maildir", f"{path} is not a Maildir (it needs new/ and cur/)")
        self.path = path

    def messages(self) -> Iterator[tuple[str, bytes]]:
        for name in sorted(os.listdir(self.path / "new")):
            if not name.startswith("."):
                yield name, (self.path / "new" / name).read_bytes()

    def done(self, name: str, acted: bool) -> None:
        os.replace(self.path / "new" / name,
                   self.path / "cur" / f"{name.split(':')[0]}:2,{'S' if acted else ''}")

    def close(self) -> None:
        pass


class MboxBox:
    """An mbox file, read only; messages are named `FILE#N` (N from 1)."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise UsageError("--mbox", f"{path} is not a file")
        self.path = path

    def messages(self) -> Iterator[tuple[str, bytes]]:
        import mailbox

        box = mailbox.mbox(self.path, create=False)
        try:
            for number, key in enumerate(box.iterkeys(), 1):
                yield f"{self.path.name}#{number}", box.get_bytes(key)
        finally:
            box.close()

    def done(self, name: str, acted: bool) -> None:
        pass

    def close(self) -> None:
        pass


class StdinBox:
    """One message on standard input (`feedkit inbox -`, for an MTA's pipe). An mbox
    `From ` line before it (Postfix pipe's F flag) is dropped."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def messages(self) -> Iterator[tuple[str, bytes]]:
        data = self.stream.read()
        if data.startswith(b"From "):
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        if not data.strip():
            raise UsageError("-", "standard input holds no message")
        yield "stdin", data

    def done(self, name: str, acted: bool) -> None:
        pass

    def close(self) -> None:
        pass
