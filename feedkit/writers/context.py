"""What every writer gets, and what a writer is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Protocol

from ..model import Registry
from .catalogue import Catalogue, build_catalogue
from .memo import RenderMemo


class Outputs(Protocol):
    """Where writers put their files (see feedkit.outputs)."""

    def add(self, relpath: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class BuildContext:
    """The registry, the moment "now" and template folders; the catalogue of feeds."""

    registry: Registry
    now: datetime
    template_dirs: tuple[Path, ...] = ()
    memo: RenderMemo | None = None  # archive pages kept from the last build

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every feed of this build, worked out once."""
        return build_catalogue(self.registry, self.now)


class Writer(Protocol):
    """A writer adds its files to the outputs."""

    def write(self, context: BuildContext, outputs: Outputs) -> None: ...


class Isolated:
    """Writers run in a forked child process when the build is large.

    What they import and allocate (premailer and cssutils for the digest, some
    16 MB) then never enters the build's own process; put first, the child is
    forked while the build is still small, so the build's peak memory stays low.
    """

    def __init__(self, *writers: Writer) -> None:
        self.writers = writers

    def start(self, context: BuildContext) -> Callable[[Outputs], None]:
        """Start the writers; the function returned adds their files when they're done
        (meanwhile the build goes on with the other writers)."""
        from ..outputs import OutputSet
        from .parallel import PARALLEL_FROM, in_child

        def run() -> dict[str, bytes]:
            memory = OutputSet()
            for writer in self.writers:
                writer.write(context, memory)
            return memory.files

        if len(context.registry.posts) >= PARALLEL_FROM:
            files = in_child(run)
        else:
            done = run()
            files = lambda: done  # noqa: E731 - the same shape as in_child's

        def finish(outputs: Outputs) -> None:
            for path, data in files().items():
                outputs.add(path, data)

        return finish

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        self.start(context)(outputs)
