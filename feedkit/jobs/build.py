"""The build: registry -> model -> writers -> out/, all or nothing; and posts.lock.

A build first checks the registry against posts.lock (feedkit.idlock) and refuses to
change a published post's id; the lock is rewritten, when it changes, with out/.
A build into out/ reads the registry in pieces (jobs/reading.py) and keeps the
files whose inputs did not change (writers/memo.py), so its cost follows what
changed; the files are always those a build from nothing writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import resolve_now
from ..idlock import LockPlan, plan_lock, violation_problems
from ..model import Registry
from ..outputs import OutputSet, staged, stale_files
from ..project import Project
from ..writers.catalogue import FeedFile, FeedSpec
from ..writers.context import BuildContext, Outputs, Writer
from ..writers.isolated import Isolated
from .cache import HELPER_FROM


def default_writers() -> list[Writer]:
    """Every writer `feedkit build` runs, in order."""
    # The digest writers and feeds.html go first, in their own process on a large
    # build (Isolated: Jinja2 and Babel stay out of the build's process); writers
    # whose files are often kept are imported only when they write.
    return [Isolated(memoized("digest"), memoized("web digests"), memoized("feeds.html")),
            *feed_writers(), memoized("feed.xsl")]


def memoized(name: str) -> Any:
    """The Memoized writer (writers/isolated.py) of "digest", "web digests",
    "feeds.html" or "feed.xsl"."""
    from ..writers import inputs
    from ..writers.isolated import Memoized

    made = {
        "digest": lambda: Memoized("digest", Later("mail.preview", "DigestWriter"),
                                   inputs.digest_preview_key, inputs.digest_preview_posts),
        "web digests": lambda: Memoized("web digests",
                                        Later("writers.webdigests", "WebDigestWriter"),
                                        inputs.web_digests_key, inputs.web_digests_posts),
        "feeds.html": lambda: Memoized("feeds.html", Later("writers.discovery",
                                                           "DiscoveryWriter"),
                                       inputs.discovery_key, lambda context: (),
                                       listing=True),
        "feed.xsl": lambda: Memoized("feed.xsl", Later("writers.feeds", "StylesheetWriter"),
                                     inputs.stylesheet_key),
    }
    return made[name]()


class Later:
    """A writer of feedkit's (module, class) imported when it first writes."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from importlib import import_module

        writer = getattr(import_module(f"feedkit.{self.module}"), self.name)()
        writer.write(context, outputs)


def start_isolated(writers: list[Writer], context: BuildContext
                   ) -> list[Callable[[Outputs], None]]:
    """Start the Isolated writers (each in its own process on a large build)."""
    return [w.start(context) for w in writers if isinstance(w, Isolated)]


def run_writers(writers: list[Writer], context: BuildContext, outputs: Outputs,
                started: list[Callable[[Outputs], None]] | None = None) -> None:
    """Run every writer; an Isolated one is started first (or was: `started`) and
    finished last, so it works in its own process while the others run here."""
    if started is None:
        started = start_isolated(writers, context)
    for writer in writers:
        if not isinstance(writer, Isolated):
            writer.write(context, outputs)
    for finish in started:
        finish(outputs)


def feed_writers() -> list[Writer]:
    """The writers of the feeds (Atom, RSS, JSON Feed; tag, author and archive feeds)."""
    from ..writers.feeds import (
        ArchiveWriter,
        AtomWriter,
        JsonFeedWriter,
        Rss2Writer,
        TaxonomyWriter,
    )

    return [AtomWriter(), Rss2Writer(), JsonFeedWriter(), TaxonomyWriter(), ArchiveWriter()]


@dataclass(frozen=True)
class WrittenFeed:
    """A feed file the build wrote: where it is served, and its bytes' SHA-256."""

    spec: FeedSpec
    file: FeedFile
    sha256: str


@dataclass(frozen=True)
class LockUpdate:
    """posts.lock after the build: whether it changed (with --check: would change), how
    many ids it gained, and the ids it now records as removed."""

    path: Path
    changed: bool
    added: int = 0
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    """What a build produced (paths relative to out/), which of them changed, the
    feeds among them, and the lock."""

    registry: Registry
    paths: tuple[str, ...]
    changed: tuple[str, ...]
    feeds: tuple[WrittenFeed, ...] = ()
    removed: tuple[str, ...] = ()  # stale files of the previous build (would be) removed
    lock: LockUpdate | None = None
    kept: tuple[str, ...] = ()  # files the last build wrote, kept without rendering
    parsed: int | None = None  # posts parsed (None: the registry was read whole)

    def lines(self, out: Path) -> list[str]:
        """What `feedkit build` prints: each file written, unchanged or removed, then the
        lock."""
        lines = [f"{'wrote' if p in self.changed else 'unchanged'} {out / p}"
                 for p in self.paths]
        lines += [f"removed {out / p}" for p in self.removed]
        return lines + self.lock_lines()

    def lock_lines(self) -> list[str]:
        """What `feedkit build` prints about posts.lock."""
        if (lock := self.lock) is None:
            return []
        return [f"{'wrote' if lock.changed else 'unchanged'} {lock.path}",
                *(f"{lock.path}: recorded {i} as removed" for i in lock.removed)]

    def stale(self, out: Path) -> list[Path]:
        """What `feedkit build --check` lists as would change: the files a build would
        rewrite, and the lock (files it would remove are in `removed`)."""
        lock = [self.lock.path] if self.lock and self.lock.changed else []
        return [out / p for p in self.changed] + lock


