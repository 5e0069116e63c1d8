"""out/ over HTTP: the feeds' own Content-Types, ETag and Last-Modified, 304 on a
conditional GET, and gzip for clients that take it.

A file is read once and kept (with its gzip form) until its size or mtime
changes, which one stat() per request notices; a rebuild is served at once.
Hidden files (a build's temporary files), `..` and anything outside out/ are
never served.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

TYPES = {
    "atom.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
    ".xml": "application/atom+xml; charset=utf-8",  # archive pages are Atom documents
    ".xsl": "text/xsl; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".eml": "message/rfc822",
}
COMPRESSIBLE = ("text/", "application/atom+xml", "application/rss+xml", "application/feed+json",
                "application/json", "message/")
MIN_GZIP = 512


@dataclass(frozen=True, slots=True)
class OutFile:
    """One file of out/ as served."""

    stamp: tuple[int, int]  # (mtime_ns, size): changes when the file does
    data: bytes
    gzipped: bytes | None
    content_type: str
    etag: str
    last_modified: str
    mtime: float

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


def content_type(path: Path) -> str:
    found = TYPES.get(path.name) or TYPES.get(path.suffix.lower())
    if found:
        return found
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class OutFiles:
    """The files of one out/ folder, cached by (mtime, size)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, OutFile] = {}

    def get(self, relative: str) -> OutFile | None:
        """The file at `relative` (a URL path below the site's), or None: missing,
        hidden, a folder without index.html, or outside out/."""
        parts = [p for p in relative.split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        path = self.root.joinpath(*parts)
        if not parts or relative.endswith("/"):
            path = path / "index.html"
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        if not os.path.isfile(path):
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        key = str(path)
        cached = self._cache.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            data = path.read_bytes()
        except OSError:
            return None
        kind = content_type(path)
        squeeze = len(data) >= MIN_GZIP and kind.startswith(COMPRESSIBLE)
        entry = OutFile(stamp, data, gzip.compress(data, 6, mtime=0) if squeeze else None, kind,
                        f'"{hashlib.sha256(data).hexdigest()[:20]}"',
                        formatdate(stat.st_mtime, usegmt=True), stat.st_mtime)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = entry
        return entry


def not_modified(entry: OutFile, if_none_match: str | None, if_modified_since: str | None
                 ) -> bool:
    """Whether a conditional GET may be answered 304 (RFC 9110 13.1: If-None-Match
    wins over If-Modified-Since)."""
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or entry.etag in tags or entry.gzip_etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(entry.mtime) <= since
    return False


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether Accept-Encoding takes gzip (and doesn't refuse it with q=0)."""
    for item in (accept_encoding or "").lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False
