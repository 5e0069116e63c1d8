"""The build snapshot: what a whole build knew of posts.yaml, posts.lock and out/, kept
in .feedkit/cache/ so that the next build patches it (jobs/patch.py) instead of
working it all out again.

For each item of the posts list, in the file's order: where it starts (and on
which line), its source (the digest its post is known by), and the few fields
that place the post, as plain numbers and strings: its time (the wall clock of
the site's zone, and the instant), slug, id, tags, author and draft flag. The
rest of each post's fields, and where its texts are in the text store, are
pickled and compressed a hundred posts at a time (`raws`), so that a patch reads
only the posts it shows. Besides them: the registry's bytes (jobs/regcopy.py), posts.lock's
lines as written, and the *shape* of every output: which posts each feed,
archive page, the digest preview and feeds.html were made from. A build whose
shape comes out the same for an output keeps its file; the memo
(writers/memo.py) still checks that out/ holds it as left.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import zlib
from array import array
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

SNAPSHOT_VERSION = 5
_COPY_BLOCK = 1 << 18
_STAMP = struct.Struct("<qq")  # the file starts with the memo file's size and time
CHUNK = 100  # posts' fields pickled together
_EPOCH_DAY = datetime(1970, 1, 1).toordinal()
_LOAD_ERRORS = (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError,
                AttributeError, ImportError, IndexError, KeyError)


def wall(moment: datetime) -> int:
    """The wall-clock seconds of `moment` (since 1970-01-01 on that clock): how two
    times of one zone compare, fold or not (as Python compares them)."""
    return ((moment.toordinal() - _EPOCH_DAY) * 86400 + moment.hour * 3600
            + moment.minute * 60 + moment.second)


class Stub:
    """A post as a patch sees it: what orders it and puts it in its feeds
    (writers/catalogue.py's Listed), `wall` and `instant` its (spread) time,
    `index` its item in the file."""

    __slots__ = ("author", "index", "instant", "source", "tags", "wall")

    def __init__(self, source: str, wall: int, instant: float, tags: tuple[str, ...],
                 author: Person, index: int) -> None:
        self.source = source
        self.wall = wall
        self.instant = instant
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
    store: str  # the text store's file, in the cache folder
    # The items, in the file's order.
    starts: array[int] = field(default_factory=lambda: array("q"))
    lines: array[int] = field(default_factory=lambda: array("q"))
    sources: list[str] = field(default_factory=list)
    walls: array[int] = field(default_factory=lambda: array("q"))
    instants: array[int] = field(default_factory=lambda: array("q"))
    slugs: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tags: list[tuple[str, ...]] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    drafts: bytes = b""
    raw_at: array[int] = field(default_factory=lambda: array("q"))  # chunk * CHUNK + place
    raws: list[bytes] = field(default_factory=list)  # pickled [(fields, text location)]
    shapes: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    lock: list[str] = field(default_factory=list)  # posts.lock's entry lines as written
    lock_ids: list[str] = field(default_factory=list)  # the id of each
    memo: list[int] = field(default_factory=list)  # the memo file's size and time

    def item_end(self, k: int) -> int:
        """Where item k's bytes end: the next item's start, or the copy's end."""
        return self.starts[k + 1] if k + 1 < len(self.starts) else self.copy.size


def pack_rows(rows: list[tuple[Any, Any]]) -> bytes:
    """A chunk of `raws`: posts' fields and text locations, pickled and compressed (a
    fifth of the size: 10,000 posts' take 0.7 MB of the build's memory, not 3)."""
    return zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack_rows(chunk: bytes) -> list[tuple[Any, Any]]:
    """The rows of a chunk `pack_rows` made."""
    return pickle.loads(zlib.decompress(chunk))  # type: ignore[no-any-return]


def load_snapshot(path: Path) -> Snapshot | None:
    """The snapshot at `path`; None when missing, unreadable or of another version."""
    try:
        with path.open("rb") as handle:
            size, time = _STAMP.unpack(handle.read(_STAMP.size))
            version, snapshot = pickle.load(handle)
    except (*_LOAD_ERRORS, struct.error):
        return None
    if version != SNAPSHOT_VERSION or not isinstance(snapshot, Snapshot):
        return None
    snapshot.memo = [size, time] if size >= 0 else []
    return snapshot


def save_snapshot(path: Path, snapshot: Snapshot) -> bool:
    """Keep `snapshot` at `path` (a cache: False, and none kept, when it can't be)."""
    return finish_snapshot(path, stage_snapshot(path, snapshot), snapshot.memo)


def stage_snapshot(path: Path, snapshot: Snapshot) -> Path | None:
    """Write `snapshot` but its memo stamp to a temporary file beside `path` (a patch
    does it while its helper renders); `finish_snapshot` stamps it and puts it in
    place. None when it can't be written."""
    temp = path.with_suffix(".tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(_STAMP.pack(-1, -1))
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            # Without pickle's memo of every object written (3 MB at 10,000 posts,
            # and slower): the snapshot has no cycles, and the few strings it holds
            # twice are written twice.
            pickler.fast = True
            pickler.dump((SNAPSHOT_VERSION, snapshot))
    except (OSError, RecursionError, ValueError, pickle.PicklingError):
        forget_snapshot(path)
        return None
    return temp


def finish_snapshot(path: Path, temp: Path | None, memo: list[int]) -> bool:
    """Stamp the staged snapshot `temp` with the memo file's size and time, and make it
    the snapshot at `path` (False, and none kept, when it can't be)."""
    if temp is None:
        forget_snapshot(path)
        return False
    try:
        with temp.open("r+b") as handle:
            handle.write(_STAMP.pack(*memo) if memo else _STAMP.pack(-1, -1))
        os.replace(temp, path)
    except (OSError, struct.error, TypeError):
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
    `grouping` their feeds', when already worked out. A feed without posts follows
    from the oldest post too (its time is the feed's `updated`)."""
    from ..writers.archive import newest_archive_url
    from ..writers.catalogue import group_posts

    options = site.options
    if grouping is None:
        grouping = group_posts(options, posts, visible)
    oldest = posts[-1].source if posts else None
    pages = grouping.pages
    shapes: dict[tuple[Any, ...], Any] = {
        ("site",): (_sources(grouping.main), newest_archive_url(site, pages) if pages
                    else None, None if grouping.main else oldest),
        ("digest",): _sources(visible[: options.digest_entries]),
        ("feeds.html",): tuple((kind, name, folder)
                               for kind, name, folder, _ in grouping.taxonomy),
    }
    for kind, name, folder, members in grouping.taxonomy:
        shapes[(kind, name)] = (folder, _sources(members))
    for page in pages:
        shapes[("archive", page.number)] = (page.full, _sources(page.posts),
                                            None if page.posts else oldest)
    if options.web_digests:
        from datetime import date

        from ..periods import local_day
        from ..writers.webdigests import periods_of

        def day(post: Any) -> date:
            if isinstance(post, Stub):
                return date.fromordinal(_EPOCH_DAY + post.wall // 86400)
            return local_day(post, site)

        shapes[("web",)] = tuple((window, _sources(members)) for window, members in
                                 periods_of(site, visible, now, options.web_digests, day))
    return shapes


def take_snapshot(path: Path, reading: Any, now: datetime, templates: str,
                  lock_data: bytes, added: tuple[Any, ...], memo: Path) -> None:
    """Keep what a whole build that read the registry in pieces knew (`reading`, from
    jobs/reading.py, its read state saved), for the next build to patch; any doubt
    keeps none."""
    keep_staged(path, stage_taken(path, reading, now, templates, lock_data, added),
                stamp(memo))


def keep_staged(path: Path, staged: tuple[str, Path | None] | None, memo: list[int]
                ) -> None:
    """Put the snapshot `stage_taken` staged in place, stamped with the memo's size
    and time `memo`; None staged: none is kept."""
    if staged is None:
        forget_snapshot(path)
    elif finish_snapshot(path, staged[1], memo):
        remove_copies(path.parent, path.stem, staged[0])


def stage_taken(path: Path, reading: Any, now: datetime, templates: str,
                lock_data: bytes, added: tuple[Any, ...]) -> tuple[str, Path | None] | None:
    """`take_snapshot`'s snapshot written but for its memo stamp (`keep_staged`): its
    copy's file name and the staged file; None when none can be kept."""
    from .lockpatch import consistent

    state, plan, rows = reading.state, reading.plan, reading.rows
    if state is None or plan is None or rows is None or state.head is None:
        return None
    tz = state.head[4]
    # Times all in the site's zone compare by its wall clock, as a patch orders them;
    # the lock's new entries must sort the same by wall clock and by instant.
    if not all(raw[4].tzinfo is tz and raw[5].tzinfo is tz for _, _, raw in rows) or \
            not consistent([(post.published, post.id) for post in added]) or \
            not _plain_lines(lock_data):
        return None
    snapshot = Snapshot(state.code, templates, state.header, state.head, CopyRef("", ()),
                        state.store)
    _columns(snapshot, plan, rows, state.pieces)
    registry = reading.registry
    snapshot.shapes = shapes_of(state.head[3], registry.posts, registry.visible(now), now)
    snapshot.lock = [line for line in lock_data.decode("utf-8").split("\n")
                     if line and not line.startswith("#")]
    snapshot.lock_ids = [line.rsplit(" ", 1)[1] for line in snapshot.lock]
    try:
        if reading.copy is not None:  # the workers wrote it, each piece as hashed
            snapshot.copy = CopyRef(reading.copy, ((0, plan.size),))
        elif reading.data is not None:
            snapshot.copy = write_copy(path.parent, path.stem, reading.data)
        else:
            copied = _copy_checked(path.parent, path.stem, Path(registry.path), plan, rows)
            if copied is None:
                return None
            snapshot.copy = copied
    except OSError:
        return None
    return snapshot.copy.name, stage_snapshot(path, snapshot)


def _columns(snapshot: Snapshot, plan: Any, rows: list[tuple[int, str, Any]],
             pieces: dict[str, Any]) -> None:
    """The snapshot's columns for the items `rows` (candidate, source, fields) in the
    file's order, their texts where the read state's `pieces` say."""
    drafts = bytearray()
    chunk: list[tuple[Any, Any]] = []
    for n, (k, source, raw) in enumerate(rows):
        snapshot.starts.append(plan.starts[k])
        snapshot.lines.append(plan.lines[k])
        snapshot.sources.append(source)
        published = raw[4]
        snapshot.walls.append(wall(published))
        snapshot.instants.append(int(published.timestamp()))
        snapshot.slugs.append(raw[1])
        snapshot.ids.append(raw[3])
        snapshot.tags.append(raw[8])
        snapshot.authors.append(raw[6][0])
        drafts.append(raw[10])
        snapshot.raw_at.append(n)
        chunk.append((raw, pieces[source][1]))
        if len(chunk) == CHUNK:
            snapshot.raws.append(pack_rows(chunk))
            chunk = []
    if chunk:
        snapshot.raws.append(pack_rows(chunk))
    snapshot.drafts = bytes(drafts)


def _plain_lines(data: bytes) -> bool:
    """Whether "\\n" is the only thing that breaks the lock's lines (its lines are then
    the same, split by a patch or read by the lock's parser)."""
    text = data.decode("utf-8")
    return len(text.splitlines()) == text.count("\n") and text.endswith("\n")


def _copy_checked(folder: Path, stem: str, registry: Path, plan: Any,
                  rows: list[tuple[int, str, Any]]) -> CopyRef | None:
    """A copy of the registry read again (the workers read it, not this process), each
    piece checked against the source its post was parsed under: None when the file
    changed since. Read and written a quarter of a megabyte at a time."""
    from .reading import source_hash

    under = source_hash(plan)
    name = f"{stem}-{os.urandom(4).hex()}.bytes"
    target = folder / name
    ends = [plan.starts[k] for k, _, _ in rows[1:]] + [plan.size]
    with registry.open("rb") as source, target.open("wb") as copy:
        if source.read(len(plan.header)) != plan.header:
            target.unlink()
            return None
        copy.write(plan.header)
        at, held = len(plan.header), b""  # the file's bytes from `at` on, read so far
        for (k, digest, _), end in zip(rows, ends, strict=True):
            start = plan.starts[k]
            while end - at > len(held):
                more = source.read(max(_COPY_BLOCK, end - at - len(held)))
                if not more:
                    target.unlink()
                    return None
                copy.write(more)
                held, at = held[start - at:] + more, start
            check = under.copy()
            check.update(memoryview(held)[start - at:end - at])
            if check.hexdigest()[:32] != digest:
                target.unlink()
                return None
        if at + len(held) != plan.size or source.read(1):  # a longer file
            target.unlink()
            return None
    return CopyRef(name, ((0, plan.size),))
