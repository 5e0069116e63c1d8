"""Archive pages kept across builds: a page whose inputs did not change is taken from
out/ as it is instead of being rendered again.

An archive page's bytes follow from its spec (its posts, links and the site) and
feedkit's code and libraries; a memo in .feedkit/cache/ records, per file, the
SHA-256 of those inputs and of the bytes written. A later build whose spec for the
page gives the same input key, and finds the file in out/ with the recorded
bytes, adds those bytes unchanged. Adding a post renders the newest archive page
again, not the other two hundred.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from ..model import Post
from .catalogue import FeedSpec

# Every field of a post but its line in posts.yaml, which moves when a post is added.
_POST_FIELDS = tuple(f.name for f in fields(Post) if f.name != "line")


@dataclass
class RenderMemo:
    """The input key and bytes' SHA-256 of each archive file, read and written."""

    out_dir: Path
    path: Path | None = None  # where it is kept; None: nothing is kept
    known: dict[str, list[str]] = field(default_factory=dict)
    fresh: dict[str, list[str]] = field(default_factory=dict)

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

    @staticmethod
    def key(spec: FeedSpec) -> str:
        """SHA-256 of everything the spec's bytes follow from."""
        parts = [repr(replace(spec, posts=()))]
        for post in spec.posts:
            for name in _POST_FIELDS:
                value = getattr(post, name)
                parts.append(value if isinstance(value, str) else repr(value))
        text = "\0".join(parts)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def reuse(self, spec: FeedSpec, key: str) -> list[tuple[str, bytes]] | None:
        """The spec's files as out/ holds them, if they are what a render would give."""
        found = []
        for feed_file in spec.files:
            record = self.known.get(feed_file.path)
            if record is None or record[0] != key:
                return None
            try:
                data = (self.out_dir / feed_file.path).read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != record[1]:
                return None
            found.append((feed_file.path, data))
        return found

    def render_or_reuse(self, render: Callable[[FeedSpec], list[tuple[str, bytes]]],
                        spec: FeedSpec) -> list[tuple[str, bytes, str]]:
        """(path, bytes, input key) of the spec's files: kept from out/ when they are
        what a render would give, else rendered. Runs in the worker processes."""
        key = self.key(spec)
        files = self.reuse(spec, key) or render(spec)
        return [(path, data, key) for path, data in files]

    def record(self, path: str, key: str, digest: str) -> None:
        """Remember the input key of the file at `path` and its bytes' SHA-256."""
        self.fresh[path] = [key, digest]

    def save(self) -> None:
        """Keep what this build wrote (a memo that can't be written is no error)."""
        from ..fingerprint import code_fingerprint

        if self.path is None:
            return
        if not self.fresh:  # no archive pages: nothing to keep, no folder made
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_suffix(".tmp")
            temp.write_text(json.dumps({"code": code_fingerprint(), "files": self.fresh}),
                            "utf-8")
            os.replace(temp, self.path)
