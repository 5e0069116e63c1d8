"""`feedkit build` as a patch of the last build (jobs/patch.py), when it can vouch for it.

The outputs whose shape (jobs/snapshot.py) is the same are kept as they are in
out/ (if the memo finds them there as left); the others are made from the posts
they show; posts.lock is patched; everything lands all or nothing, as any build.
The snapshot, the read state and the memo are then kept for the next build.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..project import Project
from .build import BuildResult, LockUpdate
from .patch import Posts, find_change, lock_changes, order, read_change, spliced


@dataclass
class Plan:
    """What a patch does with out/: files kept (path, SHA-256, input key, owner), the
    feeds to make, and the Memoized writers to run."""

    keep: list[tuple[str, str, str, str]] = field(default_factory=list)
    feeds: list[tuple[Any, ...]] = field(default_factory=list)  # shape keys
    writers: list[str] = field(default_factory=list)


def _spec_paths(key: tuple[Any, ...], shape: Any) -> tuple[str, ...]:
    from ..writers.archive import page_path
    from ..writers.catalogue import feed_paths

    if key == ("site",):
        return feed_paths("")
    if key[0] == "archive":
        return (page_path(key[1]),)
    return feed_paths(shape[0])


def _kept(memo: Any, paths: list[str] | tuple[str, ...]) -> list[tuple[str, str]] | None:
    record = memo.known.get(paths[0]) if paths else None
    return None if record is None else memo.kept(paths, record[0])


# The Memoized writers' owners, and the shapes their files follow from.
OWNERS: dict[str, tuple[str, ...] | None] = {
    "digest": ("digest",), "web digests": ("web",), "feeds.html": ("feeds.html",),
    "feed.xsl": None}


def plan(memo: Any, shapes: dict[tuple[Any, ...], Any], changed: set[tuple[Any, ...]]
         ) -> Plan:
    """Keep what has the same shape and is in out/ as left; make the rest."""
    from ..writers.memo import FEEDS

    done = Plan()
    for key, shape in shapes.items():
        if key in (("digest",), ("web",), ("feeds.html",)):
            continue
        paths = _spec_paths(key, shape)
        kept = None if key in changed else _kept(memo, paths)
        if kept is None:
            done.feeds.append(key)
        else:
            done.keep += [(path, digest, memo.known[path][0], FEEDS) for path, digest in kept]
    for owner, shape_key in OWNERS.items():
        owned = memo.owned(owner)
        if shape_key in changed:
            done.writers.append(owner)
        elif owned:
            kept = _kept(memo, owned)
            if kept is None:
                done.writers.append(owner)
            else:
                done.keep += [(path, digest, memo.known[path][0], owner)
                              for path, digest in kept]
    return done


def patch_build(registry: Path, out: Path, templates: Path | None, now: datetime
                ) -> tuple[BuildResult, tuple[datetime | None, datetime | None]] | None:
    """Build by patching the last build; None when that can't be vouched for (the
    caller builds as always)."""
    from ..fingerprint import code_fingerprint
    from ..inputs import REGISTRY_LIMIT, read_input
    from ..text.templating import templates_fingerprint
    from .build import cache_paths
    from .readstate import load_state
    from .regcopy import open_copy
    from .snapshot import load_snapshot, stamp

    memo_path, read_path, snapshot_path = cache_paths(registry, out, False)
    snapshot = load_snapshot(snapshot_path)
    if snapshot is None or snapshot.code != code_fingerprint() or \
            stamp(memo_path) != snapshot.memo:
        return None
    template_dirs = Project(registry).template_dirs(templates)
    templates_key = templates_fingerprint(template_dirs)
    state = load_state(read_path.with_suffix(".state"))
    if templates_key != snapshot.templates or state is None or \
            state.code != snapshot.code or state.header != snapshot.header:
        return None
    data = read_input(registry, "registry", REGISTRY_LIMIT)
    copy = open_copy(snapshot_path.parent, snapshot.copy)
    if copy is None:
        return None
    try:
        change = find_change(data, snapshot, copy)
    finally:
        copy.close()
    if change is None:
        return None
    items = read_change(data, snapshot, change, str(registry))
    if items is None:
        return None
    after = spliced(snapshot, change, items, data)
    ordered = order(after)
    if ordered is None:
        return None
    return Patcher(registry, out, now, snapshot, after, change, items, ordered, state,
                   template_dirs, templates_key, data).run(memo_path, read_path,
                                                           snapshot_path)


class Patcher:
    """One patch build, once the change is read."""

    def __init__(self, registry: Path, out: Path, now: datetime, before: Any, after: Any,
                 change: Any, items: Any, ordered: Any, state: Any,
                 template_dirs: tuple[Path, ...], templates_key: str, data: bytes) -> None:
        self.registry, self.out, self.now = registry, out, now
        self.before, self.after, self.change, self.items = before, after, change, items
        self.ordered, self.state = ordered, state
        self.template_dirs, self.templates_key, self.data = template_dirs, templates_key, data
        self.site = before.head[3]

    def run(self, memo_path: Path, read_path: Path, snapshot_path: Path
            ) -> tuple[BuildResult, tuple[datetime | None, datetime | None]] | None:
        self.open_store(snapshot_path.parent)
        try:
            return self._run(memo_path, read_path, snapshot_path)
        finally:
            self.store.close()

    def _run(self, memo_path: Path, read_path: Path, snapshot_path: Path
             ) -> tuple[BuildResult, tuple[datetime | None, datetime | None]] | None:
        from ..idlock import Lock
        from ..writers.catalogue import group_posts
        from ..writers.memo import RenderMemo
        from .cache import span_of
        from .snapshot import shapes_of

        site, now, stubs = self.site, self.now, self.ordered.stubs
        visible = [stub for stub in stubs if stub.published <= now]
        grouping = group_posts(site.options, stubs, visible)
        shapes = shapes_of(site, stubs, visible, now, grouping)
        old = self.before.shapes
        changed = {key for key, shape in shapes.items() if old.get(key) != shape}
        memo = RenderMemo.open(self.out, memo_path)
        todo = plan(memo, shapes, changed)
        if any(owner in ("web digests", "feeds.html") for owner in todo.writers):
            return None  # their inputs are the whole registry's: a whole build
        lock = lock_changes(self.before, self.after, self.change, self.ordered, now)
        lock_path = Project(self.registry).lock_path
        header = Lock().render(self.registry.name)
        try:
            current = lock_path.read_bytes()
        except OSError:
            return None
        if lock is None or current != _lock_text(header, self.before.lock):
            return None
        lock_data = _lock_text(header, lock.lines)
        result = self._write(todo, memo, grouping, visible, lock_path, lock_data, current)
        result = replace(result, lock=LockUpdate(lock_path, lock_data != current, lock.added,
                                                 lock.removed))
        self._keep(memo, memo_path, read_path, snapshot_path, shapes, lock.lines)
        return result, span_of(site, [stub.published for stub in stubs], now)

    def _write(self, todo: Plan, memo: Any, grouping: Any, visible: list[Any],
               lock_path: Path, lock_data: bytes, current: bytes) -> BuildResult:
        from ..outputs import replace_file, staged
        from ..text.content import use_texts
        from ..writers.context import BuildContext
        from ..writers.feeds import write_specs
        from ..writers.isolated import Isolated
        from .build import _fresh_templates, memoized

        store = self.store
        posts = Posts(self.after, self.ordered, self.state, self.new_raws())
        specs = self._specs(todo, posts, grouping)
        digest = "digest" in todo.writers
        helper = None
        if digest:
            from ..writers.helper import Helper

            posts.all(visible[: self.site.options.digest_entries])
            helper = Helper()
        try:
            context = BuildContext(registry=posts.registry(str(self.registry)), now=self.now,
                                   template_dirs=self.template_dirs, memo=memo,
                                   templates_key=self.templates_key, helper=helper)
            _fresh_templates(self.templates_key)
            use_texts(store.get)
            with staged(self.out, prune=True) as outputs:
                started = Isolated(memoized("digest")).start(context) if digest else None
                for path, sha, key, owner in todo.keep:
                    outputs.keep(path, sha)
                    memo.record(path, key, sha, owner)
                write_specs(context, specs, outputs)
                if "feed.xsl" in todo.writers:
                    memoized("feed.xsl").write(context, outputs)
                if started is not None:
                    started(outputs)
                if lock_data != current:
                    replace_file(lock_path, lock_data)  # last: if it fails, out/ stays
        finally:
            use_texts(None)
            if helper is not None:
                helper.close()
        return BuildResult(context.registry, tuple(sorted(outputs.paths)),
                           tuple(outputs.changed), removed=tuple(outputs.removed),
                           kept=tuple(sorted(outputs.kept)), parsed=len(self.items.sources))

    def open_store(self, folder: Path) -> None:
        """The text store, with the texts of the change's new posts added."""
        from ..text.content import post_texts
        from .textstore import TextStore

        self.store = TextStore(folder / self.state.store, {
            source: location for source, (_, location) in self.state.pieces.items()})
        options = self.site.options
        pending = {}
        for source, post in zip(self.items.sources, self.items.posts, strict=True):
            if source not in self.store and source not in pending:
                pending[source] = (source, *post_texts(post, options))
        self.store.append(list(pending.values()))

    def new_raws(self) -> dict[str, Any]:
        return dict(zip(self.items.sources, self.items.raws, strict=True))

    def _specs(self, todo: Plan, posts: Posts, grouping: Any) -> list[Any]:
        """The feed specs of the feeds to make, their posts made from the read state."""
        from ..writers.archive import ArchivePage
        from ..writers.catalogue import archive_spec, quiet_since, site_spec, taxonomy_spec

        site = self.site
        fallback = quiet_since(site, self.ordered.stubs)
        pages = {page.number: page for page in grouping.pages}
        groups = {(kind, name): (folder, members)
                  for kind, name, folder, members in grouping.taxonomy}
        specs = []
        for key in todo.feeds:
            if key == ("site",):
                specs.append(site_spec(site, posts.all(grouping.main), grouping.pages,
                                       fallback))
            elif key[0] == "archive":
                page = pages[key[1]]
                specs.append(archive_spec(site, ArchivePage(
                    page.number, posts.all(page.posts), page.full), fallback))
            else:
                folder, members = groups[key]
                specs.append(taxonomy_spec(site, key[0], key[1], folder, posts.all(members),
                                           fallback))
        return specs

    def _keep(self, memo: Any, memo_path: Path, read_path: Path, snapshot_path: Path,
              shapes: dict[tuple[Any, ...], Any], lock_lines: list[str]) -> None:
        """Keep the memo, the read state and the snapshot for the next build (if the
        memo can't be kept, neither can the snapshot that goes with it)."""
        from .readstate import save_state
        from .regcopy import patched_copy, remove_copies
        from .snapshot import forget_snapshot, save_snapshot, stamp

        memo.save()
        state, store = self.state, self.store
        new = self.new_raws()
        old = state.pieces
        pieces = {source: old[source] if source in old else (new[source], store.index[source])
                  for source in self.after.sources}
        save_state(read_path.with_suffix(".state"), replace(state, pieces=pieces), store,
                   state)
        if not memo.saved:
            forget_snapshot(snapshot_path)
            return
        change, folder = self.change, snapshot_path.parent
        try:
            copy = patched_copy(folder, snapshot_path.stem, self.before.copy, self.data,
                                change.start, change.end, change.end - change.delta)
        except OSError:
            forget_snapshot(snapshot_path)
            return
        snapshot = replace(self.after, copy=copy, shapes=shapes, lock=lock_lines,
                           memo=stamp(memo_path))
        if save_snapshot(snapshot_path, snapshot):
            remove_copies(folder, snapshot_path.stem, copy.name)


def _lock_text(header: str, lines: list[str]) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")
