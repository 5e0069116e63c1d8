"""One `feedkit send` at a time per state file: an flock() the kernel drops on exit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StateError


class StateLocked(StateError):
    """Another `feedkit send` holds the lock on this state file."""


@contextmanager
def send_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a state file for a whole send run, or raise StateLocked.

    A lock file beside the database with flock(): the kernel releases it when the
    process ends, even on SIGKILL, so a crashed run never blocks the next one. It is
    taken before the database is opened, so a second run touches nothing.
    """
    import fcntl

    lock_path = Path(f"{path}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"{lock_path}: can't create the lock file: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise StateLocked(f"another feedkit send is running on {path}{who}; nothing "
                              "was sent by this one. Run it again once the other has "
                              "finished.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)
