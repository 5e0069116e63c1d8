"""posts.lock: every entry id feedkit has published, and the rule that keeps it.

The lock is a text file beside the registry, meant to be committed with it. Each
line records one id: when its post was first published, whether the post is still
in the registry (`published`) or was removed on purpose (`removed`), the post's
slug, and the id itself.

`reconcile` compares a registry with the lock. A post whose id is not in the lock
but that is the same post as a published id gone from the registry (the same slug,
or the same publication time) would be shown twice by every reader: a Violation,
which the build refuses. An id of a removed post may come back only on the same
post. Otherwise the lock grows: posts published by now are added, and ids gone
from the registry without a successor are recorded as removed. Scheduled posts
are not published yet and are not locked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path

from .errors import FeedkitError, FileProblems, Problem
from .model import Post, Registry

FORMAT = 1
PUBLISHED = "published"
REMOVED = "removed"
ID_CHANGED = "lock-id-changed"
ID_REUSED = "lock-id-reused"
_FORMAT_LINE = re.compile(r"^# feedkit posts\.lock, format (\d+)\b")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


_ORDER = attrgetter("first_published", "id")


class LockError(FileProblems):
    """The lock file can't be read as a lock: each bad line is listed."""


class LockViolation(FileProblems):
    """Posts of the registry would change or reuse a published id."""


@dataclass(frozen=True, slots=True)
class LockEntry:
    """One published id. `line` is where it stands in the lock file (0: not read from one)."""

    first_published: datetime
    status: str
    slug: str
    id: str
    line: int = 0


    def text(self) -> str:
        return f"{self.first_published.isoformat()} {self.status} {self.slug} {self.id}"

    def same_post(self, post: Post) -> bool:
        """Whether `post` is the post this id was published for: same slug or same time."""
        return post.slug == self.slug or post.published == self.first_published


@dataclass(frozen=True, slots=True)
class Lock:
    """The entries of a lock file (written out oldest first)."""

    entries: tuple[LockEntry, ...] = ()

    def by_id(self) -> dict[str, LockEntry]:
        return {entry.id: entry for entry in self.entries}

    def render(self, registry_name: str) -> str:
        """The file's text: a header saying what it is, then one line per id, sorted."""
        header = (
            f"# feedkit posts.lock, format {FORMAT}: the entry ids feedkit has published "
            f"from {registry_name}.\n"
            f"# Commit it with {registry_name}. `feedkit build` records each post it "
            "publishes and fails\n"
            "# when a published post would get another id; a post taken out of the "
            "registry stays\n"
            "# here as removed, so its id is never given to another post. See docs/registry.md, "
            "\"Entry ids\".\n"
            "# first-published status slug id\n"
        )
        lines = sorted(self.entries, key=_ORDER)
        return header + "".join(entry.text() + "\n" for entry in lines)


