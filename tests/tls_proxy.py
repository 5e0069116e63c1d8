"""A TLS-terminating reverse proxy on 127.0.0.1 for the tests, as nginx would sit in
front of `feedkit serve`: TLS with a test CA's certificate, bytes passed through to
the upstream port. `hold_post=N` keeps the N-th POST waiting until `release` is set
(`held` is set when it arrives): a request caught in flight. Like nginx, which reads a
request whole before it passes it on, the proxy never passes a client's end of file
on to the upstream: a request that reached it is answered even when its client died
meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading


class TlsProxy:
    def __init__(self, context: ssl.SSLContext, hold_post: int = 0) -> None:
        self.context = context
        self.upstream = 0
        self.hold_post = hold_post
        self.posts = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.start_server(
            self._client, "127.0.0.1", 0, ssl=self.context), self._loop)
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()

        async def stop() -> None:
            assert self._server is not None
            self._server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.read(65536)
            if first.startswith(b"POST"):
                first = await self._whole(reader, first)
                self.posts += 1
                if self.posts == self.hold_post:
                    self.held.set()
                    await asyncio.to_thread(self.release.wait, 60)
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
            up_writer.write(first)
            await asyncio.gather(self._pipe(reader, up_writer, eof=False),
                                 self._pipe(up_reader, writer))
        except (OSError, ssl.SSLError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _whole(reader: asyncio.StreamReader, data: bytes) -> bytes:
        """The request begun with `data`, read to the end of its body (as nginx does
        before it passes a request on), or as much of it as its client sent."""
        while b"\r\n\r\n" not in data and (more := await reader.read(65536)):
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length and (more := await reader.read(65536)):
            body += more
        return head + b"\r\n\r\n" + body

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    eof: bool = True) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            if eof and writer.can_write_eof():
                with contextlib.suppress(OSError, RuntimeError):
                    writer.write_eof()
