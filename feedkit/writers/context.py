"""What every writer gets, and what a writer is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Protocol

from ..model import Registry
from .catalogue import Catalogue, build_catalogue
from .memo import RenderMemo


class Outputs(Protocol):
    """Where writers put their files (see feedkit.outputs); `keep` takes a file the
    last build wrote, left in out/ as it is (its SHA-256 given)."""

    def add(self, relpath: str, data: bytes) -> None: ...

    def keep(self, relpath: str, digest: str) -> None: ...


@dataclass(frozen=True)
class BuildContext:
    """The registry, the moment "now" and template folders; the catalogue of feeds."""

    registry: Registry
    now: datetime
    template_dirs: tuple[Path, ...] = ()
    memo: RenderMemo | None = None  # files kept from the last build
    templates_key: str = ""  # SHA-256 of the templates and translations the build reads
    helper: Any = None  # a Helper process for the Isolated writers (writers/helper.py)

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
    A Memoized writer whose files are kept runs nowhere; no child is forked when
    none is left to run.
    """

    def __init__(self, *writers: Writer) -> None:
        self.writers = writers

    def start(self, context: BuildContext) -> Callable[[Outputs], None]:
        """Start the writers; the function returned adds their files when they're done
        (meanwhile the build goes on with the other writers)."""
        from ..outputs import OutputSet
        from .memo import Memoized
        from .parallel import PARALLEL_FROM, in_child

        plans = [w.plan(context) if isinstance(w, Memoized) else (None, None)
                 for w in self.writers]
        todo = [i for i, (_, kept) in enumerate(plans) if kept is None]

        def run() -> dict[int, dict[str, bytes]]:
            made = {}
            for i in todo:
                writer = self.writers[i]
                memory = OutputSet()
                (writer.writer if isinstance(writer, Memoized) else writer).write(context,
                                                                                   memory)
                made[i] = memory.files
            return made

        if todo and context.helper is not None and all(
                isinstance(self.writers[i], Memoized) for i in todo):
            chosen = [self.writers[i] for i in todo]
            files = context.helper.submit(partial(
                _render, todo, [w.writer for w in chosen],  # type: ignore[attr-defined]
                *_reduced(context, chosen)))
        elif todo and len(context.registry.posts) >= PARALLEL_FROM:
            files = in_child(run)
        else:
            done = run()
            files = lambda: done  # noqa: E731 - the same shape as in_child's

        def finish(outputs: Outputs) -> None:
            made = files()
            for i, writer in enumerate(self.writers):
                key, kept = plans[i]
                items = made.get(i, {}).items()
                if isinstance(writer, Memoized):
                    writer.finish(context, outputs, key, kept, items)
                else:
                    for path, data in items:
                        outputs.add(path, data)

        return finish

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        self.start(context)(outputs)


def _reduced(context: BuildContext, writers: list[Any]
             ) -> tuple[BuildContext, dict[str, tuple[str, str]]]:
    """A context holding only the posts `writers` read (Memoized.needs), and their
    texts: what a helper process needs to render them."""
    from ..text.content import stored_texts

    wanted = {id(post) for writer in writers for post in writer.needs(context)}
    registry = context.registry
    posts = tuple(post for post in registry.posts if id(post) in wanted)
    texts = {post.source: stored_texts(post) for post in posts if post.source}
    return BuildContext(Registry(registry.path, registry.site, posts), context.now,
                        context.template_dirs, templates_key=context.templates_key), texts


def _render(numbers: list[int], writers: list[Writer], context: BuildContext,
            texts: dict[str, tuple[str, str]]) -> dict[int, dict[str, bytes]]:
    """Each writer's files, by its number (in a helper process)."""
    from ..outputs import OutputSet
    from ..text.content import use_texts

    use_texts(texts.__getitem__)
    made = {}
    try:
        for number, writer in zip(numbers, writers, strict=True):
            memory = OutputSet()
            writer.write(context, memory)
            made[number] = memory.files
    finally:
        use_texts(None)
    return made
