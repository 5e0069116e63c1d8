"""Outputs kept across builds: a file whose inputs did not change since the last build
is left in out/ as it is instead of being made again.

Each file a build writes is recorded in .feedkit/cache/ with the SHA-256 of its
inputs (the input key), of its bytes, and its size and modification time once in
place. The next build that works out the same input key for the file, and finds it
in out/ with the recorded size and time, keeps it: nothing is rendered, read or
written. Feeds are keyed one by one (FeedSpec: its posts, links and the site);
other writers as a whole (Memoized: the digest preview by its posts, the
templates and the site; feeds.html by the feeds it lists: writers/isolated.py).
feedkit's code is the memo's own key: new code renders everything again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Post, Site
from .catalogue import FeedSpec

# Every field of a post but its line in posts.yaml, which moves when a post is added.
_POST_FIELDS = tuple(f.name for f in fields(Post) if f.name != "line")
FEEDS = "feeds"  # the owner recorded for feed files (keyed one spec at a time)


def post_identity(post: Post) -> str:
    """What a post's entries follow from: its source when the build read it in pieces
    (its lines, and the spread of its time), else every field but its line."""
    if post.source:
        return post.source
    return "\0".join(v if isinstance(v, str) else repr(v)
                     for v in (getattr(post, name) for name in _POST_FIELDS))


@lru_cache(maxsize=8)
def site_identity(site: Site) -> str:
    return repr(site)


def digest_of(*parts: object, posts: Iterable[Post] = ()) -> str:
    """SHA-256 of `parts` (as text) and the posts' identities."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str)
                      else repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    for post in posts:
        digest.update(post_identity(post).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def spec_key(spec: FeedSpec) -> str:
    """SHA-256 of everything a feed spec's bytes follow from."""
    head = (spec.kind, spec.name, spec.title, spec.alternate, spec.updated.isoformat(),
            spec.files, spec.links, spec.history, spec.hub, spec.generator_version,
            spec.keep_entries)
    return digest_of(site_identity(spec.site), head, posts=spec.posts)


@dataclass
class RenderMemo:
    """What the last build wrote (path -> input key, SHA-256, owner, size, time) and
    what this one writes."""

    out_dir: Path
    path: Path | None = None  # where it is kept; None: nothing is kept
    known: dict[str, list[Any]] = field(default_factory=dict)
    fresh: dict[str, list[str]] = field(default_factory=dict)
    saved: bool = False  # whether save() kept what this build wrote

    @classmethod
    def open(cls, out_dir: Path, path: Path) -> RenderMemo:
        """The memo at `path` (empty when missing, unreadable or from other code)."""
        from ..fingerprint import code_fingerprint

        memo = cls(out_dir, path)
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(path.read_text("utf-8"))
            if isinstance(stored, dict) and stored.get("code") == code_fingerprint():
                memo.known = dict(stored.get("files", {}))
        return memo

    def kept(self, paths: Iterable[str], key: str) -> list[tuple[str, str]] | None:
        """(path, SHA-256) of each of `paths` when all are in out/ as the last build
        wrote them for `key`; None when any must be made again."""
        found = []
        for path in paths:
            record = self.known.get(path)
            if record is None or record[0] != key:
                return None
            try:
                stat = os.stat(self.out_dir / path)
            except OSError:
                return None
            if [stat.st_size, stat.st_mtime_ns] != record[3:5]:
                return None
            found.append((path, record[1]))
        return found or None

    def owned(self, owner: str) -> list[str]:
        """The files the last build recorded for `owner`."""
        return sorted(p for p, record in self.known.items() if record[2] == owner)

    def record(self, path: str, key: str, digest: str, owner: str = FEEDS) -> None:
        """Remember the input key, bytes' SHA-256 and owner of the file at `path`."""
        self.fresh[path] = [key, digest, owner]

    def save(self) -> None:
        """Keep what this build wrote, with each file's size and time in out/ (a memo
        that can't be written is no error)."""
        from ..fingerprint import code_fingerprint

        if self.path is None:
            return
        files = {}
        for path, record in self.fresh.items():
            try:
                stat = os.stat(self.out_dir / path)
            except OSError:
                continue
            files[path] = [*record, stat.st_size, stat.st_mtime_ns]
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_suffix(".tmp")
            temp.write_text(json.dumps({"code": code_fingerprint(), "files": files}), "utf-8")
            os.replace(temp, self.path)
            self.saved = True
