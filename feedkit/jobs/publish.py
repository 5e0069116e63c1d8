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
DEADLINE = 60.0  # seconds for all the pings of one run


class HubError(FeedkitError):
    """The hub could not be reached or refused a publish ping."""


def ping(hub: str, url: str, *, backoff: Backoff = PING_BACKOFF, timeout: float = 10.0,
         until: float | None = None) -> None:
    """POST hub.mode=publish for `url`; retry network errors and 5xx/429 with backoff.

    `until` (a time.monotonic() value) bounds the whole of it, retries included.
    Raises HubError naming the hub, the feed and the last answer.
    """
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    problem = ""
    attempts = backoff.retries + 1
    for attempt in range(attempts):
        left = timeout if until is None else min(timeout, until - time.monotonic())
        if left <= 0:
            problem = problem or "no time left"
            break
        request = Request(hub, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT,
        })
        try:
            with urlopen(request, timeout=left) as response:
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
            pause = backoff.wait(attempt)
            if until is not None and time.monotonic() + pause >= until:
                break
            time.sleep(pause)
    raise HubError(f"the hub {hub} did not take the ping for {url} after {attempt + 1} "
                   f"attempt{'s' if attempt else ''}: {problem}")


@dataclass(frozen=True)
class PingReport:
    """What a publish run did: feeds pinged, unchanged, and failures."""

    pinged: tuple[str, ...]
    unchanged: tuple[str, ...]
    failed: tuple[str, ...]


def ping_changed(hub: str, feeds: Iterable[tuple[str, str]], state: SendState,
                 *, backoff: Backoff = PING_BACKOFF, deadline: float = DEADLINE
                 ) -> PingReport:
    """Ping the hub for every (url, sha256) whose hash differs from the last successful ping.

    Every feed is tried within `deadline` seconds in all; a refused ping, or one
    there was no time left for, is listed in `failed` and left unrecorded so the
    next run tries it again.
    """
    pinged, unchanged, failed = [], [], []
    until = time.monotonic() + deadline
    for url, sha in feeds:
        if state.last_ping(hub, url) == sha:
            unchanged.append(url)
            continue
        if time.monotonic() >= until:
            failed.append(f"not pinged for {url}: the {deadline:g} s allowed for pinging "
                          "ran out (--ping-deadline)")
            continue
        try:
            ping(hub, url, backoff=backoff, until=until)
        except HubError as exc:
            failed.append(str(exc))
            continue
        state.record_ping(hub, url, sha)
        pinged.append(url)
    return PingReport(tuple(pinged), tuple(unchanged), tuple(failed))


def publish(
    registry_path: Path, out_dir: Path, *, state_path: Path | None = None,
    templates: Path | None = None, now: datetime | None = None, ping_hub: bool = True,
    backoff: Backoff = PING_BACKOFF, deadline: float = DEADLINE,
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
        return result, ping_changed(hub, feeds, state, backoff=backoff, deadline=deadline)
    finally:
        state.close()
