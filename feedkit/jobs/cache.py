"""The build cache: an unchanged rebuild checks a fingerprint instead of building.

A build records, in .feedkit/cache/ beside the registry (never in out/), the
fingerprint of everything its outputs depend on: the registry's bytes, every
template and translation, feedkit's version and code and the installed libraries
(feedkit/fingerprint.py), the options; the span of
"now" for which the same files come out (until the next scheduled post is due or
the next digest period completes); and each output's size and modification time.
The next build with the same fingerprint, inside that span, whose outputs are
still on disk as written, writes nothing and is done in the time it takes to hash
the registry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import FeedkitError
from ..journal import JOURNAL
from ..project import Project

CACHE_VERSION = 2
# A registry last changed more than this before a build read it, and whose stat
# (size, times, inode) is still what it was, holds the bytes that build hashed: the
# next one needn't read them (git's rule for "racily clean" files: a write within
# the timestamps' granularity of the read could leave the stat as it was).
SETTLED_NS = 2_000_000_000
# From this size on (about 400 posts) a build starts a helper process for the
# digest writers (writers/helper.py) as it starts.
HELPER_FROM = 1 << 20


@dataclass(frozen=True)
class BuildSummary:
    """What `feedkit build` reports: the files (relative to out/), those that
    changed, and whether the cache answered."""

    paths: tuple[str, ...]
    changed: tuple[str, ...]
    cached: bool = False
    removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the build says about posts.lock
    patched: bool = False  # whether the last build was patched (jobs/patchbuild.py)


@dataclass(frozen=True)
class Fingerprint:
    """A build's fingerprint (`key`), the SHA-256 of the registry's bytes in it, and
    the registry's stat that vouches for those bytes (None: changed too shortly
    before it was read, or while it was read)."""

    key: str
    sha: str
    stat: list[int] | None = None


def fingerprint(registry: Path, out: Path, template_dirs: tuple[Path, ...],
                drafts: bool) -> str:
    """SHA-256 of the registry's bytes, the templates, feedkit's code and libraries
    (feedkit.fingerprint) and the options."""
    return fingerprint_read(registry, out, template_dirs, drafts)[0].key


def _key(out: Path, drafts: bool, sha: str, template_dirs: tuple[Path, ...]) -> str:
    from ..fingerprint import code_fingerprint
    from ..text.templating import templates_fingerprint

    digest = hashlib.sha256(f"{CACHE_VERSION}\0{code_fingerprint()}\0{out.resolve()}\0"
                            f"{drafts}\0{sha}\0".encode())
    digest.update(templates_fingerprint(template_dirs).encode())
    return digest.hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def read_settled(registry: Path) -> tuple[bytes, list[int] | None]:
    """The registry's bytes (FeedkitError as read_input), and its stat when it vouches
    for them: the same before and after the read, last changed SETTLED_NS before it."""
    import time

    from ..inputs import REGISTRY_LIMIT, read_input

    before = _stat(registry)
    started = time.time_ns()
    data = read_input(registry, "registry", REGISTRY_LIMIT)
    after = _stat(registry)
    settled = after is not None and before == after and \
        max(after[1], after[2]) + SETTLED_NS < started
    return data, after if settled else None


def fingerprint_read(registry: Path, out: Path, template_dirs: tuple[Path, ...],
                     drafts: bool) -> tuple[Fingerprint, bytes]:
    """`fingerprint` (with what vouches for the registry's bytes), and the bytes it
    hashed (a build that follows reads these, not the file again)."""
    try:
        data, settled = read_settled(registry)
    except FeedkitError as exc:
        raise OSError(str(exc)) from None
    sha = hashlib.sha256(data).hexdigest()
    return Fingerprint(_key(out, drafts, sha, template_dirs), sha, settled), data


def quick_key(registry: Path, out: Path, template_dirs: tuple[Path, ...], drafts: bool
              ) -> str | None:
    """The fingerprint without reading the registry, when the recorded build's stat of
    it (size, modification and change times, inode, device) still holds; else None."""
    try:
        entry = json.loads(_entry(registry, out, drafts).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict):
        return None
    recorded, sha = entry.get("registry_stat"), entry.get("registry_sha")
    if not recorded or not isinstance(sha, str) or _stat(registry) != recorded:
        return None
    return _key(out, drafts, sha, template_dirs)


def vouch(registry: Path, out: Path, drafts: bool, found: Fingerprint) -> None:
    """After a lookup that hit by hashing the registry: record the stat that vouches
    for its bytes, if the recorded build has none yet (the next lookup then needn't
    read them)."""
    target = _entry(registry, out, drafts)
    try:
        entry = json.loads(target.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(entry, dict) or entry.get("key") != found.key or found.stat is None \
            or entry.get("registry_stat"):
        return
    entry["registry_sha"], entry["registry_stat"] = found.sha, found.stat
    _write_entry(target, entry)


class Fingerprinting:
    """`fingerprint` of bytes already read, hashed in a thread while the build reads
    them (hashlib lets go of the GIL over large data): for a build nothing is cached
    for, whose fingerprint is only recorded at its end. `settle` waits for the hash
    (the thread then holds the bytes no more); `fingerprint` gives it."""

    def __init__(self, out: Path, template_dirs: tuple[Path, ...], drafts: bool,
                 data: bytes, settled: list[int] | None = None) -> None:
        import threading

        self._out, self._drafts, self._settled = out, drafts, settled
        self._digest = hashlib.sha256()
        self._template_dirs = template_dirs
        self._thread = threading.Thread(target=self._digest.update, args=(data,))
        self._thread.start()

    def settle(self) -> None:
        self._thread.join()

    def fingerprint(self) -> Fingerprint:
        self.settle()
        sha = self._digest.hexdigest()
        return Fingerprint(_key(self._out, self._drafts, sha, self._template_dirs), sha,
                           self._settled)


def cannot_hit(registry: Path, out: Path, drafts: bool) -> bool:
    """Whether no lookup can hit: no build of `registry` into `out` was recorded, or
    the registry's size differs from the recorded build's (other bytes, another
    fingerprint). Then the fingerprint is needed only when the build is recorded."""
    try:
        entry = json.loads(_entry(registry, out, drafts).read_text("utf-8"))
        stamp = _registry_stamp(registry)
    except (OSError, ValueError):
        return True
    recorded = entry.get("registry") if isinstance(entry, dict) else None
    return not (isinstance(recorded, list) and recorded and stamp and
                recorded[0] == stamp[0])


def _entry(registry: Path, out: Path, drafts: bool) -> Path:
    name = hashlib.sha256(f"{out.resolve()}\0{drafts}".encode()).hexdigest()[:16]
    return Project(registry).cache_dir / f"build-{name}.json"


def _lock_stamp(registry: Path) -> list[int] | None:
    """posts.lock's size and time: the build writes it, so a hit needs it as left."""
    try:
        stat = Project(registry).lock_path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _registry_stamp(registry: Path) -> list[int] | None:
    try:
        stat = registry.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def surely_changed(registry: Path, out: Path, drafts: bool) -> bool:
    """Whether the registry's size or time differs from the last build's (a build
    will run), before its bytes are hashed: `feedkit build` then starts its helper
    process at once (a hint only: the fingerprint still decides)."""
    try:
        entry = json.loads(_entry(registry, out, drafts).read_text("utf-8"))
    except (OSError, ValueError):
        return True
    return not isinstance(entry, dict) or entry.get("registry") != _registry_stamp(registry)


def _stamps(out: Path, paths: tuple[str, ...]) -> dict[str, list[int]] | None:
    stamps = {}
    for path in paths:
        try:
            stat = (out / path).stat()
        except OSError:
            return None
        stamps[path] = [stat.st_size, stat.st_mtime_ns]
    return stamps


def lookup(registry: Path, out: Path, key: str, now: datetime, drafts: bool,
           ) -> BuildSummary | None:
    """The cached build's files, if it still holds for this key, moment and out/."""
    try:
        entry = json.loads(_entry(registry, out, drafts).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    since, until = entry.get("since"), entry.get("until")
    if since is not None and now < datetime.fromisoformat(since):
        return None
    if until is not None and now >= datetime.fromisoformat(until):
        return None
    paths = tuple(entry.get("files", {}))
    if (out / JOURNAL).exists() or _stamps(out, paths) != entry.get("files"):
        return None  # a killed build's journal: the full build completes it
    if not drafts and _lock_stamp(registry) != entry.get("lock"):
        return None
    notes = () if drafts else (f"unchanged {Project(registry).lock_path}",)
    return BuildSummary(paths, (), cached=True, notes=notes)


def store(registry: Path, out: Path, key: Fingerprint,
          span: tuple[datetime | None, datetime | None], paths: tuple[str, ...],
          drafts: bool) -> None:
    """Record a finished build; a cache that can't be written is no error."""
    stamps = _stamps(out, paths)
    if stamps is None:
        return
    since, until = span
    entry = {"key": key.key, "since": since.isoformat() if since else None,
             "until": until.isoformat() if until else None, "files": stamps,
             "lock": _lock_stamp(registry), "registry": _registry_stamp(registry),
             "registry_sha": key.sha, "registry_stat": key.stat}
    _write_entry(_entry(registry, out, drafts), entry)


def _write_entry(target: Path, entry: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_suffix(".tmp")
        temp.write_text(json.dumps(entry), "utf-8")
        os.replace(temp, target)


def valid_span(registry: object, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The moments between which a build from `registry` gives the same files as at
    `now`: from the newest published post (or the start of the current digest
    period) to the next scheduled post (or the end of the current period)."""
    from ..model import Registry

    assert isinstance(registry, Registry)
    return span_of(registry.site, [p.published for p in registry.posts], now)


def span_of(site: Any, times: list[datetime], now: datetime
            ) -> tuple[datetime | None, datetime | None]:
    """`valid_span` of a site whose posts are published at `times`."""
    from ..periods import window_for_period

    past = [t for t in times if t <= now]
    future = [t for t in times if t > now]
    since = max(past) if past else None
    until = min(future) if future else None
    if site.options.web_digests:
        window = window_for_period(site.options.web_digests, now.astimezone(site.tz).date())
        start = datetime.combine(window.start, datetime.min.time(), site.tz)
        end = datetime.combine(window.end, datetime.min.time(), site.tz) + timedelta(days=1)
        since = max(since, start) if since else start
        until = min(until, end) if until else end
    return since, until
