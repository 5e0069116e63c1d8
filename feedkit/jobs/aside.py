"""What a whole build from nothing keeps for the next one, made beside it.

The read state (jobs/readstate.py) and the snapshot (jobs/snapshot.py) follow from
what the build read and from posts.lock as it will be written, not from the files
of out/. A large build from nothing forks a process for them as soon as the lock
is worked out: it saves the read state and stages the snapshot (its columns, the
registry's copy checked piece by piece, the pickle) while the build writes out/,
on the other core, and outside the build's own memory. Once out/ is committed and
the memo of outputs saved, the build stamps the staged snapshot with the memo and
puts it in place; if anything failed, no snapshot is kept (the next build is a
whole one). A build that had a read state before keeps them in its own process
after the build (saving that state may compact the text store the build reads).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

# From this many posts on, a process of its own pays for its start.
ASIDE_FROM = 1000


class Aside:
    """The read state and the snapshot of one build, made in a forked process."""

    def __init__(self, reading: Any, state_path: Path, snapshot_path: Path) -> None:
        self.reading = reading
        self.state_path = state_path
        self.snapshot_path = snapshot_path
        self._wait: Callable[[], Any] | None = None

    @property
    def started(self) -> bool:
        return self._wait is not None

    def start(self, now: datetime, templates: str, lock_data: bytes,
              added: tuple[Any, ...]) -> None:
        """Fork the process, if this build reads from nothing and is large."""
        from ..writers.parallel import in_child

        reading = self.reading
        if reading.state is None or reading.previous is not None or \
                len(reading.rows or ()) < ASIDE_FROM:
            return

        def work() -> tuple[str, Path | None] | None:
            from .readstate import save_state
            from .snapshot import stage_taken

            save_state(self.state_path, reading.state, reading.store, None)
            return stage_taken(self.snapshot_path, reading, now, templates, lock_data,
                               added)

        self._wait = in_child(work)

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
        wait, self._wait = self._wait, None
        if wait is None:
            return None
        with contextlib.suppress(Exception):  # a cache: any failure keeps none
            found: tuple[str, Path | None] | None = wait()
            return found
        return None
