"""WebSub publishing: tell the hub which feeds changed since the last successful ping.

Each feed's SHA-256 is kept in SQLite (table ping_feeds) once the hub accepted
the ping, so an unchanged feed is never pinged again and a refused one is
pinged on the next run.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FeedkitError

if TYPE_CHECKING:
    from .build import BuildResult

USER_AGENT = "feedkit-websub"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class HubError(FeedkitError):
    """The hub could not be reached or refused a publish ping."""


class StateError(FeedkitError):
    """The state store can't be opened or used."""


def default_state_path(registry_path: Path) -> Path:
    """.feedkit/state.sqlite beside the registry."""
    return registry_path.parent / ".feedkit" / "state.sqlite"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PingState:
    """The last pinged SHA-256 of each (hub, feed URL), in a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS ping_feeds ("
                " hub TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT NOT NULL,"
                " PRIMARY KEY (hub, url))"
            )
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{path}: can't use the state store: {exc}") from None

    def last(self, hub: str, url: str) -> str | None:
        row = self.db.execute(
            "SELECT sha256 FROM ping_feeds WHERE hub = ? AND url = ?", (hub, url)
        ).fetchone()
        return row[0] if row else None

    def record(self, hub: str, url: str, sha256: str) -> None:
        try:
            with self.db:
                self.db.execute(
                    "INSERT INTO ping_feeds (hub, url, sha256) VALUES (?, ?, ?) "
                    "ON CONFLICT (hub, url) DO UPDATE SET sha256 = excluded.sha256",
                    (hub, url, sha256),
                )
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: can't record the ping: {exc}") from None

    def close(self) -> None:
        self.db.close()


def ping(hub: str, url: str, *, attempts: int = 4, backoff: float = 0.5,
         max_delay: float = 8.0, timeout: float = 10.0) -> None:
    """POST hub.mode=publish for `url`; retry network errors and 5xx/429 with backoff.

    Raises HubError naming the hub, the feed and the last answer.
    """
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    problem = ""
    for attempt in range(1, attempts + 1):
        request = Request(hub, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT,
        })
        try:
            with urlopen(request, timeout=timeout) as response:
                response.read()
                return
        except HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace").strip()
            problem = f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
            if exc.code not in RETRY_STATUSES:
                raise HubError(f"the hub {hub} refused the ping for {url}: {problem}") from None
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            problem = f"can't connect ({reason})"
        if attempt < attempts:
            time.sleep(min(max_delay, backoff * 2 ** (attempt - 1)))
    raise HubError(f"the hub {hub} did not take the ping for {url} after {attempts} "
                   f"attempts: {problem}")


@dataclass(frozen=True)
class PingReport:
    """What a publish run did: feeds pinged, unchanged, and failures."""

    pinged: tuple[str, ...]
    unchanged: tuple[str, ...]
    failed: tuple[str, ...]


def ping_changed(
    hub: str, feeds: Iterable[tuple[str, bytes]], state: PingState, **ping_options: float,
) -> PingReport:
    """Ping the hub for every (url, bytes) whose hash differs from the last successful ping.

    Every feed is tried; a refused ping is listed in the report's `failed` and
    left unrecorded so the next run tries it again.
    """
    pinged, unchanged, failed = [], [], []
    for url, data in feeds:
        sha = digest(data)
        if state.last(hub, url) == sha:
            unchanged.append(url)
            continue
        try:
            ping(hub, url, **ping_options)
        except HubError as exc:
            failed.append(str(exc))
            continue
        state.record(hub, url, sha)
        pinged.append(url)
    return PingReport(tuple(pinged), tuple(unchanged), tuple(failed))


def publish(
    registry_path: Path, out_dir: Path, *, state_path: Path | None = None,
    templates: Path | None = None, now: datetime | None = None, ping_hub: bool = True,
    **ping_options: float,
) -> tuple[BuildResult, PingReport | None]:
    """Build out/, then (with `ping_hub`) ping the hub for each feed that changed."""
    from .build import build, now_for_build
    from .writers import BuildContext
    from .writers.catalogue import FORMATS, all_sources

    moment = now_for_build(now)
    result = build(registry_path, out_dir, templates=templates, now=moment)
    if not ping_hub:
        return result, None
    site = result.registry.site
    if not site.websub_hub:
        raise HubError(f"{registry_path}: site.websub_hub is not set; add the hub's URL "
                       "(e.g. websub_hub: https://pubsubhubbub.appspot.com/) to ping it")
    context = BuildContext(registry=result.registry, now=moment)
    feeds = [
        (source.url(site, fmt), (out_dir / source.path(fmt)).read_bytes())
        for source in all_sources(context) for fmt in FORMATS
    ]
    state = PingState(state_path or default_state_path(registry_path))
    try:
        return result, ping_changed(site.websub_hub, feeds, state, **ping_options)
    finally:
        state.close()
