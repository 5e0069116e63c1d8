"""One SMTP connection as a link of the email channel, its messages handed over on
the send pool's event loop (channels/pool.py), so dozens of connections cost one
thread instead of dozens.

The connection is made by smtplib (`SmtpTransport`: connect, EHLO, STARTTLS, login,
every failure said in plain words), in a thread of the pool's. Then its socket, plain
or TLS, is set non-blocking and driven from the loop (`Wire`): the loop reads the
server's replies when the socket is readable, and each message's dialogue
(mail/dialogue.py: MAIL, RCPT and DATA in one write with PIPELINING) waits for them
without blocking the other connections. A reply that doesn't come within the
connection's timeout, or a connection that ends, is the connection's failure.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import smtplib
import socket
import ssl

from ..channels import ACCEPTED, Answer, Parcel
from .dialogue import Dialogue, Reply, dialogue
from .handover import SetupError, TransportError, answer_of
from .transport import SmtpTransport

_BLOCKED = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


class Wire:
    """A connected socket driven from the running loop: replies parsed as they come."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock = sock
        self.timeout = timeout
        self.loop = asyncio.get_running_loop()
        self._tls = isinstance(sock, ssl.SSLSocket)
        self._buffer = b""
        self._lines: list[bytes] = []
        self.replies: collections.deque[Reply] = collections.deque()
        self.error: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        sock.setblocking(False)
        self._fd = sock.fileno()
        self.loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        while True:
            try:
                chunk = self.sock.recv(65536)
            except _BLOCKED:
                break
            except OSError as exc:
                self._fail(exc)
                return
            if not chunk:
                self._fail(smtplib.SMTPServerDisconnected("the server closed the connection"))
                return
            self._buffer += chunk
            if not (self._tls and self.sock.pending()):  # type: ignore[attr-defined]
                break
        self._parse()

    def _parse(self) -> None:
        *lines, self._buffer = self._buffer.split(b"\r\n")
        for line in lines:
            self._lines.append(line[4:])
            if line[3:4] != b"-":
                try:
                    code = int(line[:3])
                except ValueError:
                    code = -1
                self.replies.append((code, b"\n".join(self._lines)))
                self._lines = []
        if self.replies:
            self._wake(None)

    def _fail(self, exc: Exception) -> None:
        self.error = exc
        self.detach()
        self._wake(exc)

    def _wake(self, exc: Exception | None) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    async def _wait(self, writing: bool = False) -> None:
        """Until a reply (or, `writing`, room to write) comes; TimeoutError after the
        connection's timeout."""
        future: asyncio.Future[None] = self.loop.create_future()
        self._waiter = future
        if writing:
            self.loop.add_writer(self._fd, self._wake, None)
        timer = self.loop.call_later(self.timeout, self._wake,
                                     TimeoutError("timed out"))
        try:
            await future
        finally:
            timer.cancel()
            if writing:
                self.loop.remove_writer(self._fd)

    async def reply(self) -> Reply:
        while not self.replies:
            if self.error is not None:
                raise self.error
            await self._wait()
        return self.replies.popleft()

    async def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self.error is not None:
                raise self.error
            try:
                sent = self.sock.send(view)
            except _BLOCKED:
                sent = 0
            view = view[sent:]
            if view:
                await self._wait(writing=True)

    def detach(self) -> None:
        """Stop watching the socket (before it is closed)."""
        if self._fd >= 0:
            with contextlib.suppress(Exception):
                self.loop.remove_reader(self._fd)
            self._fd = -1


async def converse(wire: Wire, steps: Dialogue) -> None:
    """Drive a dialogue on the loop (mail/dialogue.py's `converse`, without blocking)."""
    step = next(steps)
    while True:
        try:
            if step is None:
                step = steps.send(await wire.reply())
            else:
                await wire.write(step)
                step = next(steps)
        except StopIteration:
            return
        except smtplib.SMTPServerDisconnected as exc:
            step = steps.throw(exc)


class SmtpLink:
    """One SMTP connection of the email channel, driven from the pool's loop."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self._wire: Wire | None = None
        self._pipelining = False

    def open(self) -> None:
        """Connect now (blocking: the pool runs it in a thread); SetupError when the
        server can't be used at all."""
        self.transport.open()

    async def hand_over(self, parcel: Parcel) -> Answer:
        try:
            await self._send(parcel.data, parcel.sender, parcel.target)
        except SetupError:
            raise
        except TransportError as exc:
            return answer_of(exc)
        return ACCEPTED

    async def _send(self, data: bytes, sender: str, recipient: str) -> None:
        transport = self.transport
        if self._wire is None:
            smtp = await asyncio.to_thread(transport.connect)
            self._pipelining = smtp.has_extn("pipelining")
            assert smtp.sock is not None
            self._wire = Wire(smtp.sock, transport.config.timeout)
        options = transport.options(sender, recipient)
        try:
            await converse(self._wire, dialogue(sender, recipient, data, options,
                                                self._pipelining))
        except (OSError, smtplib.SMTPException) as exc:
            error, drop = transport.failure(exc, sender)
            if drop or self._wire.error is not None:
                self._drop()
            raise error from None

    def _drop(self) -> None:
        if self._wire is not None:
            self._wire.detach()
            self._wire = None
        self.transport.drop()

    async def close(self) -> None:
        """QUIT (waiting a moment for the reply), then close; never raises."""
        wire = self._wire
        if wire is None:
            await asyncio.to_thread(self.transport.close)
            return
        wire.timeout = min(wire.timeout, 2.0)
        with contextlib.suppress(Exception):
            await wire.write(b"QUIT\r\n")
            await wire.reply()
        self._drop()
