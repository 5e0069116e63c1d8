"""A build that patches the last one: posts.yaml compared with the bytes the last build
read, only the posts in between parsed, and only the outputs whose posts changed
made again.

The last whole build left a snapshot (jobs/snapshot.py). The registry is compared
with its copy from both ends (a memcmp, not a hash per post): the items wholly in
the unchanged start and end are the ones the snapshot knows, the stretch between
is cut into items and parsed (jobs/reading.py's rule: a run parsed on its own
gives what the whole file gives, or an error). The posts are then put in order
and in their feeds again from a few numbers and strings each (no Post made for
them), and every output's shape is compared with the snapshot's
(jobs/patchbuild.py). Whatever the patch can't vouch for gives None, and the
caller builds as always.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import Person, Post
from .snapshot import CHUNK, Snapshot, Stub, unpack_rows, wall

_MAX_WALL = wall(datetime(9999, 12, 31, 23, 59, 59))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Change:
    """The old items [first, after) are replaced by those cut from data[start:end];
    the old items from `after` on moved by `delta` bytes."""

    first: int
    after: int
    start: int
    end: int
    delta: int


def find_change(data: bytes, snapshot: Snapshot, copy: Any) -> Change | None:
    """What changed in the posts list since the snapshot's copy, or None when the
    header changed (or there are no items)."""
    size = snapshot.copy.size
    head = snapshot.head[0]
    starts = snapshot.starts
    if not starts or len(data) < head:
        return None
    limit = min(len(data), size) - head
    suffix = copy.common_suffix(data, max(limit, 0))
    prefix = copy.common_prefix(data, min(len(data), size) - suffix)
    if prefix < head:
        return None
    first = max(bisect_right(starts, prefix - 1) - 1, 0)
    after = bisect_left(starts, size - suffix)
    delta = len(data) - size
    # An item kept at the end must still start a line (an edit may have eaten the
    # line break before it).
    while after < len(starts) and data[starts[after] + delta - 1] != 10:
        after += 1
    end = starts[after] + delta if after < len(starts) else len(data)
    return Change(first, after, starts[first], end, delta)


@dataclass
class Items:
    """The items cut from a change's stretch: where each starts, its line, source and
    post as parsed (its body too: its texts may be new)."""

    starts: list[int]
    lines: list[int]
    sources: list[str]
    posts: list[Post]


def read_change(data: bytes, snapshot: Snapshot, change: Change, path: str) -> Items | None:
    """Cut and parse the changed stretch; None when it can't be read on its own."""
    from ..load.pieces import Layout, NotInPieces, cut, parse_run
    from .reading import source_hash

    items = Items([], [], [], [])
    if change.start == change.end:
        return items
    head, _, column, site, tz = snapshot.head
    found = cut(data, change.start, change.end, snapshot.lines[change.first], column)
    if found is None:
        return None
    starts, lines = found
    plan = Layout(data[:head], None, column, starts, lines, change.end)
    under = source_hash(plan)
    try:
        for item in parse_run(lambda at, size: data[at:at + size], plan, 0, len(starts),
                              site, tz, path):
            post = item.post
            if post.published.tzinfo is not tz or post.updated.tzinfo is not tz:
                return None  # a time the site's zone doesn't order as the patch does
            start, end = starts[item.first], plan.end(item.after)
            digest = under.copy()
            digest.update(data[start:end])
            items.starts.append(start)
            items.lines.append(lines[item.first])
            items.sources.append(digest.hexdigest()[:32])
            items.posts.append(post)
    except NotInPieces:
        return None
    return items


def spliced(snapshot: Snapshot, change: Change, items: Items, data: bytes,
            raw_at: list[int], chunks: list[bytes]) -> Snapshot:
    """The snapshot's columns with the change's items in place of the old ones;
    `raw_at` says where each new item's fields are, `chunks` are the new chunks."""
    from array import array

    first, after = change.first, change.after
    moved_lines = 0
    if after < len(snapshot.starts):
        end_line = snapshot.lines[first] + data.count(b"\n", change.start, change.end)
        moved_lines = end_line - snapshot.lines[after]

    def put(old: Any, new: Any) -> Any:
        return old[:first] + new + old[after:]

    posts = items.posts
    return replace(
        snapshot,
        starts=snapshot.starts[:first] + array("q", items.starts) + array("q", [
            start + change.delta for start in snapshot.starts[after:]]),
        lines=snapshot.lines[:first] + array("q", items.lines) + array("q", [
            line + moved_lines for line in snapshot.lines[after:]]),
        sources=put(snapshot.sources, items.sources),
        walls=put(snapshot.walls, array("q", [wall(post.published) for post in posts])),
        instants=put(snapshot.instants, array("q", [int(post.published.timestamp())
                                                    for post in posts])),
        slugs=put(snapshot.slugs, [post.slug for post in posts]),
        ids=put(snapshot.ids, [post.id for post in posts]),
        tags=put(snapshot.tags, [post.tags for post in posts]),
        authors=put(snapshot.authors, [post.author.name for post in posts]),
        drafts=put(snapshot.drafts, bytes(post.draft for post in posts)),
        raw_at=put(snapshot.raw_at, array("q", raw_at)),
        raws=snapshot.raws + chunks)


