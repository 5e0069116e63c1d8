"""What a whole build from nothing keeps for the next one, made beside it.

The read state (jobs/readstate.py) and the snapshot (jobs/snapshot.py) follow from
what the build read and from posts.lock as it will be written, not from the files
of out/. A large build from nothing forks a process for them as soon as the
registry is read: it saves the read state and prepares the snapshot (its columns,
the registry's copy checked piece by piece) while the build works out posts.lock
and writes out/, on the other core and outside the build's own memory; posts.lock,
once worked out, is sent to it through a pipe, and it stages the snapshot. Once
out/ is committed and the memo of outputs saved, the build stamps the staged
snapshot with the memo and puts it in place; if anything failed, no snapshot is
kept (the next build is a whole one). A build that had a read state before keeps
them in its own process after the build (saving that state may compact the text
store the build reads).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

_HEADER = struct.Struct("<Q")  # the length of the message that follows
# From this many posts on, a process of its own pays for its start.
ASIDE_FROM = 1000


class Aside:
    """The read state and the snapshot of one build, made in a forked process."""

    def __init__(self, reading: Any, state_path: Path, snapshot_path: Path) -> None:
        self.reading = reading
        self.state_path = state_path
        self.snapshot_path = snapshot_path
        self._wait: Callable[[], Any] | None = None
        self._send: int | None = None  # the pipe posts.lock is sent through
        self._writer: Any = None  # the thread sending it

    @property
    def started(self) -> bool:
        return self._wait is not None

    def start(self, now: datetime, templates: str) -> None:
        """Fork the process, if this build reads from nothing and is large; `lock`
        then sends it posts.lock."""
        from ..writers.parallel import in_child

        reading = self.reading
        if reading.state is None or reading.previous is not None or \
                len(reading.rows or ()) < ASIDE_FROM:
            return
        receive, send = os.pipe()
        self._send = send

        def work() -> tuple[str, Path | None] | None:
            from .readstate import save_state
            from .snapshot import finish_taken, prepare_taken

            os.close(send)
            save_state(self.state_path, reading.state, reading.store, None)
            prepared = prepare_taken(self.snapshot_path, reading, now, templates)
            with os.fdopen(receive, "rb") as pipe:
                head = pipe.read(_HEADER.size)
                size = _HEADER.unpack(head)[0] if len(head) == _HEADER.size else 0
                lock = pipe.read(size) if size else b""
            if prepared is None or not size or len(lock) != size:
                return None  # none to keep, or the build stopped before posts.lock
            lock_data, added = pickle.loads(lock)
            return finish_taken(self.snapshot_path, prepared, lock_data, added)

        try:
            self._wait = in_child(work)
        finally:
            os.close(receive)

    def lock(self, lock_data: bytes, added: tuple[Any, ...]) -> None:
        """Send the process posts.lock as the build will write it (its bytes, and the
        entries it adds), from a thread: the pipe holds less than a large lock, and
        the process reads it only once its own work is done."""
        message = pickle.dumps((lock_data, [(post.published, post.id) for post in added]),
                               protocol=pickle.HIGHEST_PROTOCOL)
        self._post(_HEADER.pack(len(message)) + message)

    def _post(self, message: bytes) -> None:
        send, self._send = self._send, None
        if send is None:
            return

        def write() -> None:
            with contextlib.suppress(OSError), os.fdopen(send, "wb") as pipe:
                pipe.write(message)

        import threading

        self._writer = threading.Thread(target=write, daemon=True)
        self._writer.start()

    def finish(self, memo: Path | None) -> None:
        """Wait for the process; put the snapshot in place, stamped with the memo file
        `memo` (None: the memo wasn't saved, so no snapshot is kept)."""
        from .snapshot import keep_staged, stamp

        staged = self._result()
        if memo is None:
            self.abandon_staged()
            return
        keep_staged(self.snapshot_path, staged, stamp(memo))

    def abandon_staged(self) -> None:
        """No snapshot kept, nor a copy of the registry."""
        from .regcopy import remove_copies
        from .snapshot import forget_snapshot

        forget_snapshot(self.snapshot_path)
        remove_copies(self.snapshot_path.parent, self.snapshot_path.stem, "")

    def abandon(self) -> None:
        """The build failed: wait for the process (if one started), keep no snapshot
        (nor the copies of the registry that go with one)."""
        if self.started:
            self._result()
            self.abandon_staged()

    def _result(self) -> tuple[str, Path | None] | None:
        self._post(_HEADER.pack(0))  # nothing sent yet: no lock, no snapshot
        if self._writer is not None:
            self._writer.join()
        wait, self._wait = self._wait, None
        if wait is None:
            return None
        with contextlib.suppress(Exception):  # a cache: any failure keeps none
            found: tuple[str, Path | None] | None = wait()
            return found
        return None
