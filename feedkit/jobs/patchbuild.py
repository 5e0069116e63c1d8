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

from ..model import Post, Registry
from ..outputs import OutputSet
from ..project import Project
from .build import BuildResult, LockUpdate
from .patch import (
    Posts,
    find_change,
    lock_changes,
    order,
    read_change,
    spliced,
    visible_at,
)
from .snapshot import CHUNK, pack_rows


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


def patch_build(registry: Path, out: Path, templates: Path | None, now: datetime,
                data: bytes | None = None
                ) -> tuple[BuildResult, tuple[datetime | None, datetime | None]] | None:
    """Build by patching the last build; None when that can't be vouched for (the
    caller builds as always). `data`: the registry's bytes, if already read."""
    from ..fingerprint import code_fingerprint
    from ..inputs import REGISTRY_LIMIT, read_input
    from ..text.templating import templates_fingerprint
    from .build import cache_paths
    from .regcopy import open_copy
    from .snapshot import load_snapshot, stamp

    memo_path, _, snapshot_path = cache_paths(registry, out, False)
    snapshot = load_snapshot(snapshot_path)
    if snapshot is None or snapshot.code != code_fingerprint() or \
            stamp(memo_path) != snapshot.memo or \
            len(snapshot.raws) > 2 * len(snapshot.starts) // CHUNK + 1000:
        return None
    template_dirs = Project(registry).template_dirs(templates)
    templates_key = templates_fingerprint(template_dirs)
    if templates_key != snapshot.templates:
        return None
    from functools import partial

    from ..writers.helper import warm_early
    from .warm import warm_digest

    # The helper's first digest rendered while this patch works out what to send it.
    warm_early(partial(warm_digest, snapshot.head[3], template_dirs))
    if data is None:
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
    patcher = Patcher(registry, out, now, snapshot, change, items, template_dirs,
                      templates_key, data)
    patcher.open_store(snapshot_path.parent)
    try:
        return patcher.run(memo_path, snapshot_path)
    finally:
        patcher.store.close()


