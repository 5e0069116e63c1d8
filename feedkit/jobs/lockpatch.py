"""posts.lock patched for a build that changed a few posts (jobs/patch.py).

`feedkit.idlock.reconcile` compares every post with every id the lock records. A
patch starts from the lock the last build wrote, which recorded every post then
published (a build with a violation writes nothing). So only these can change
it: the ids gone from the registry (their entries are removed, unless a newcomer
takes a published one's place: a violation), the posts whose lines changed (an id
recorded as removed coming back, a slug changed) and the newcomers published by
now. The lines are the file's, in its order; an entry changed keeps its place,
an entry added is put in its place by time and id. Whatever would be a violation
is left to the whole build, which reports it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..idlock import PUBLISHED, REMOVED, LockEntry, parse_lock


@dataclass(frozen=True, slots=True)
class Placed:
    """What the lock reads of a post: its slug, id and (spread) publication time."""

    slug: str
    id: str
    published: datetime


@dataclass(frozen=True)
class PatchedLock:
    """The lock's entry lines after the patch and their ids, the number of ids added
    and those now recorded as removed."""

    lines: list[str]
    ids: list[str]
    added: int
    removed: tuple[str, ...]


def _entry(line: str) -> LockEntry:
    return parse_lock(line, "posts.lock").entries[0]


def _key(line: str) -> tuple[datetime, str]:
    first, _, rest = line.partition(" ")
    return datetime.fromisoformat(first), rest.rsplit(" ", 1)[1]


def consistent(times: list[tuple[datetime, str]]) -> bool:
    """Whether these (time, id) sort the same by wall clock as by instant: entries
    added in one build are compared with each other by their zone's wall clock (the
    same zone), with the lock's by instant; only when both agree is the order one."""
    by_wall = sorted(times)
    by_instant = sorted(times, key=lambda pair: (pair[0].astimezone(UTC), pair[1]))
    return by_wall == by_instant


def patch_lock(lines: list[str], ids: list[str], index: dict[str, int],
               newcomers: list[Placed], touched: list[Placed], gone: set[str],
               now: datetime) -> PatchedLock | None:
    """The lock after a patch: `lines` as the last build wrote them (`ids` theirs,
    `index` each id's line), `newcomers` the registry's posts (newest first) whose id
    the lock doesn't know, `touched` those whose lines changed, `gone` the ids no
    longer in the registry. None when a post would change or reuse an id."""
    by_slug = {post.slug: post for post in newcomers}
    by_time = {post.published: post for post in newcomers}
    lines = list(lines)
    removed = []
    for entry in sorted((_entry(lines[index[i]]) for i in gone if i in index),
                        key=lambda e: (e.first_published, e.id)):
        if entry.status != PUBLISHED:
            continue
        if by_slug.get(entry.slug) is not None or by_time.get(entry.first_published):
            return None  # a newcomer takes its place: lock-id-changed
        lines[index[entry.id]] = replace(entry, status=REMOVED).text()
        removed.append(entry.id)
    for post in touched:
        at = index.get(post.id)
        if at is None:
            continue
        entry = _entry(lines[at])
        if entry.status == REMOVED and not entry.same_post(post):  # type: ignore[arg-type]
            return None  # lock-id-reused
        if entry.status == REMOVED or entry.slug != post.slug:
            lines[at] = replace(entry, status=PUBLISHED, slug=post.slug).text()
    added = [post for post in newcomers if post.published <= now]
    if not consistent([(post.published, post.id) for post in added]):
        return None
    ids = list(ids)
    for post in sorted(added, key=lambda p: (p.published, p.id), reverse=True):
        at = bisect_right(lines, (post.published, post.id), key=_key)
        lines.insert(at, LockEntry(post.published, PUBLISHED, post.slug, post.id).text())
        ids.insert(at, post.id)
    return PatchedLock(lines, ids, len(added), tuple(removed))
