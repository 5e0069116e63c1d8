"""The access layer of `feedkit serve`: one log line per request (method, path without
its query, where tokens travel, status, duration), the metrics fed, and /metrics
answered when it is served on the main port. Pure ASGI around the app.

While serving, log records are formatted and written by a thread of their own
(`background_logging`): the event loop only queues them, so it never waits for a
write to standard error (a pipe whose reader is slow holds the writer)."""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from .metrics import ACTIONS, ServeMetrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

METRICS_PATH = "/metrics"
GATHER = 0.01  # seconds the log thread waits, once woken, for the rest of a burst


class Observed:
    """`app` with an access log and, given `metrics`, its counters (and /metrics on
    this port when `expose`)."""

    def __init__(self, app: App, base: str, unsubscribe: str, logger: logging.Logger,
                 metrics: ServeMetrics | None = None, expose: bool = False) -> None:
        self.app, self.logger, self.metrics, self.expose = app, logger, metrics, expose
        self.routes = {base + "subscribe": "subscribe", base + "confirm": "confirm",
                       unsubscribe: "unsubscribe"}

    def route(self, path: str) -> str:
        if path in self.routes:
            return self.routes[path]
        return "metrics" if path == METRICS_PATH else "file"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        path, method = scope.get("path", ""), scope.get("method", "")

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            if self.expose and self.metrics is not None and path == METRICS_PATH:
                await self._exposition(watched)
            else:
                await self.app(scope, receive, watched)
        finally:
            seconds = time.perf_counter() - start
            route = self.route(path)
            if self.metrics is not None:
                self.metrics.observe(route, method, status, seconds)
            if self.logger.isEnabledFor(logging.INFO):  # formatted by the log thread
                self.logger.info("%s %s %s %.1fms", method, path, status, seconds * 1000,
                                 extra={"fields": {
                                     "event": "request", "method": method, "path": path,
                                     "status": status, "duration_ms": round(seconds * 1000, 1)}})

    async def _exposition(self, send: Send) -> None:
        from starlette.concurrency import run_in_threadpool

        assert self.metrics is not None
        body, kind = await run_in_threadpool(self.metrics.exposition)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", kind.encode("latin-1")),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})


class _Enqueue(logging.Handler):
    """Puts records on a queue as they are (one process: nothing to pickle), so the
    caller neither formats nor copies them; the writer thread's handlers do."""

    def __init__(self, records: queue.SimpleQueue[logging.LogRecord | None]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.put_nowait(record)


def _write(records: queue.SimpleQueue[logging.LogRecord | None],
           handlers: list[logging.Handler]) -> None:
    """Hand each record to the handlers that take its level, until None. A woken
    writer waits GATHER seconds for the rest of a burst: one wake-up per burst, not
    per line, so the thread takes the interpreter lock from the loop less often."""
    while True:
        batch = [records.get()]
        time.sleep(GATHER)
        with contextlib.suppress(queue.Empty):
            while True:
                batch.append(records.get_nowait())
        for record in batch:
            if record is None:
                return
            for handler in handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)


@contextlib.contextmanager
def background_logging(logger: logging.Logger) -> Iterator[None]:
    """Meanwhile, `logger`'s handlers run in a thread of their own; what is queued is
    written before it returns."""
    import threading

    handlers = list(logger.handlers)
    records: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write, args=(records, handlers), name="feedkit-log",
                              daemon=True)
    queued = _Enqueue(records)
    for handler in handlers:
        logger.removeHandler(handler)
    logger.addHandler(queued)
    writer.start()
    try:
        yield
    finally:
        logger.removeHandler(queued)
        records.put(None)
        writer.join()
        for handler in handlers:
            logger.addHandler(handler)


__all__ = ["ACTIONS", "METRICS_PATH", "Observed", "background_logging"]