class Patcher:
    """One patch build, once the change is read."""

    def __init__(self, registry: Path, out: Path, now: datetime, before: Any, change: Any,
                 items: Any, template_dirs: tuple[Path, ...], templates_key: str,
                 data: bytes) -> None:
        self.registry, self.out, self.now = registry, out, now
        self.before, self.change, self.items = before, change, items
        self.template_dirs, self.templates_key, self.data = template_dirs, templates_key, data
        self.site = before.head[3]

    def open_store(self, folder: Path) -> None:
        """The text store, the texts of the change's new posts added; the snapshot with
        the change spliced in (its new posts' fields in a chunk of their own)."""
        from ..text.content import post_texts
        from ..writers.entries import entry_bytes
        from .textstore import Record, TextStore

        before, items, change = self.before, self.items, self.change
        self.store = TextStore(folder / before.store)
        old = {before.sources[i]: i for i in range(change.first, change.after)}
        options = self.site.options
        raw_at: list[int] = []
        fresh: list[tuple[Any, ...]] = []
        texts: dict[str, Record] = {}
        for source, post in zip(items.sources, items.posts, strict=True):
            if source in old:  # a piece the snapshot knows, cut again
                raw_at.append(before.raw_at[old[source]])
                continue
            raw_at.append((len(before.raws) + len(fresh) // CHUNK) * CHUNK
                          + len(fresh) % CHUNK)
            fresh.append((source, post))
            if source not in texts:
                rendered = post_texts(post, options)
                texts[source] = (source, *rendered, entry_bytes(post, rendered))
        self.store.append(list(texts.values()))
        from .reading import raw_of

        rows = [(raw_of(post), self.store.index[source]) for source, post in fresh]
        chunks = [pack_rows(rows[at:at + CHUNK]) for at in range(0, len(rows), CHUNK)]
        self.after = spliced(before, change, items, self.data, raw_at, chunks)
        self.posts = Posts(self.after)

    def run(self, memo_path: Path, snapshot_path: Path
            ) -> tuple[BuildResult, tuple[datetime | None, datetime | None]] | None:
        from ..writers.catalogue import group_posts
        from ..writers.helper import stop_early
        from ..writers.memo import RenderMemo
        from .snapshot import shapes_of

        ordered = order(self.after, self.posts)
        if ordered is None:
            return None
        self.ordered = ordered
        site, now, stubs = self.site, self.now, ordered.stubs
        visible = visible_at(stubs, now)
        grouping = group_posts(site.options, stubs, visible)
        shapes = shapes_of(site, stubs, visible, now, grouping)
        old = self.before.shapes
        changed = {key for key, shape in shapes.items() if old.get(key) != shape}
        memo = RenderMemo.open(self.out, memo_path)
        todo = plan(memo, shapes, changed)
        if "web digests" in todo.writers:
            return None  # the periods' posts are the whole registry's: a whole build
        if "digest" not in todo.writers:
            stop_early()  # the helper forked as the build started has nothing to do
        from ..text.content import use_texts
        from ..writers.entries import use_entries

        use_texts(self.store.get)
        use_entries(self.store)
        helper = None
        try:
            if "digest" in todo.writers:  # sent to the helper first: it works meanwhile
                from ..writers.helper import Helper, take

                self._all(visible[: site.options.digest_entries])
                helper = take() or Helper()
            return self._finish(todo, memo, grouping, shapes, memo_path, snapshot_path,
                                helper)
        finally:
            use_texts(None)
            use_entries(None)
            if helper is not None:
                helper.close()

    def _finish(self, todo: Plan, memo: Any, grouping: Any,
                shapes: dict[tuple[Any, ...], Any], memo_path: Path, snapshot_path: Path,
                helper: Any) -> tuple[BuildResult, tuple[datetime | None, datetime | None]
                                      ] | None:
        from ..idlock import Lock
        from ..outputs import replace_file, staged
        from ..writers.context import BuildContext
        from ..writers.feeds import write_specs
        from ..writers.isolated import Isolated
        from .build import _fresh_templates, memoized
        from .cache import span_of

        self.store.index.update(self.posts.locations)
        context = BuildContext(registry=self._registry(), now=self.now,
                               template_dirs=self.template_dirs, memo=memo,
                               templates_key=self.templates_key, helper=helper)
        _fresh_templates(self.templates_key)
        started = Isolated(memoized("digest")).start(context) if helper else None
        lock = lock_changes(self.before, self.after, self.change, self.ordered, self.posts,
                            self.now)
        lock_path = Project(self.registry).lock_path
        header = Lock().render(self.registry.name)
        try:
            current = lock_path.read_bytes()
        except OSError:
            current = None
        if lock is None or current != _lock_text(header, self.before.lock):
            if started is not None:
                started(OutputSet())  # the helper's answer, before it is closed
            return None
        lock_data = _lock_text(header, lock.lines)
        specs = self._specs(todo, grouping)
        self.store.index.update(self.posts.locations)
        with staged(self.out, prune=True) as outputs:
            for path, sha, key, owner in todo.keep:
                outputs.keep(path, sha)
                memo.record(path, key, sha, owner)
            write_specs(context, specs, outputs)
            if "feed.xsl" in todo.writers:
                memoized("feed.xsl").write(context, outputs)
            if "feeds.html" in todo.writers:  # a feed added or gone
                memoized("feeds.html").write(_listing(context, grouping), outputs)
            kept = self._stage(snapshot_path, shapes, lock.lines, lock.ids)
            if started is not None:
                started(outputs)
                helper.release()  # it ends while out/ is committed
            if lock_data != current:
                replace_file(lock_path, lock_data)  # last: if it fails, out/ stays
        result = BuildResult(context.registry, tuple(sorted(outputs.paths)),
                             tuple(outputs.changed), removed=tuple(outputs.removed),
                             kept=tuple(sorted(outputs.kept)), parsed=len(self.items.sources),
                             lock=LockUpdate(lock_path, lock_data != current, lock.added,
                                             lock.removed))
        self._keep(memo, memo_path, snapshot_path, kept)
        visible = visible_at(self.ordered.stubs, self.now)
        return result, span_of(self.site, self._span_times(visible), self.now)

    def _span_times(self, visible: list[Any]) -> list[datetime]:
        """The times `span_of` needs: the newest published post's, the next one due."""
        stubs, ranks = self.ordered.stubs, self.ordered.ranks
        shown = {id(stub) for stub in visible}
        past = [stub for stub in stubs if id(stub) in shown]
        future = [stub for stub in stubs if id(stub) not in shown]
        chosen = []
        if past:
            chosen.append(max(past, key=lambda stub: stub.wall))
        if future:
            chosen.append(min(future, key=lambda stub: stub.wall))
        return [self.posts.published(stub.index, ranks.get(stub.index, 0)) for stub in chosen]

    def _all(self, stubs: Any) -> tuple[Post, ...]:
        ranks = self.ordered.ranks
        return tuple(self.posts.of(stub, ranks) for stub in stubs)

    def _registry(self) -> Registry:
        """A registry of the posts made, in order: what the digest writers read (the
        newest posts they need are the whole registry's newest, all made)."""
        made = self.posts.made
        return Registry(str(self.registry), self.site, tuple(
            made[stub.index] for stub in self.ordered.stubs if stub.index in made))

    def _specs(self, todo: Plan, grouping: Any) -> list[Any]:
        """The feed specs of the feeds to make, their posts made from the snapshot."""
        from ..writers.archive import ArchivePage
        from ..writers.catalogue import archive_spec, quiet_since, site_spec, taxonomy_spec

        site, stubs = self.site, self.ordered.stubs
        fallback = quiet_since(site, self._all(stubs[-1:]))
        pages = {page.number: page for page in grouping.pages}
        groups = {(kind, name): (folder, members)
                  for kind, name, folder, members in grouping.taxonomy}
        specs = []
        for key in todo.feeds:
            if key == ("site",):
                specs.append(site_spec(site, self._all(grouping.main), grouping.pages,
                                       fallback))
            elif key[0] == "archive":
                page = pages[key[1]]
                specs.append(archive_spec(site, ArchivePage(
                    page.number, self._all(page.posts), page.full), fallback))
            else:
                folder, members = groups[key]
                specs.append(taxonomy_spec(site, key[0], key[1], folder, self._all(members),
                                           fallback))
        return specs

    def _stage(self, snapshot_path: Path, shapes: dict[tuple[Any, ...], Any],
               lock_lines: list[str], lock_ids: list[str]) -> tuple[Any, Path | None] | None:
        """The registry's copy patched, and the snapshot for the next build written but
        for its memo stamp (`_keep`): done while the helper renders."""
        from .regcopy import patched_copy
        from .snapshot import forget_snapshot, stage_snapshot

        change, folder = self.change, snapshot_path.parent
        try:
            copy = patched_copy(folder, snapshot_path.stem, self.before.copy, self.data,
                                change.start, change.end, change.end - change.delta)
        except OSError:
            forget_snapshot(snapshot_path)
            return None
        snapshot = replace(self.after, copy=copy, shapes=shapes, lock=lock_lines,
                           lock_ids=lock_ids, memo=[])
        return copy, stage_snapshot(snapshot_path, snapshot)

    def _keep(self, memo: Any, memo_path: Path, snapshot_path: Path,
              staged: tuple[Any, Path | None] | None) -> None:
        """Keep the memo and the staged snapshot for the next build (if the memo can't
        be kept, neither can the snapshot that goes with it)."""
        from .regcopy import remove_copies
        from .snapshot import finish_snapshot, forget_snapshot, stamp

        memo.save()
        if not memo.saved or staged is None:
            forget_snapshot(snapshot_path)
            return
        copy, temp = staged
        if finish_snapshot(snapshot_path, temp, stamp(memo_path)):
            remove_copies(snapshot_path.parent, snapshot_path.stem, copy.name)


def _listing(context: Any, grouping: Any) -> Any:
    """`context` with a catalogue of every feed's name, title and files but not their
    posts: what out/feeds.html shows and its input key reads (writers/discovery.py,
    writers/inputs.py), without making every post."""
    from datetime import UTC

    from ..writers.catalogue import Catalogue, site_spec, taxonomy_spec
    from ..writers.context import with_catalogue

    site = context.registry.site
    never = datetime(1970, 1, 1, tzinfo=UTC)  # no post, no time: feeds.html reads neither
    return with_catalogue(context, Catalogue(
        site_spec(site, (), grouping.pages, never),
        tuple(taxonomy_spec(site, kind, name, folder, (), never)
              for kind, name, folder, _ in grouping.taxonomy), ()))


def _lock_text(header: str, lines: list[str]) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")
