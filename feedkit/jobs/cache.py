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

from ..journal import JOURNAL
from ..project import Project

CACHE_VERSION = 1


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


def fingerprint(registry: Path, out: Path, template_dirs: tuple[Path, ...],
                drafts: bool) -> str:
    """SHA-256 of the registry's bytes, the templates, feedkit's code and libraries
    (feedkit.fingerprint) and the options."""
    from ..fingerprint import code_fingerprint
    from ..text.templating import templates_fingerprint

    digest = hashlib.sha256(f"{CACHE_VERSION}\0{code_fingerprint()}\0{out.resolve()}\0"
                            f"{drafts}\0".encode())
    with registry.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(templates_fingerprint(template_dirs).encode())
    return digest.hexdigest()


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


def store(registry: Path, out: Path, key: str, span: tuple[datetime | None, datetime | None],
          paths: tuple[str, ...], drafts: bool) -> None:
    """Record a finished build; a cache that can't be written is no error."""
    stamps = _stamps(out, paths)
    if stamps is None:
        return
    since, until = span
    entry = {"key": key, "since": since.isoformat() if since else None,
             "until": until.isoformat() if until else None, "files": stamps,
             "lock": _lock_stamp(registry)}
    target = _entry(registry, out, drafts)
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


def build_cached(registry: Path, out: Path, *, templates: Path | None = None,
                 now: datetime | None = None, drafts: bool = False,
                 use_cache: bool = True, missed: str | None = None) -> BuildSummary:
    """`build`, unless the cache shows that out/ already holds what it would write;
    the cache is refreshed either way (`use_cache=False` only skips the lookup).
    `missed`: the fingerprint, whose lookup the caller already made and missed."""
    from ..clock import resolve_now

    moment = resolve_now(now)
    key: str | None = missed
    if missed is not None:
        use_cache = False
    else:
        try:
            key = fingerprint(registry, out, Project(registry).template_dirs(templates),
                              drafts)
        except OSError:
            key = None  # the build says what is wrong
    if use_cache and key is not None and (
            hit := lookup(registry, out, key, moment, drafts)) is not None:
        return hit
    patched = None if drafts else _patched(registry, out, templates, moment)
    if patched is not None:
        result, span = patched
    else:
        from .build import build  # only now: a cache hit loads none of the pipeline

        result = build(registry, out, templates=templates, now=moment, drafts=drafts)
        span = valid_span(result.registry, moment)
    if key is not None:
        store(registry, out, key, span, result.paths, drafts)
    return BuildSummary(result.paths, tuple(result.changed), removed=tuple(result.removed),
                        notes=tuple(result.lock_lines()), patched=patched is not None)


def _patched(registry: Path, out: Path, templates: Path | None, now: datetime) -> Any:
    """The build patched from the last one (jobs/patchbuild.py), or None: then the
    whole build runs. A patch that fails for any reason but a problem to report
    (FeedkitError: the whole build would say the same) leaves out/ as it was and
    gives None too."""
    from ..errors import FeedkitError
    from .patchbuild import patch_build

    try:
        return patch_build(registry, out, templates, now)
    except FeedkitError:
        raise
    except Exception:  # any doubt builds as always
        return None
