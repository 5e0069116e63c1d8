"""Idempotent delivery into a Maildir: a message's file name comes from its Message-ID.

A resumed delivery (the process was killed after writing the file but before the
state recorded it as sent) finds the file it already wrote instead of writing a
second one. Files are written in tmp/ as `<name>.<pid>`, fsynced and hard-linked
into new/ (link() refuses an existing name, so two writers can't both deliver);
files a killed writer left in tmp/ are removed once that process is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from pathlib import Path

from .handover import SetupError, TransportError

PREFIX = "feedkit-"
STALE_SECONDS = 36 * 3600  # the Maildir convention for anyone else's tmp/ files
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(.*?)\r?$", re.IGNORECASE | re.MULTILINE)
_OURS = re.compile(rf"^{PREFIX}[0-9a-f]{{40}}\.(\d+)$")


def message_name(data: bytes, recipient: str) -> str:
    """The file name for a message: a hash of its Message-ID and envelope recipient
    (of the whole message when it has no Message-ID)."""
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    key = found.group(1).strip() if found else hashlib.sha256(data).digest()
    digest = hashlib.sha1(key + b"\n" + recipient.lower().encode("utf-8")).hexdigest()
    return f"{PREFIX}{digest}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class MaildirTransport:
    """Delivers into a standard Maildir (tmp/, new/, cur/) any mail client can open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"Maildir {path}"
        self._ready = False
        self.skipped = 0  # messages found already delivered

    def _prepare(self) -> None:
        """Create tmp/, new/ and cur/ (also inside an existing empty folder) and
        remove the partial files a killed writer left in tmp/."""
        try:
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise SetupError(f"can't create the Maildir {self.path}: {exc.strerror}") from None
        now = time.time()
        for entry in os.scandir(self.path / "tmp"):
            ours = _OURS.match(entry.name)
            with contextlib.suppress(OSError):
                if (ours and not _alive(int(ours.group(1)))) \
                        or now - entry.stat().st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
        self._ready = True

    def open(self) -> None:
        if not self._ready:
            self._prepare()

    def delivered(self, name: str) -> bool:
        """Whether a message of this name is already in new/ or cur/ (any flags)."""
        if (self.path / "new" / name).exists():
            return True
        cur = self.path / "cur"
        return (cur / name).exists() or any(cur.glob(f"{name}:*"))

    def send(self, data: bytes, sender: str, recipient: str) -> None:
        if not self._ready:
            self._prepare()
        name = message_name(data, recipient)
        if self.delivered(name):
            self.skipped += 1
            return
        tmp = self.path / "tmp" / f"{name}.{os.getpid()}"
        try:
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                           "wb") as file:
                file.write(data.replace(b"\r\n", b"\n"))
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(tmp, self.path / "new" / name)
            except FileExistsError:
                self.skipped += 1
            os.unlink(tmp)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise TransportError(f"can't write to {self.path}: {exc.strerror}",
                                 temporary=True, connection=True) from None

    def close(self) -> None:
        self._ready = False
