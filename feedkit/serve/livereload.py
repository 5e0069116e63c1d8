"""`feedkit serve --reload`: out/ rebuilt as posts.yaml and the templates change, and
the pages open in a browser reloaded when out/ changed, as Hugo's server does.

A thread watches the registry's folder and the template folders (watchfiles) and
runs `feedkit build` (the incremental build: a post added or edited is a fraction
of a second). Every rebuild that changed a file counts one generation more. The
app is wrapped so that `<base>_feedkit/reload` answers with a stream of
server-sent events (a `reload` event at each new generation), and every HTML page
of out/ gets a small script that listens to it and reloads the page. Pages that
set a Content-Security-Policy (the list's own forms) are left as they are.
Development only: nothing of this is in out/, and without --reload nothing runs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVENTS = "_feedkit/reload"
POLL_SECONDS = 0.1
HEARTBEAT_SECONDS = 15.0


def script(base: str) -> bytes:
    """What each page of out/ gets before </body>: reload when a rebuild is done."""
    return (f'<script>new EventSource("{base}{EVENTS}").addEventListener("reload", '
            '() => location.reload())</script>\n').encode()


class Rebuilds:
    """The rebuilds so far, from the watcher thread to the event streams."""

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.generation += 1


def rebuild(registry: Path, out: Path, templates: Path | None,
            say: Callable[[str], None], done: str = "rebuilt") -> bool:
    """`feedkit build` once (incremental, with the build cache); whether out/ changed.
    A registry with problems is said, and out/ stays as it was. `done` starts what
    is said of a build that went through."""
    from ..errors import FeedkitError
    from ..jobs.rebuild import build_cached

    try:
        built = build_cached(registry, out, templates=templates)
    except FeedkitError as exc:
        say(f"Error: {exc}")
        return False
    changed = len(built.changed) + len(built.removed)
    say(f"{done} {out}: {changed} file(s) changed")
    return changed > 0


def build_at_start(registry: Path, out: Path, templates: Path | None) -> list[str]:
    """The build `feedkit serve --reload` runs before it serves a page (out/ up to date
    from the first request on, as Hugo's server builds first); what it says of it."""
    said: list[str] = []
    rebuild(registry, out, templates, said.append, done="built")
    return said


def watch(registry: Path, out: Path, templates: Path | None, rebuilds: Rebuilds,
          say: Callable[[str], None]) -> None:
    """Start the watcher thread: a rebuild on every change of the registry or a
    template, a generation more when out/ changed; returns once the watcher runs."""
    from ..project import Project

    folders = [d.resolve() for d in Project(registry).template_dirs(templates) if d.is_dir()]
    registry = registry.resolve()
    ready = threading.Event()

    def wanted(_: Any, path: str) -> bool:
        changed = Path(path)
        return changed == registry or any(changed.is_relative_to(d) for d in folders)

    def loop() -> None:
        from watchfiles import watch as changes_of

        # The registry's folder, not the file: editors save by writing a new file
        # and renaming it over the old one.
        for changes in changes_of(registry.parent, *folders, watch_filter=wanted,
                                  yield_on_timeout=True, rust_timeout=200):
            ready.set()  # the first (empty) yield: the watcher is running
            if changes and rebuild(registry, out, templates, say):
                rebuilds.bump()

    threading.Thread(target=loop, daemon=True, name="feedkit-reload").start()
    ready.wait(15)


class LiveReload:
    """ASGI: the event stream at `<base>_feedkit/reload`, the script in out/'s pages,
    and everything else passed to `app`."""

    def __init__(self, app: Any, rebuilds: Rebuilds, base: str) -> None:
        self.app = app
        self.rebuilds = rebuilds
        self.base = base

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] == self.base + EVENTS:
            await self._events(send)
        elif scope["method"] == "GET":
            # Pages uncompressed (a development server), so the script can go in.
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
            await self.app({**scope, "headers": headers}, receive,
                           _Injecting(send, script(self.base)))
        else:
            await self.app(scope, receive, send)

    async def _events(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]})
        seen = self.rebuilds.generation
        quiet = 0.0
        try:
            while True:
                await asyncio.sleep(POLL_SECONDS)
                quiet += POLL_SECONDS
                if self.rebuilds.generation != seen:
                    seen = self.rebuilds.generation
                    message, quiet = b"event: reload\ndata: %d\n\n" % seen, 0.0
                elif quiet >= HEARTBEAT_SECONDS:
                    message, quiet = b": still here\n\n", 0.0
                else:
                    continue
                await send({"type": "http.response.body", "body": message, "more_body": True})
        except OSError:  # the browser went away
            return


class _Injecting:
    """An ASGI send that adds the script to an HTML page without a CSP header."""

    def __init__(self, send: Any, tag: bytes) -> None:
        self.send = send
        self.tag = tag
        self.start: dict[str, Any] | None = None
        self.body: list[bytes] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            html = headers.get(b"content-type", b"").startswith(b"text/html")
            if html and b"content-security-policy" not in headers and \
                    b"content-encoding" not in headers and message["status"] == 200:
                self.start = message
                return
            await self.send(message)
            return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        page = b"".join(self.body)
        at = page.rfind(b"</body>")
        page = page[:at] + self.tag + page[at:] if at >= 0 else page + self.tag
        kept = [(k, v) for k, v in self.start.get("headers", [])
                if k.lower() not in (b"content-length", b"etag")]
        await self.send({**self.start, "headers": [
            *kept, (b"content-length", str(len(page)).encode())]})
        await self.send({"type": "http.response.body", "body": page})
