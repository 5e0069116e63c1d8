"""Reading the registry for a build: in pieces, reusing what the last build read, and
on every core when there is much to read.

posts.yaml is cut at its items (feedkit.load.pieces). A piece whose bytes the last
build parsed, under the same site section and feedkit code, is taken from the
build state (its post's fields, and its texts in the text store); the others are
parsed, in runs, and their texts (Markdown, sanitising, excerpt) and Atom entry
rendered into the text store. A large read is shared between worker processes forked for it, each
parsing and rendering its share. The posts come out without their bodies: their
`source` finds their texts. A registry that can't be read in pieces, or any doubt
on the way (a run that doesn't parse, a problem to report) is read whole, as
`feedkit.load.load` always does, and then reported as always.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..model import Author, Image, Post, Registry, Site
from .readstate import Raw, ReadState
from .textstore import TextStore

# Below this many posts to parse, forking workers costs more than it saves.
PARALLEL_FROM = 1000


@dataclass
class Reading:
    """The registry as the build reads it; `state` is None when it was read whole."""

    registry: Registry
    store: TextStore | None = None
    state: ReadState | None = None
    parsed: int = 0  # pieces parsed this time (the rest came from the state)
    previous: ReadState | None = None  # the state it started from, if it still held
    # For the build's snapshot (jobs/snapshot.py): the layout, the items' rows in the
    # file's order, and the bytes read (None when workers read them).
    plan: Any = None
    rows: list[Row] | None = None
    data: bytes | None = None
    # The registry's copy for the snapshot (jobs/regcopy.py), when the workers wrote
    # it as they read: its file's name in the copy's folder.
    copy: str | None = None


def read_registry(path: Path, cache: Path | None, *, drafts: bool = False,
                  previous: ReadState | None = None,
                  copy_to: tuple[Path, str] | None = None,
                  holding: list[bytes] | None = None,
                  settle: Callable[[], None] | None = None) -> Reading:
    """The registry at `path` for a build whose cache files start with `cache` (None:
    keep nothing); the posts without drafts unless `drafts`. `copy_to` (folder, stem):
    workers that read every piece also write the snapshot's copy of the registry
    there, the very bytes each piece was hashed from (`Reading.copy`). `holding`: a list
    holding the registry's bytes already read (emptied here); `settle()` is called
    before workers are forked (whatever else holds the bytes lets go of them)."""
    from ..fingerprint import code_fingerprint
    from ..inputs import REGISTRY_LIMIT, read_input

    shown = str(path)
    given = holding.pop() if holding else None
    if holding is not None:
        holding.clear()
    data = read_input(path, "registry", REGISTRY_LIMIT) if given is None else given
    del given
    code = code_fingerprint()
    if previous is not None and previous.code != code:
        previous = None
    plan, found = _layout(data, shown, previous) if cache is not None else (None, None)
    if plan is None or found is None or cache is None:
        return Reading(_whole(path, drafts))
    site, tz = found
    header = hashlib.sha256(plan.header).hexdigest()
    if previous is not None and previous.header != header:
        previous = None
    state = ReadState(code, header, previous.store if previous else
                      f"{cache.name}-{os.urandom(4).hex()}.texts",
                      head=(len(plan.header), plan.lines[0], plan.column, site, tz))
    store = TextStore(cache.parent / state.store,
                      {s: loc for s, (_, loc) in previous.pieces.items()} if previous else {})
    known = _known(data, plan, previous)
    runs = _runs(len(plan.starts), known)
    many = sum(after - first for first, after in runs) >= PARALLEL_FROM
    kept: bytes | None = data
    if many and (os.cpu_count() or 1) > 1:
        del data  # workers read the file themselves: no copy in any process
        if settle is not None:
            settle()
        kept = None
        whole = runs == [(0, len(plan.starts))]
        copy = _CopyFile(copy_to, plan) if whole and copy_to is not None else None
        try:
            parsed = _parse_shared(path, plan, runs, site, tz, store, copy)
        finally:
            copy_name = copy.close() if copy is not None else None
    else:
        copy_name = None
        parsed = _parse_share(lambda at, size: data[at:at + size], shown, plan, runs, site,
                              tz, store)
    if parsed is None:
        _drop(copy_to, copy_name)
        return Reading(_whole(path, drafts))
    old = previous.pieces if previous else {}
    rows = sorted([(k, source, old[source][0]) for k, source in known.items()] + parsed,
                  key=lambda row: row[0])
    posts = _posts(rows, plan.lines)
    from ..load.pieces import ordered
    from ..load.registry import without_drafts

    in_order = ordered(posts)
    if in_order is None:
        _drop(copy_to, copy_name)
        return Reading(_whole(path, drafts))
    state.pieces = {source: (raw, store.index[source]) for _, source, raw in rows}
    registry = Registry(shown, site, in_order)
    return Reading(registry if drafts else without_drafts(registry), store, state,
                   parsed=len(parsed), previous=previous, plan=plan, rows=rows, data=kept,
                   copy=copy_name)


class _Blocks:
    """Pieces that follow one another, written a quarter of a megabyte at a time."""

    def __init__(self, write: Callable[[bytes, int], None]) -> None:
        self._write = write
        self._held: list[bytes] = []
        self._start = 0
        self._end = 0
        self._size = 0

    def add(self, data: bytes, at: int) -> None:
        if self._held and at != self._end:
            self.flush()
        if not self._held:
            self._start = at
        self._held.append(data)
        self._end = at + len(data)
        self._size += len(data)
        if self._size >= 1 << 18:
            self.flush()

    def flush(self) -> None:
        if self._held:
            self._write(b"".join(self._held), self._start)
        self._held, self._size = [], 0


def _drop(copy_to: tuple[Path, str] | None, name: str | None) -> None:
    if copy_to is not None and name is not None:
        (copy_to[0] / name).unlink(missing_ok=True)


class _CopyFile:
    """The snapshot's copy of the registry, written by the workers at each piece's
    offset (the header here): complete once every worker wrote every piece it read;
    any failure (a full disk) and there is none (the snapshot then reads the file
    again, jobs/snapshot.py)."""

    def __init__(self, where: tuple[Path, str], plan: Any) -> None:
        folder, stem = where
        self.name = f"{stem}-{os.urandom(4).hex()}.bytes"
        self.path = folder / self.name
        self.fd: int | None = None
        self.ok = True
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            self.write(plan.header, 0)
        except OSError:
            self.ok = False

    def write(self, data: bytes, at: int) -> None:
        """Write `data` at offset `at` (in a worker too: the descriptor is shared)."""
        if self.fd is None or not self.ok:
            return
        try:
            if os.pwrite(self.fd, data, at) != len(data):
                self.ok = False
        except OSError:
            self.ok = False

    def close(self) -> str | None:
        """The copy's file name, or None (no copy, and none left behind)."""
        if self.fd is not None:
            os.close(self.fd)
        if self.ok and self.fd is not None:
            return self.name
        self.path.unlink(missing_ok=True)
        return None


