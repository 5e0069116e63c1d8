"""A build that patches the last one: posts.yaml compared with the bytes the last build
read, only the posts in between parsed, and only the outputs whose posts changed
made again.

The last whole build left a snapshot (jobs/snapshot.py). The registry is compared
with its copy from both ends (a memcmp, not a hash per post): the items wholly in
the unchanged start and end are the ones the snapshot knows, the stretch between
is cut into items and parsed (jobs/reading.py's rule: a run parsed on its own
gives what the whole file gives, or an error). The posts are then put in order
and in their feeds again from a few fields each (no Post made for them), and
every output's shape is compared with the snapshot's: an output whose shape is
the same is kept as it is in out/ (the memo checks out/ still holds it), the
others are rendered from the posts they show, made from the read state. posts.lock
is patched (jobs/lockpatch.py). Whatever the patch can't vouch for gives None,
and the caller builds as always: another header or options, other templates or
feedkit, a run that doesn't parse on its own, a problem or a lock violation to
report, web digests of a complete period changed, a file of out/ not as left.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..model import Person, Post, Registry
from .readstate import Raw, ReadState
from .snapshot import Snapshot, Stub


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
    """The new items of a change: the snapshot's columns for them, and their fields."""

    starts: list[int]
    lines: list[int]
    sources: list[str]
    raws: list[Raw]
    posts: list[Post]  # as parsed, bodies included (their texts may be new)


def read_change(data: bytes, snapshot: Snapshot, change: Change, path: str) -> Items | None:
    """Cut and parse the changed stretch; None when it can't be read on its own."""
    from ..load.pieces import Layout, NotInPieces, cut, parse_run
    from .reading import raw_of, source_hash

    items = Items([], [], [], [], [])
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
            items.raws.append(raw_of(post))
            items.posts.append(post)
    except NotInPieces:
        return None
    return items


def spliced(snapshot: Snapshot, change: Change, items: Items, data: bytes) -> Snapshot:
    """The snapshot's columns with the change's items in place of the old ones."""
    first, after = change.first, change.after
    moved_lines = 0
    if after < len(snapshot.starts):
        end_line = snapshot.lines[first] + data.count(b"\n", change.start, change.end)
        moved_lines = end_line - snapshot.lines[after]

    def put(old: list[Any], new: list[Any]) -> list[Any]:
        return old[:first] + new + old[after:]

    raws = items.raws
    return replace(
        snapshot,
        starts=snapshot.starts[:first] + items.starts + [
            start + change.delta for start in snapshot.starts[after:]],
        lines=snapshot.lines[:first] + items.lines + [
            line + moved_lines for line in snapshot.lines[after:]],
        sources=put(snapshot.sources, items.sources),
        published=put(snapshot.published, [raw[4] for raw in raws]),
        slugs=put(snapshot.slugs, [raw[1] for raw in raws]),
        ids=put(snapshot.ids, [raw[3] for raw in raws]),
        tags=put(snapshot.tags, [raw[8] for raw in raws]),
        authors=put(snapshot.authors, [raw[6][0] for raw in raws]),
        drafts=put(snapshot.drafts, [raw[10] for raw in raws]))


@dataclass
class Ordered:
    """The registry's posts as stubs, newest first, and how their times were spread."""

    stubs: list[Stub]
    shifted: list[datetime]  # each item's time once spread
    ranks: dict[int, int]  # item -> seconds added


def order(snapshot: Snapshot) -> Ordered | None:
    """The posts in order (load/posts.py's rule), drafts left out; None when two
    share a slug or an id (the whole build reports it)."""
    from ..load.posts import time_order

    count = len(snapshot.sources)
    if len(set(snapshot.slugs)) < count or len(set(snapshot.ids)) < count:
        return None
    in_order, shifted, ranks = time_order(snapshot.published)
    people: dict[str, Person] = {}
    sources, tags, authors, drafts = (snapshot.sources, snapshot.tags, snapshot.authors,
                                      snapshot.drafts)
    stubs = []
    for i in in_order:
        if drafts[i]:
            continue
        name = authors[i]
        person = people.get(name)
        if person is None:
            person = people[name] = Person(name)
        source = f"{sources[i]}+{ranks[i]}" if i in ranks else sources[i]
        stubs.append(Stub(source, shifted[i], tags[i], person, i))
    return Ordered(stubs, shifted, ranks)


class Posts:
    """Posts made on demand from the read state (and the change's new fields)."""

    def __init__(self, snapshot: Snapshot, ordered: Ordered, state: ReadState,
                 new: dict[str, Raw]) -> None:
        self.snapshot = snapshot
        self.ordered = ordered
        self.state = state
        self.new = new
        self.made: dict[int, Post] = {}
        self.authors: dict[tuple[str, ...], Any] = {}

    def of(self, stub: Stub) -> Post:
        from .reading import post_of

        i = stub.index
        post = self.made.get(i)
        if post is not None:
            return post
        source = self.snapshot.sources[i]
        raw = self.new.get(source) or self.state.pieces[source][0]
        post = post_of(raw, self.snapshot.lines[i], stub.source, self.authors)
        if i in self.ordered.ranks:
            shifted = self.ordered.shifted[i]
            explicit = post.updated != post.published
            post = replace(post, published=shifted,
                           updated=post.updated if explicit else shifted)
        self.made[i] = post
        return post

    def all(self, stubs: Any) -> tuple[Post, ...]:
        return tuple(self.of(stub) for stub in stubs)

    def registry(self, path: str) -> Registry:
        """A registry of the posts made so far, in order: what the digest writers read
        (the newest posts it needs are the whole registry's newest, made first)."""
        made = self.made
        posts = tuple(made[stub.index] for stub in self.ordered.stubs if stub.index in made)
        return Registry(path, self.snapshot.head[3], posts)


def placed_of(snapshot: Snapshot, ordered: Ordered, indexes: Any) -> list[Any]:
    """What the lock reads of these items' posts."""
    from .lockpatch import Placed

    return [Placed(snapshot.slugs[i], snapshot.ids[i], ordered.shifted[i]) for i in indexes]


def lock_changes(before: Snapshot, after: Snapshot, change: Change, ordered: Ordered,
                 now: datetime) -> Any:
    """posts.lock's lines patched for the change (jobs/lockpatch.py), or None."""
    from .lockpatch import patch_lock

    known = {line.rsplit(" ", 1)[1] for line in before.lock}
    newcomers = placed_of(after, ordered, (stub.index for stub in ordered.stubs
                                           if after.ids[stub.index] not in known))
    count = change.after - change.first
    new_items = range(change.first, len(after.sources) - len(before.sources) + change.after)
    touched = placed_of(after, ordered, (i for i in new_items if not after.drafts[i]))
    present = {after.ids[stub.index] for stub in ordered.stubs}
    gone = {before.ids[i] for i in range(change.first, change.first + count)
            if not before.drafts[i]} - present
    return patch_lock(before.lock, newcomers, touched, gone, now)
