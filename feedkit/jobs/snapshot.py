"""The build snapshot: what a whole build knew of posts.yaml, posts.lock and out/, kept
in .feedkit/cache/ so that the next build patches it (jobs/patch.py) instead of
working it all out again.

For each item of the posts list, in the file's order: where it starts (and on
which line), its source (the digest its post is known by), and the few fields
that place the post: its time, slug, id, tags, author and draft flag. Besides
them: the registry's bytes (jobs/regcopy.py), posts.lock's lines as written, and
the *shape* of every output: which posts each feed, archive page, the digest
preview and feeds.html were made from. A build whose shapes come out the same
for an output keeps its file; the memo (writers/memo.py) still checks out/.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..model import Person, Site
from .regcopy import CopyRef, remove_copies, write_copy

if TYPE_CHECKING:
    from ..writers.catalogue import Grouping

SNAPSHOT_VERSION = 1
_LOAD_ERRORS = (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError,
                AttributeError, ImportError, IndexError, KeyError)


class Stub:
    """A post as a patch sees it: what orders it and puts it in its feeds
    (writers/catalogue.py's Listed), and `index`, its item in the file."""

    __slots__ = ("author", "index", "published", "source", "tags")

    def __init__(self, source: str, published: datetime, tags: tuple[str, ...],
                 author: Person, index: int) -> None:
        self.source = source
        self.published = published
        self.tags = tags
        self.author = author
        self.index = index


@dataclass
class Snapshot:
    """One whole build's knowledge, for the next build of the same out/."""

    code: str  # feedkit's code fingerprint
    templates: str  # the templates' fingerprint
    header: str  # SHA-256 of the header's bytes, as the read state's
    head: tuple[int, int, int, Site, ZoneInfo]  # header size, first line, column, site
    copy: CopyRef
    # The items, in the file's order.
    starts: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    published: list[datetime] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tags: list[tuple[str, ...]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    drafts: list[bool] = field(default_factory=list)
    shapes: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    lock: list[str] = field(default_factory=list)  # posts.lock's entry lines as written
    memo: list[int] = field(default_factory=list)  # the memo file's size and time

    def item_end(self, k: int) -> int:
        """Where item k's bytes end: the next item's start, or the copy's end."""
        return self.starts[k + 1] if k + 1 < len(self.starts) else self.copy.size


def load_snapshot(path: Path) -> Snapshot | None:
    """The snapshot at `path`; None when missing, unreadable or of another version."""
    try:
        with path.open("rb") as handle:
            version, snapshot = pickle.load(handle)
    except _LOAD_ERRORS:
        return None
    if version != SNAPSHOT_VERSION or not isinstance(snapshot, Snapshot):
        return None
    return snapshot


def save_snapshot(path: Path, snapshot: Snapshot) -> bool:
    """Keep `snapshot` at `path` (a cache: False, and none kept, when it can't be)."""
    temp = path.with_suffix(".tmp")
    try:
        with temp.open("wb") as handle:
            pickle.dump((SNAPSHOT_VERSION, snapshot), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except OSError:
        forget_snapshot(path)
        return False
    return True


def forget_snapshot(path: Path) -> None:
    """Remove the snapshot at `path`: the next build works everything out."""
    for stale in (path, path.with_suffix(".tmp")):
        with contextlib.suppress(OSError):
            stale.unlink()


def stamp(path: Path) -> list[int]:
    """A file's size and time ([] when it is missing)."""
    try:
        info = path.stat()
    except OSError:
        return []
    return [info.st_size, info.st_mtime_ns]


def _sources(posts: Sequence[Any]) -> tuple[str, ...]:
    return tuple(post.source for post in posts)


def shapes_of(site: Site, posts: Sequence[Any], visible: Sequence[Any], now: datetime,
              grouping: Grouping[Any] | None = None) -> dict[tuple[Any, ...], Any]:
    """The shape of every output: what it follows from besides the site, the templates
    and feedkit (which the snapshot checks as a whole). `posts` are the registry's
    (Posts or Stubs, each with its `source`), `visible` those published at `now`;
    `grouping` their feeds', when already worked out."""
    from ..writers.archive import newest_archive_url
    from ..writers.catalogue import group_posts, quiet_since

    options = site.options
    if grouping is None:
        grouping = group_posts(options, posts, visible)
    fallback = quiet_since(site, posts)
    pages = grouping.pages
    shapes: dict[tuple[Any, ...], Any] = {
        ("site",): (_sources(grouping.main), newest_archive_url(site, pages) if pages
                    else None, None if grouping.main else fallback),
        ("digest",): _sources(visible[: options.digest_entries]),
        ("feeds.html",): tuple((kind, name, folder)
                               for kind, name, folder, _ in grouping.taxonomy),
    }
    for kind, name, folder, members in grouping.taxonomy:
        shapes[(kind, name)] = (folder, _sources(members))
    for page in pages:
        shapes[("archive", page.number)] = (page.full, _sources(page.posts),
                                            None if page.posts else fallback)
    if options.web_digests:
        from ..writers.webdigests import periods_of

        shapes[("web",)] = tuple((window, _sources(members)) for window, members in
                                 periods_of(site, visible, now, options.web_digests))
    return shapes


def take_snapshot(path: Path, reading: Any, now: datetime, templates: str,
                  lock_data: bytes, added: tuple[Any, ...], memo: Path) -> None:
    """Keep what a whole build that read the registry in pieces knew (`reading`, from
    jobs/reading.py), for the next build to patch; any doubt keeps none."""
    from .lockpatch import consistent

    state, plan, rows = reading.state, reading.plan, reading.rows
    if state is None or plan is None or rows is None or state.head is None:
        forget_snapshot(path)
        return
    tz = state.head[4]
    snapshot = Snapshot(state.code, templates, state.header, state.head, CopyRef("", ()))
    for k, source, raw in rows:
        snapshot.starts.append(plan.starts[k])
        snapshot.lines.append(plan.lines[k])
        snapshot.sources.append(source)
        snapshot.published.append(raw[4])
        snapshot.slugs.append(raw[1])
        snapshot.ids.append(raw[3])
        snapshot.tags.append(raw[8])
        snapshot.authors.append(raw[6][0])
        snapshot.drafts.append(raw[10])
    # Times all in the site's zone compare by its wall clock, as a patch orders them;
    # the lock's new entries must sort the same by wall clock and by instant.
    if not all(raw[4].tzinfo is tz and raw[5].tzinfo is tz for _, _, raw in rows) or \
            not consistent([(post.published, post.id) for post in added]) or \
            not _plain_lines(lock_data):
        forget_snapshot(path)
        return
    registry = reading.registry
    snapshot.shapes = shapes_of(state.head[3], registry.posts, registry.visible(now), now)
    snapshot.lock = [line for line in lock_data.decode("utf-8").split("\n")
                     if line and not line.startswith("#")]
    snapshot.memo = stamp(memo)
    stem = path.stem
    try:
        if reading.data is not None:
            snapshot.copy = write_copy(path.parent, stem, reading.data)
        else:
            copied = _copy_checked(path.parent, stem, Path(registry.path), plan, rows)
            if copied is None:
                forget_snapshot(path)
                return
            snapshot.copy = copied
    except OSError:
        forget_snapshot(path)
        return
    if save_snapshot(path, snapshot):
        remove_copies(path.parent, stem, snapshot.copy.name)


def _plain_lines(data: bytes) -> bool:
    """Whether "\\n" is the only thing that breaks the lock's lines (its lines are then
    the same, split by a patch or read by the lock's parser)."""
    text = data.decode("utf-8")
    return len(text.splitlines()) == text.count("\n") and text.endswith("\n")


def _copy_checked(folder: Path, stem: str, registry: Path, plan: Any,
                  rows: list[tuple[int, str, Any]]) -> CopyRef | None:
    """A copy of the registry read again (the workers read it, not this process), each
    piece checked against the source its post was parsed under: None when the file
    changed since."""
    from .reading import source_hash

    under = source_hash(plan)
    name = f"{stem}-{os.urandom(4).hex()}.bytes"
    target = folder / name
    with registry.open("rb") as source, target.open("wb") as copy:
        if source.read(len(plan.header)) != plan.header:
            target.unlink()
            return None
        copy.write(plan.header)
        ends = [plan.starts[k] for k, _, _ in rows[1:]] + [plan.size]
        for (k, digest, _), end in zip(rows, ends, strict=True):
            piece = source.read(end - plan.starts[k])
            check = under.copy()
            check.update(piece)
            if check.hexdigest()[:32] != digest:
                target.unlink()
                return None
            copy.write(piece)
        if source.read(1):
            target.unlink()
            return None
    return CopyRef(name, ((0, plan.size),))