def _whole(path: Path, drafts: bool) -> Registry:
    from ..load import load

    return load(path, drafts=drafts)


def _layout(data: bytes, path: str, previous: ReadState | None
            ) -> tuple[Any, tuple[Site, ZoneInfo] | None]:
    """The registry's layout and site: the header as the last build read it when its
    bytes are the same (no YAML to parse), else found afresh."""
    from ..load.pieces import candidates, layout, site_of

    if previous is not None and previous.head is not None:
        size, line, column, site, tz = previous.head
        header = data[:size]
        if hashlib.sha256(header).hexdigest() == previous.header:
            return candidates(data, header, line, column), (site, tz)
    plan = layout(data)
    return plan, site_of(plan, path) if plan is not None else None


def _known(data: bytes, plan: Any, previous: ReadState | None) -> dict[int, str]:
    """Candidates whose piece the last build parsed: candidate -> source."""
    if previous is None or not previous.pieces:
        return {}
    pieces = previous.pieces
    view = memoryview(data)
    starts = plan.starts
    ends = (*starts[1:], plan.size)
    known = {}
    under = source_hash(plan)
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        digest = under.copy()
        digest.update(view[start:end])
        source = digest.hexdigest()[:32]
        if source in pieces:
            known[k] = source
    return known


def source_hash(plan: Any) -> Any:
    """The hash a piece's source starts from: the site section's bytes, under which
    the piece was read (a post's URL and id follow from the site's)."""
    return hashlib.sha256(b"%d\0" % len(plan.header) + plan.header)


def _runs(count: int, known: dict[int, str]) -> list[tuple[int, int]]:
    """The runs of candidates to parse: (first, after) of each stretch not known."""
    runs = []
    k = 0
    while k < count:
        if k in known:
            k += 1
            continue
        first = k
        while k < count and k not in known:
            k += 1
        runs.append((first, k))
    return runs


Row = tuple[int, str, Raw]  # candidate, source, fields