@dataclass(frozen=True, slots=True)
class Violation:
    """A post that would change a published id (lock-id-changed) or reuse a removed one
    (lock-id-reused). `pin` is the `id:` line that fixes a changed id."""

    rule: str
    post: Post
    entry: LockEntry
    message: str

    @property
    def pin(self) -> str:
        return f"id: {self.entry.id}"


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The lock a build writes, and what changed on the way there."""

    lock: Lock
    violations: tuple[Violation, ...] = ()
    added: tuple[Post, ...] = ()
    removed: tuple[LockEntry, ...] = ()


def parse_lock(text: str, path: str) -> Lock:
    """The entries of a lock file's text; LockError lists every line that can't be read."""
    problems: list[Problem] = []
    entries: list[LockEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            found = _FORMAT_LINE.match(line)
            if found and int(found[1]) > FORMAT:
                problems.append(Problem(path, number, 1, f"written in format {found[1]} "
                                        "by a newer feedkit; upgrade feedkit to build"))
            continue
        if not line.strip():
            continue
        entry = _entry(line, number, path, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(path, number, 1, f"the id '{entry.id}' is also on line "
                                    f"{seen[entry.id]}; keep one of the two lines"))
            continue
        seen[entry.id] = number
        entries.append(entry)
    if problems:
        raise LockError(problems)
    return Lock(tuple(entries))


def _entry(line: str, number: int, path: str, problems: list[Problem]) -> LockEntry | None:
    fields = line.split(" ", 3)
    if len(fields) < 4 or not all(fields):
        problems.append(Problem(path, number, 1, "expected 'FIRST-PUBLISHED STATUS SLUG ID' "
                                "separated by single spaces"))
        return None
    when, status, slug, entry_id = fields
    column = len(when) + 2
    try:
        first = datetime.fromisoformat(when)
    except ValueError:
        first = None
    if first is None or first.tzinfo is None:
        problems.append(Problem(path, number, 1, f"'{when}' is not a date-time with an "
                                "offset, like 2020-02-03T00:00:00+01:00"))
    elif status not in (PUBLISHED, REMOVED):
        problems.append(Problem(path, number, column, f"status '{status}' is neither "
                                f"'{PUBLISHED}' nor '{REMOVED}'"))
    elif not _SLUG.match(slug):
        problems.append(Problem(path, number, column + len(status) + 1,
                                f"'{slug}' is not a slug (a-z, 0-9 and single hyphens)"))
    elif len(entry_id.split()) != 1 or entry_id != entry_id.strip():
        problems.append(Problem(path, number, len(line) - len(entry_id) + 1,
                                "an id has no spaces in it"))
    else:
        return LockEntry(first, status, slug, entry_id, number)
    return None


@dataclass(frozen=True, slots=True)
class LockPlan:
    """The lock file at `path` checked against a registry: what a build writes there
    (`data`), and whether that differs from the file (`changed`)."""

    path: Path
    existed: bool
    result: Reconciled
    data: bytes
    changed: bool

    def write(self) -> None:
        """Replace the file atomically, if it changes."""
        from .outputs import replace_file

        if self.changed:
            replace_file(self.path, self.data)


def plan_lock(path: Path, registry: Registry, now: datetime) -> LockPlan:
    """Read the lock at `path` (none yet is fine) and reconcile the registry with it.

    LockError when the file can't be read as a lock; violations are in the result.
    """
    try:
        current: bytes | None = path.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise FeedkitError(f"{path}: can't read the lock file: {exc.strerror}") from None
    lock = None if current is None else parse_lock(_decode(current, path), str(path))
    result = reconcile(lock, registry, now, path.name)
    data = result.lock.render(Path(registry.path).name).encode("utf-8")
    return LockPlan(path, current is not None, result, data, data != current)


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LockError([Problem(str(path), line, 1, "not UTF-8; restore the file from "
                                 "version control")]) from None


def reconcile(lock: Lock | None, registry: Registry, now: datetime,
              lock_name: str = "posts.lock") -> Reconciled:
    """Check the registry against the lock and work out the lock a build would write."""
    old = lock.by_id() if lock is not None else {}
    current = {post.id for post in registry.posts}
    newcomers = _Newcomers([post for post in registry.posts if post.id not in old])
    entries = dict(old)
    violations: list[Violation] = []
    removed: list[LockEntry] = []
    for entry in sorted(old.values(), key=_ORDER):
        if entry.status != PUBLISHED or entry.id in current:
            continue
        successor = newcomers.successor(entry)
        if successor is None:
            entries[entry.id] = replace(entry, status=REMOVED, line=0)
            removed.append(entry)
        else:
            violations.append(_changed(successor, entry, lock_name))
    for post in registry.posts:
        known = old.get(post.id)
        if known is None:
            continue
        if known.status == REMOVED and not known.same_post(post):
            violations.append(_reused(post, known, lock_name))
        elif known.status == REMOVED or known.slug != post.slug:
            entries[post.id] = replace(known, status=PUBLISHED, slug=post.slug, line=0)
    added = tuple(post for post in newcomers.left() if post.published <= now)
    for post in added:
        entries[post.id] = LockEntry(post.published, PUBLISHED, post.slug, post.id)
    violations.sort(key=lambda v: v.post.line)
    return Reconciled(Lock(tuple(entries.values())), tuple(violations), added,
                      tuple(removed))


class _Newcomers:
    """The posts whose id the lock doesn't know, by slug and by publication time (each
    unique in a registry), until one is found to be a published post's successor."""

    def __init__(self, posts: list[Post]) -> None:
        self.posts = posts
        self.by_slug = {post.slug: post for post in posts}
        self.by_time = {post.published: post for post in posts}
        self.taken: set[str] = set()

    def successor(self, entry: LockEntry) -> Post | None:
        """The post `entry` was published for: the one with its slug, else the one with
        its publication time; None when neither is left."""
        for post in (self.by_slug.get(entry.slug), self.by_time.get(entry.first_published)):
            if post is not None and post.id not in self.taken:
                self.taken.add(post.id)
                return post
        return None

    def left(self) -> list[Post]:
        return [post for post in self.posts if post.id not in self.taken]


def _changed(post: Post, entry: LockEntry, lock_name: str) -> Violation:
    return Violation(ID_CHANGED, post, entry, (
        f"id: '{post.title}' would get the id '{post.id}', but it was published as "
        f"'{entry.id}' ({lock_name} line {entry.line}); readers would show it twice. Add "
        f"'id: {entry.id}' to the post to keep it. (Another post, and the old one removed "
        f"on purpose? Mark that line of {lock_name} 'removed'.)"))


def _reused(post: Post, entry: LockEntry, lock_name: str) -> Violation:
    return Violation(ID_REUSED, post, entry, (
        f"id: '{post.title}' has the id '{post.id}', which was published for another post "
        f"(slug '{entry.slug}', first published {entry.first_published.isoformat()}) and "
        f"removed since ({lock_name} line {entry.line}); readers who saw that one would "
        "take this post for it. Give this post an id of its own."))


def violation_problems(violations: tuple[Violation, ...], registry_path: str) -> LockViolation:
    """The error a build raises: each violation at its post's line in the registry."""
    return LockViolation([Problem(registry_path, v.post.line, 1, v.message)
                          for v in violations])