def _context(registry_path: Path, templates: Path | None, now: datetime | None,
             registry: Registry | None = None) -> BuildContext:
    """A context for a render in memory: the registry read whole, nothing kept."""
    from ..load import load

    return BuildContext(
        registry=load(registry_path) if registry is None else registry,
        now=resolve_now(now), template_dirs=Project(registry_path).template_dirs(templates))


def render(
    registry_path: Path, *, templates: Path | None = None, now: datetime | None = None,
    writers: list[Writer] | None = None, registry: Registry | None = None,
) -> tuple[Registry, OutputSet]:
    """Load the registry (unless given, loaded from registry_path) and render every
    output in memory; nothing is written."""
    context = _context(registry_path, templates, now, registry)
    outputs = OutputSet()
    for writer in writers if writers is not None else default_writers():
        writer.write(context, outputs)
    return context.registry, outputs


def build(
    registry_path: Path, out_dir: Path, *, templates: Path | None = None,
    now: datetime | None = None, check: bool = False, writers: list[Writer] | None = None,
    drafts: bool = False, data: list[bytes] | None = None,
    settle: Callable[[], None] | None = None,
) -> BuildResult:
    """Render everything into out_dir, all or nothing; with `check`, only compare.

    Files are staged beside their targets while the writers run and put in place
    at the end; if anything fails, the staged files go and out/ is as it was. A
    whole build (no `writers` given) also removes the files of the previous whole
    build that it no longer makes, such as a removed tag's feeds. A post that would
    change its published id (posts.lock) stops the build first. `drafts` includes
    the posts marked `draft: true`, for a preview; such a build leaves posts.lock
    alone (a draft is not published). `data`: a list holding the registry's bytes,
    already read (emptied here); `settle` is called before the reading forks its
    workers (jobs/reading.py).
    """
    import gc

    from .textstore import TextStoreError

    session = BuildSession(registry_path, out_dir, templates, drafts)
    # A build makes many objects and few reference cycles: without the cycle
    # collector's passes over them it reads a tenth faster (cycles are collected
    # after the build, in a process that goes on).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return session.run(now, check, writers, data, settle)
    except TextStoreError:
        # The text store lost a record (a crash, a disk): read everything afresh.
        session.forget()
        return BuildSession(registry_path, out_dir, templates, drafts).run(now, check, writers)
    finally:
        if collecting:
            gc.enable()