def _parse_shared(path: Path, plan: Any, runs: list[tuple[int, int]], site: Site,
                  tz: ZoneInfo, store: TextStore, copy: _CopyFile | None = None
                  ) -> list[Row] | None:
    """Parse the runs and render their texts in worker processes, one per core; with
    `copy`, each piece read is also written to the registry's copy."""
    from ..writers.parallel import in_child

    shares = _shares(plan, runs, min(os.cpu_count() or 1, 8))

    def work(share: list[tuple[int, int]]
             ) -> Callable[[], tuple[list[Row], Any, bool] | None]:
        def job() -> tuple[list[Row], Any, bool] | None:
            fd = os.open(path, os.O_RDONLY)
            blocks = _Blocks(copy.write) if copy is not None else None
            try:
                rows = _parse_share(lambda at, size: os.pread(fd, size, at), str(path),
                                    plan, share, site, tz, store,
                                    blocks.add if blocks is not None else None)
                if blocks is not None:
                    blocks.flush()
            finally:
                os.close(fd)
            return None if rows is None else (rows, {s: store.index[s] for _, s, _ in rows},
                                              copy is None or copy.ok)

        return job

    # Every share in a worker: what parsing leaves behind (a heap of freed bodies and
    # HTML) goes with the worker, and the build's own process stays small.
    waiting = [in_child(work(share)) for share in shares]
    results = [wait() for wait in waiting]
    rows: list[Row] = []
    for result in results:
        if result is None:
            return None
        rows += result[0]
        store.index.update(result[1])
        if copy is not None and not result[2]:
            copy.ok = False  # a worker couldn't write its pieces
    return rows


def _shares(plan: Any, runs: list[tuple[int, int]], count: int) -> list[list[tuple[int, int]]]:
    """The runs cut into `count` shares of about the same number of bytes."""
    sizes = sum(plan.end(after) - plan.starts[first] for first, after in runs)
    target = sizes / count
    shares: list[list[tuple[int, int]]] = [[]]
    filled = 0.0
    for first, after in runs:
        k = first
        while k < after:
            room = target * len(shares) - filled
            stop = k + 1
            while stop < after and plan.starts[stop] - plan.starts[k] < room:
                stop += 1
            shares[-1].append((k, stop))
            filled += plan.end(stop) - plan.starts[k]
            k = stop
            if filled >= target * len(shares) and len(shares) < count:
                shares.append([])
    return [share for share in shares if share] or [[]]


def _parse_share(read: Callable[[int, int], bytes], path: str, plan: Any,
                 runs: list[tuple[int, int]], site: Site, tz: ZoneInfo,
                 store: TextStore, copy: Callable[[bytes, int], None] | None = None
                 ) -> list[Row] | None:
    """Parse runs, rendering the texts of new pieces into the store; `copy(bytes,
    offset)` is given each piece's bytes as hashed."""
    from ..load.pieces import NotInPieces, parse_run
    from ..text.content import post_texts_many
    from ..writers.entries import entry_bytes

    rows: list[Row] = []
    waiting: list[tuple[str, Post]] = []  # new pieces, their texts rendered a batch at a time
    pending: set[str] = set()
    options = site.options
    under = source_hash(plan)

    def flush() -> None:
        texts = post_texts_many([post for _, post in waiting], options)
        store.append([(source, *rendered, entry_bytes(post, rendered))
                      for (source, post), rendered in zip(waiting, texts, strict=True)])
        waiting.clear()

    try:
        for first, after in runs:
            for item in parse_run(read, plan, first, after, site, tz, path):
                start = plan.starts[item.first]
                digest = under.copy()
                piece = read(start, plan.end(item.after) - start)
                digest.update(piece)
                if copy is not None:
                    copy(piece, start)
                source = digest.hexdigest()[:32]
                post = item.post
                if source not in store and source not in pending:
                    pending.add(source)
                    waiting.append((source, post))
                    if len(waiting) >= 256:
                        flush()
                rows.append((item.first, source, raw_of(post)))
    except NotInPieces:
        return None
    flush()
    return rows


def raw_of(post: Post) -> Raw:
    """A post's fields but its body, line and source (what the read state keeps)."""
    author = post.author
    image = post.image
    return (post.title, post.slug, post.url, post.id, post.published, post.updated,
            (author.name, author.email, author.url, author.role), post.summary, post.tags,
            (image.url, image.alt, image.width, image.height) if image else None, post.draft)


def _posts(rows: list[Row], lines: tuple[int, ...]) -> list[Post]:
    authors: dict[tuple[str, ...], Author] = {}
    return [post_of(raw, lines[k], source, authors) for k, source, raw in rows]


def post_of(raw: Raw, line: int, source: str, authors: dict[tuple[str, ...], Author]
            ) -> Post:
    """The post of a piece's fields (its author shared through `authors`)."""
    (title, slug, url, post_id, published, updated, who, summary, tags, image, draft) = raw
    author = authors.get(who)
    if author is None:
        author = authors[who] = Author(name=who[0], email=who[1], url=who[2], role=who[3])
    return Post(title=title, slug=slug, url=url, id=post_id, published=published,
                updated=updated, author=author, summary=summary, tags=tags, line=line,
                image=Image(*image) if image else None, draft=draft, source=source)
