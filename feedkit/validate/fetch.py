"""`feedkit validate URL`: fetch a published feed and check what the web serves.

The request says what it accepts (feed types first), sends the ETag and
Last-Modified of the copy fetched last time from each address on the way (kept in
the user's cache folder, so a 304 re-checks that copy), gives up after a timeout,
refuses a body over a size limit, and follows at most five redirects, naming a loop
when it meets one. The
response's Content-Type is checked as the W3C service checks it: a feed should be
served as a feed or XML type, and a charset given there should agree with the XML
declaration (for text/xml without one, HTTP says us-ascii).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ACCEPT = ("application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
          "application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
          "application/json;q=0.7, */*;q=0.1")
MAX_BYTES = 16 * 1024 * 1024
MAX_REDIRECTS = 5
FEED_TYPES = frozenset({"application/atom+xml", "application/rss+xml", "application/rdf+xml",
                        "application/xml", "text/xml", "application/feed+json",
                        "application/json"})
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class FetchError(Exception):
    """The URL gave no feed: one line says why."""


@dataclass(slots=True)
class Fetched:
    """What the server sent for a URL (after redirects), and what was odd about it."""

    url: str
    body: bytes
    content_type: str
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule, message)


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "feedkit" / "validate"


def _cached(url: str) -> tuple[Path, dict[str, str]]:
    stem = _cache_dir() / hashlib.sha256(url.encode()).hexdigest()[:32]
    try:
        meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        if not stem.with_suffix(".body").is_file():
            meta = {}
    except (OSError, ValueError):
        meta = {}
    return stem, meta if isinstance(meta, dict) else {}


def _remember(stem: Path, body: bytes, meta: dict[str, str]) -> None:
    """Keep the copy for the next conditional request; a cache that can't be written
    only costs the next fetch its 304."""
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        for suffix, data in ((".body", body), (".json", json.dumps(meta).encode())):
            handle, temp = tempfile.mkstemp(dir=stem.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, stem.with_suffix(suffix))
    except OSError:
        pass


def fetch_feed(url: str, *, timeout: float = 10.0) -> Fetched:
    """GET `url` as a feed reader would; FetchError with one line when that fails."""
    import httpx

    seen = [url]
    current = url
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                stem, meta = _cached(current)
                headers = {"Accept": ACCEPT, "User-Agent": "feedkit-validate"}
                if meta.get("etag"):
                    headers["If-None-Match"] = meta["etag"]
                if meta.get("last_modified"):
                    headers["If-Modified-Since"] = meta["last_modified"]
                with client.stream("GET", current, headers=headers) as response:
                    if response.has_redirect_location:
                        target = str(response.url.join(response.headers.get("location", "")))
                        if target in seen:
                            loop = " -> ".join([*seen[seen.index(target):], target])
                            raise FetchError(f"redirect loop: {loop}")
                        seen.append(target)
                        current = target
                        continue
                    return _received(current, response, stem, meta)
    except httpx.TimeoutException:
        raise FetchError(f"no answer from {current} within {timeout:g} s "
                         "(a timeout); try again, or raise --timeout") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"can't fetch {current}: {exc}") from None
    raise FetchError(f"more than {MAX_REDIRECTS} redirects: {' -> '.join(seen)}")


def _received(final: str, response: object, stem: Path, meta: dict[str, str]) -> Fetched:
    import httpx

    assert isinstance(response, httpx.Response)
    if response.status_code == 304 and meta:
        body = stem.with_suffix(".body").read_bytes()
        return _judged(Fetched(final, body, meta.get("content_type", "")))
    if response.status_code >= 400:
        raise FetchError(f"HTTP {response.status_code} {response.reason_phrase} "
                         f"from {final}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError(f"{final} is {int(declared) // 2**20} MB, over the "
                         f"{MAX_BYTES // 2**20} MB limit")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"{final} is over the {MAX_BYTES // 2**20} MB limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    content_type = response.headers.get("content-type", "")
    kept = {"content_type": content_type}
    for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
        if response.headers.get(header):
            kept[key] = response.headers[header]
    if len(kept) > 1:
        _remember(stem, body, kept)
    return _judged(Fetched(final, body, content_type))


def _judged(fetched: Fetched) -> Fetched:
    """Notes on the Content-Type: a type that is not a feed's, a charset that
    disagrees with the XML declaration."""
    media, _, params = fetched.content_type.partition(";")
    media = media.strip().lower()
    if media not in FEED_TYPES:
        fetched.notes.append(("http-content-type", f"served as '{media or 'no type'}'; "
                              "a feed is served as application/atom+xml, "
                              "application/rss+xml, application/xml or text/xml"))
    charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", params)
    found = _DECLARED.match(fetched.body.lstrip(b"\xef\xbb\xbf"))
    in_xml = found.group(1).decode().lower() if found else "utf-8"
    http = charset.group(1).lower() if charset else ("us-ascii" if media == "text/xml" else "")
    if http and _canonical(http) != _canonical(in_xml) and media != "application/json":
        if http == "us-ascii" and fetched.body.isascii():
            return fetched
        fetched.notes.append(("http-charset", f"HTTP says the charset is {http}, the XML "
                              f"declaration says {in_xml}; readers trust HTTP, so make "
                              "them agree (charset=utf-8 in the Content-Type)"))
    return fetched


def _canonical(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return name
