"""Progress for `feedkit send`: a rich bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class PlainReporter:
    """One line per event, flushed at once: good for cron mail and CI logs."""

    def __init__(self, stream: TextIO | None = None, every: int = 500) -> None:
        self.stream = stream or sys.stdout
        self.every = every
        self._label = ""
        self._total = 0
        self._count = 0

    def log(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._count = label, total, 0
        self.log(f"{label}: sending to {total} recipient(s)")

    def advance(self) -> None:
        self._count += 1
        if self._count % self.every == 0 and self._count < self._total:
            self.log(f"{self._label}: {self._count}/{self._total}")

    def done(self) -> None:
        self.log(f"{self._label}: handled {self._count}/{self._total}")

    def outcome(self, period: str, recipient: str, status: str,
                reason: str | None = None) -> None:
        """One delivery's outcome: shown only as a log record (feedkit.logs)."""


class RichReporter:
    """A live progress bar per period; log lines print above it."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(highlight=False)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def log(self, text: str) -> None:
        self.console.print(text, markup=False)

    def start(self, label: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        progress = Progress(TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TimeRemainingColumn(),
                            console=self.console, transient=False)
        progress.start()
        self._task = progress.add_task(label, total=total)
        self._progress = progress

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def done(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def outcome(self, period: str, recipient: str, status: str,
                reason: str | None = None) -> None:
        """One delivery's outcome: shown only as a log record (feedkit.logs)."""


def reporter_for(stream: TextIO | None = None) -> PlainReporter | RichReporter:
    """RichReporter when writing to a terminal, else PlainReporter."""
    stream = stream or sys.stdout
    return RichReporter() if stream.isatty() else PlainReporter(stream)