class BuildSession:
    """One build into out_dir, with what the last one left in .feedkit/cache/."""

    def __init__(self, registry_path: Path, out_dir: Path, templates: Path | None,
                 drafts: bool) -> None:
        self.registry_path = registry_path
        self.out_dir = out_dir
        self.templates = templates
        self.drafts = drafts
        self.memo_path, self.read_path, self.snapshot_path = cache_paths(
            registry_path, out_dir, drafts)
        self.lock_plan: LockPlan | None = None
        self.aside: Any = None  # jobs/aside.py, when a whole build keeps its state

    def forget(self) -> None:
        """Remove what this build's cache holds (it can't be trusted)."""
        from .snapshot import forget_snapshot

        forget_snapshot(self.snapshot_path)
        self.memo_path.unlink(missing_ok=True)
        self.read_path.with_suffix(".state").unlink(missing_ok=True)
        self.read_path.with_suffix(".more").unlink(missing_ok=True)

    def run(self, now: datetime | None, check: bool, writers: list[Writer] | None,
            data: list[bytes] | None = None, settle: Callable[[], None] | None = None
            ) -> BuildResult:
        from ..text.content import use_texts
        from ..text.templating import templates_fingerprint
        from ..writers.entries import use_entries
        from ..writers.memo import RenderMemo
        from .reading import read_registry
        from .readstate import load_state

        state_path = self.read_path.with_suffix(".state")
        helper = _helper() if writers is None and _large(self.registry_path) else None
        try:
            keeps = writers is None and not check and not self.drafts  # a snapshot
            reading = read_registry(self.registry_path, self.read_path, drafts=self.drafts,
                                    previous=load_state(state_path),
                                    copy_to=(self.snapshot_path.parent,
                                             self.snapshot_path.stem) if keeps else None,
                                    holding=data, settle=settle)
            template_dirs = Project(self.registry_path).template_dirs(self.templates)
            context = BuildContext(
                registry=reading.registry, now=resolve_now(now), template_dirs=template_dirs,
                memo=None if check else RenderMemo.open(self.out_dir, self.memo_path),
                templates_key=templates_fingerprint(template_dirs), helper=helper)
            _fresh_templates(context.templates_key)
            use_texts(reading.store.get if reading.store is not None else None)
            use_entries(reading.store)
            if writers is None and not check and not self.drafts:
                from .aside import Aside

                self.aside = Aside(reading, state_path, self.snapshot_path)
            try:
                result = self._build(context, check, writers)
            except BaseException:
                if self.aside is not None:
                    self.aside.abandon()
                raise
            result = replace(result, parsed=reading.parsed if reading.state else None)
        finally:
            use_texts(None)
            use_entries(None)
            if helper is not None:
                helper.close()
        if reading.store is not None:
            reading.store.close()
        if writers is None and not check:
            self._keep(reading, context, state_path)
        return result

    def _keep(self, reading: Any, context: BuildContext, state_path: Path) -> None:
        """Keep what this whole build read and made for the next one: the read state,
        and the snapshot a patch starts from (jobs/patch.py)."""
        from .readstate import save_state
        from .snapshot import forget_snapshot, take_snapshot

        if self.aside is not None and self.aside.started:  # made meanwhile
            memo = context.memo
            self.aside.finish(self.memo_path if memo is not None and memo.saved else None)
            return
        if reading.state is not None:
            save_state(state_path, reading.state, reading.store, reading.previous)
        plan = self.lock_plan
        if reading.state is None or self.drafts or plan is None or context.memo is None or \
                not context.memo.saved:
            forget_snapshot(self.snapshot_path)
            return
        take_snapshot(self.snapshot_path, reading, context.now, context.templates_key,
                      plan.data, plan.result.added, self.memo_path)

    def _build(self, context: BuildContext, check: bool, writers: list[Writer] | None
               ) -> BuildResult:
        out_dir, drafts = self.out_dir, self.drafts
        prune = writers is None  # only a whole build knows which files are stale
        chosen = writers if writers is not None else default_writers()
        started = start_isolated(chosen, context)  # the digest works while the lock is read
        try:
            lock = self.lock_plan = _checked_lock(self.registry_path, context)
            if self.aside is not None:
                self.aside.start(context.now, context.templates_key, lock.data,
                                 lock.result.added)
        except BaseException:
            for finish in started:  # wait for it: no process left behind
                with contextlib.suppress(Exception):
                    finish(OutputSet())
            raise
        if check:
            memory = OutputSet()
            run_writers(chosen, context, memory, started)
            stale = stale_files(out_dir, set(memory.files)) if prune else []
            return BuildResult(context.registry, tuple(sorted(memory.files)),
                               tuple(memory.stale(out_dir)), removed=tuple(stale),
                               lock=None if drafts else _update(lock))
        with staged(out_dir, prune=prune) as outputs:
            run_writers(chosen, context, outputs, started)
            if context.helper is not None:
                context.helper.release()  # it has answered: it ends during the commit
            if not drafts:
                lock.write()  # last: if it fails, out/ stays as it was
        if prune and context.memo is not None:
            context.memo.save()  # only a whole build has written every file
        paths = tuple(sorted(outputs.paths))
        return BuildResult(context.registry, paths, tuple(outputs.changed),
                           _written_feeds(context, outputs.digests), tuple(outputs.removed),
                           None if drafts else _update(lock), tuple(sorted(outputs.kept)))


def cache_paths(registry: Path, out_dir: Path, drafts: bool) -> tuple[Path, Path, Path]:
    """Where a build into out_dir keeps what it knows (.feedkit/cache/ beside the
    registry): the memo of outputs, the read state's stem and the snapshot."""
    from hashlib import sha256

    name = sha256(f"{out_dir.resolve()}\0{drafts}".encode()).hexdigest()[:16]
    cache_dir = Project(registry).cache_dir
    return (cache_dir / f"pages-{name}.json", cache_dir / f"read-{name}",
            cache_dir / f"snap-{name}.pickle")


def _large(registry: Path) -> bool:
    try:
        return registry.stat().st_size >= HELPER_FROM
    except OSError:
        return False


def _helper() -> Any:
    """The helper process `feedkit build` forked as it started, or a new one."""
    from ..writers.helper import Helper, take

    return take() or Helper()


_seen_templates: list[str] = []


def _fresh_templates(key: str) -> None:
    """Forget the Jinja2 environments when the templates changed since the last build
    in this process (`serve --reload`): a template added beside a shipped one of the
    same name is not something Jinja2's own check notices."""
    if _seen_templates and _seen_templates[0] != key:
        from ..text.templating import environment

        environment.cache_clear()
    _seen_templates[:] = [key]


def _checked_lock(registry_path: Path, context: BuildContext) -> LockPlan:
    plan = plan_lock(Project(registry_path).lock_path, context.registry, context.now)
    if plan.result.violations:
        raise violation_problems(plan.result.violations, context.registry.path)
    return plan


def _update(plan: LockPlan) -> LockUpdate:
    return LockUpdate(plan.path, plan.changed, len(plan.result.added),
                      tuple(entry.id for entry in plan.result.removed))


def _written_feeds(context: BuildContext, digests: dict[str, str]) -> tuple[WrittenFeed, ...]:
    return tuple(WrittenFeed(spec, feed_file, digests[feed_file.path])
                 for spec in context.catalogue.all() for feed_file in spec.files
                 if feed_file.path in digests)