def _keys(walls: list[int]) -> list[int]:
    """Sort keys of wall-clock seconds: the time, then the file's order backwards
    (time_order's pairs, as one number each)."""
    return [moment * 4_294_967_296 - index for index, moment in enumerate(walls)]


def _add_seconds(moment: int, seconds: int) -> int:
    """`time_order`'s step on wall-clock seconds: what adding to a datetime does."""
    if moment + seconds > _MAX_WALL:
        raise OverflowError
    return moment + seconds


@dataclass
class Ordered:
    """The registry's posts as stubs, newest first, and how their times were spread."""

    stubs: list[Stub]
    ranks: dict[int, int]  # item -> seconds added


class Posts:
    """Posts made on demand from the snapshot's chunks of fields."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.made: dict[int, Post] = {}
        self.locations: dict[str, Any] = {}  # source -> where its texts are
        self._chunks: dict[int, list[Any]] = {}
        self._authors: dict[tuple[str, ...], Any] = {}

    def fields(self, i: int) -> tuple[Any, Any]:
        """Item i's fields (jobs/reading.py's raw) and its texts' location."""
        chunk, place = divmod(self.snapshot.raw_at[i], CHUNK)
        found = self._chunks.get(chunk)
        if found is None:
            found = self._chunks[chunk] = unpack_rows(self.snapshot.raws[chunk])
        return found[place]

    def published(self, i: int, rank: int) -> datetime:
        """Item i's time, spread by `rank` seconds."""
        raw = self.fields(i)[0]
        return raw[4] + timedelta(seconds=rank) if rank else raw[4]  # type: ignore[no-any-return]

    def of(self, stub: Stub, ranks: dict[int, int]) -> Post:
        from .reading import post_of

        i = stub.index
        post = self.made.get(i)
        if post is not None:
            return post
        raw, location = self.fields(i)
        post = post_of(raw, self.snapshot.lines[i], stub.source, self._authors)
        rank = ranks.get(i)
        if rank:
            shifted = self.published(i, rank)
            explicit = post.updated != post.published
            post = replace(post, published=shifted,
                           updated=post.updated if explicit else shifted)
        self.locations[self.snapshot.sources[i]] = location
        self.made[i] = post
        return post


def order(snapshot: Snapshot, posts: Posts) -> Ordered | None:
    """The posts in order (load/posts.py's rule, on wall-clock seconds), drafts left
    out; None when two share a slug or an id (the whole build reports it)."""
    from ..load.posts import time_order

    count = len(snapshot.sources)
    if len(set(snapshot.slugs)) < count or len(set(snapshot.ids)) < count:
        return None
    in_order, shifted, ranks = time_order(list(snapshot.walls), _add_seconds, _keys)
    people: dict[str, Person] = {}
    sources, tags, authors, drafts, instants = (
        snapshot.sources, snapshot.tags, snapshot.authors, snapshot.drafts,
        snapshot.instants)
    stubs = []
    for i in in_order:
        if drafts[i]:
            continue
        name = authors[i]
        person = people.get(name)
        if person is None:
            person = people[name] = Person(name)
        rank = ranks.get(i)
        if rank:
            moment = posts.published(i, rank)
            stubs.append(Stub(f"{sources[i]}+{rank}", shifted[i], int(moment.timestamp()),
                              tags[i], person, i))
        else:
            stubs.append(Stub(sources[i], shifted[i], instants[i], tags[i], person, i))
    return Ordered(stubs, ranks)


def visible_at(stubs: list[Stub], now: datetime) -> list[Stub]:
    """The stubs published by `now` (Registry.visible's rule, on instants)."""
    limit = (now - _EPOCH) // timedelta(microseconds=1)
    return [stub for stub in stubs if stub.instant * 1_000_000 <= limit]


def lock_changes(before: Snapshot, after: Snapshot, change: Change, ordered: Ordered,
                 posts: Posts, now: datetime) -> Any:
    """posts.lock's lines patched for the change (jobs/lockpatch.py), or None."""
    from .lockpatch import Placed, patch_lock

    ranks = ordered.ranks

    def placed(i: int) -> Placed:
        return Placed(after.slugs[i], after.ids[i], posts.published(i, ranks.get(i, 0)))

    index = {entry_id: k for k, entry_id in enumerate(before.lock_ids)}
    ids = after.ids
    newcomers = [placed(stub.index) for stub in ordered.stubs if ids[stub.index] not in index]
    new_count = len(after.sources) - len(before.sources) + change.after - change.first
    touched = [placed(i) for i in range(change.first, change.first + new_count)
               if not after.drafts[i]]
    present = {ids[stub.index] for stub in ordered.stubs}
    gone = {before.ids[i] for i in range(change.first, change.after)
            if not before.drafts[i]} - present
    return patch_lock(before.lock, before.lock_ids, index, newcomers, touched, gone, now)
