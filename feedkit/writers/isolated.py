"""Writers that run apart: a Memoized writer's files are kept when its inputs did not
change, and Isolated writers work in another process (a forked child, or the
build's helper process) while the build goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from ..model import Post, Registry
from .context import BuildContext, Outputs, Writer


class Memoized:
    """A writer whose files are kept when its input key (`key(context)`) is the one
    the last build recorded for them, and `name` owns them; `needs(context)` gives
    the posts it reads (it is then run with only those, in a helper process);
    `listing`: it reads the catalogue's feeds, but not their posts."""

    def __init__(self, name: str, writer: Writer, key: Callable[[BuildContext], str],
                 needs: Callable[[BuildContext], Sequence[Post]] | None = None,
                 *, listing: bool = False) -> None:
        self.name = name
        self.writer = writer
        self.key = key
        self.needs = needs if needs is not None else (lambda context: context.registry.posts)
        self.listing = listing

    def plan(self, context: BuildContext) -> tuple[str | None, list[tuple[str, str]] | None]:
        """(input key, the files kept) — None for the files when they must be made."""
        memo = context.memo
        if memo is None:
            return None, None
        key = self.key(context)
        return key, memo.kept(memo.owned(self.name), key)

    def finish(self, context: BuildContext, outputs: Outputs, key: str | None,
               kept: list[tuple[str, str]] | None, made: Iterable[tuple[str, bytes]]) -> None:
        """Add the files (kept, or made by the writer) and record them."""
        memo = context.memo
        if kept is not None:
            for path, digest in kept:
                outputs.keep(path, digest)
                if memo is not None and key is not None:
                    memo.record(path, key, digest, self.name)
            return
        for path, data in made:
            outputs.add(path, data)
            if memo is not None and key is not None:
                memo.record(path, key, hashlib.sha256(data).hexdigest(), self.name)

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..outputs import OutputSet

        key, kept = self.plan(context)
        made = OutputSet()
        if kept is None:
            self.writer.write(context, made)
        self.finish(context, outputs, key, kept, made.files.items())


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
    texts: what a helper process needs to render them; the catalogue's feeds without
    their posts when a writer reads them (Memoized.listing)."""
    from ..text.content import stored_texts
    from .catalogue import listing
    from .context import with_catalogue

    wanted = {id(post) for writer in writers for post in writer.needs(context)}
    registry = context.registry
    posts = tuple(post for post in registry.posts if id(post) in wanted)
    texts = {post.source: stored_texts(post) for post in posts if post.source}
    reduced = BuildContext(Registry(registry.path, registry.site, posts), context.now,
                           context.template_dirs, templates_key=context.templates_key)
    if any(writer.listing for writer in writers):
        reduced = with_catalogue(reduced, listing(context.catalogue))
    return reduced, texts


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
