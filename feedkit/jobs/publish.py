"""`feedkit publish`: build, then tell the WebSub hub which feeds changed.

Each feed's SHA-256 is kept in the state database once the hub accepted the
ping, so an unchanged feed is never pinged again and a refused one is pinged on
the next run. The feeds and their hashes come from the build itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import FeedkitError
from ..project import Project
from ..retry import Backoff
from ..state import SendState
from .build import BuildResult, build

USER_AGENT = "feedkit-websub"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
PING_BACKOFF = Backoff(retries=3, delay=0.5, max_delay=8.0)


class HubError(FeedkitError):
    """The hub could not be reached or refused a publish ping."""


def ping(hub: str, url: str, *, backoff: Backoff = PING_BACKOFF, timeout: float = 10.0) -> None:
    """POST hub.mode=publish for `url`; retry network errors and 5xx/429 with backoff.

    Raises HubError naming the hub, the feed and the last answer.
    """
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    problem = ""
    attempts = backoff.retries + 1
    for attempt in range(attempts):
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
        if attempt + 1 < attempts:
            time.sleep(backoff.wait(attempt))
    raise HubError(f"the hub {hub} did not take the ping for {url} after {attempts} "
                   f"attempts: {problem}")


@dataclass(frozen=True)
class PingReport:
    """What a publish run did: feeds pinged, unchanged, and failures."""

    pinged: tuple[str, ...]
    unchanged: tuple[str, ...]
    failed: tuple[str, ...]


def ping_changed(hub: str, feeds: Iterable[tuple[str, str]], state: SendState,
                 *, backoff: Backoff = PING_BACKOFF) -> PingReport:
    """Ping the hub for every (url, sha256) whose hash differs from the last successful ping.

    Every feed is tried; a refused ping is listed in the report's `failed` and
    left unrecorded so the next run tries it again.
    """
    pinged, unchanged, failed = [], [], []
    for url, sha in feeds:
        if state.last_ping(hub, url) == sha:
            unchanged.append(url)
            continue
        try:
            ping(hub, url, backoff=backoff)
        except HubError as exc:
            failed.append(str(exc))
            continue
        state.record_ping(hub, url, sha)
        pinged.append(url)
    return PingReport(tuple(pinged), tuple(unchanged), tuple(failed))


def publish(
    registry_path: Path, out_dir: Path, *, state_path: Path | None = None,
    templates: Path | None = None, now: datetime | None = None, ping_hub: bool = True,
    backoff: Backoff = PING_BACKOFF,
) -> tuple[BuildResult, PingReport | None]:
    """Build out/, then (with `ping_hub`) ping the hub for each feed that changed."""
    result = build(registry_path, out_dir, templates=templates, now=now)
    if not ping_hub:
        return result, None
    hub = result.registry.site.websub_hub
    if not hub:
        raise HubError(f"{registry_path}: site.websub_hub is not set; add the hub's URL "
                       "(e.g. websub_hub: https://pubsubhubbub.appspot.com/) to ping it")
    feeds = [(feed.file.url, feed.sha256) for feed in result.feeds if feed.spec.hub]
    state = SendState.open(state_path or Project(registry_path).state_path)
    try:
        return result, ping_changed(hub, feeds, state, backoff=backoff)
    finally:
        state.close()
