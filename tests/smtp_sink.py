"""A real SMTP server (aiosmtpd) on a free 127.0.0.1 port, with faults on request.

Runs its own asyncio loop in a thread; `pipelining=True` offers PIPELINING (RFC
2920) and counts the MAIL commands that came with their RCPT in one write.
Messages count as delivered only once the handler has returned 250, like a real
server; a client that vanishes earlier leaves nothing behind (aiosmtpd cancels
the handler when the connection drops).
With a server-side `tls` context it offers STARTTLS, or speaks TLS from the first
byte when `implicit_tls` is set; each message records the TLS version and login
the server saw.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage


def letter(to: str) -> bytes:
    """A small finished message (CRLF line endings) to hand to a transport."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "news@example.org"
    message["To"] = to
    message["Subject"] = "Hej"
    message.set_content("Hallå där\n")
    return message.as_bytes()


@dataclass
class Received:
    """One accepted message: envelope recipients and the raw bytes."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls_version: str | None = None  # as the server saw the session; None: plaintext
    login: str | None = None  # the user that authenticated, if any
    smtputf8: bool = False  # MAIL FROM carried SMTPUTF8
    at: float = 0.0  # time.monotonic() when the server answered 250

    def parse(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Faults:
    """Scripted misbehaviour. Reply lists are used up one per attempt."""

    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    drop_before_message: set[int] = field(default_factory=set)  # drop at MAIL FROM #n
    data_delay: float = 0.0
    max_messages_per_connection: int = 0
    refuse_for: float = 0.0  # answer 421 and hang up on MAIL for this long after the first


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        sink = self.sink
        with sink.lock:
            sink.mail_commands += 1
            number = sink.mail_commands
            per_conn = sink.faults.max_messages_per_connection
            count = sink._per_session.get(id(session), 0) + 1
            sink._per_session[id(session)] = count
        if number in sink.faults.drop_before_message:
            server.transport.close()
            return "421 4.3.2 going away"
        if number == 1:
            sink.first_mail = time.monotonic()
        if time.monotonic() - sink.first_mail < sink.faults.refuse_for:
            server.transport.close()
            return "421 4.7.0 too busy, try again later"
        # Commands that came in the same write as MAIL (RFC 2920 PIPELINING) are
        # already in the reader's buffer.
        if b"RCPT" in bytes(getattr(server._reader, "_buffer", b"")):
            with sink.lock:
                sink.pipelined += 1
        if per_conn and count > per_conn:
            return "421 4.7.0 too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.sink.faults.rcpt_replies.get(address.lower())
        if replies:
            reply = replies[0]
            if len(replies) > 1 or not reply.startswith("5"):
                replies.pop(0)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink.lock:
            sink.data_started += 1
            sink.in_data += 1
            sink.most_in_data = max(sink.most_in_data, sink.in_data)
        try:
            if sink.faults.data_delay:
                await asyncio.sleep(sink.faults.data_delay)
        finally:
            with sink.lock:
                sink.in_data -= 1
        tls = server.transport.get_extra_info("ssl_object")
        login = getattr(session.auth_data, "login", None) if session.authenticated else None
        with sink.lock:
            sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.content),
                                          tls.version() if tls else None,
                                          login.decode() if login else None,
                                          bool(envelope.smtp_utf8), time.monotonic()))
        return "250 2.0.0 queued"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.sink.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses


class SmtpSink:
    """`with SmtpSink() as sink:` serves on sink.port until the block ends."""

    def __init__(self, faults: Faults | None = None, *, authenticator=None,
                 auth_require_tls: bool = False, tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False, pipelining: bool = False,
                 **smtp_options: object) -> None:
        self.faults = faults or Faults()
        self.pipelining = pipelining
        self.pipelined = 0  # MAIL commands that arrived with RCPT behind them
        self.in_data = self.most_in_data = 0  # DATA being worked on at once
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.mail_commands = 0
        self.first_mail = 0.0
        self.data_started = 0
        self._per_session: dict[int, int] = {}
        self._authenticator = authenticator
        self._auth_require_tls = auth_require_tls
        self._tls = tls
        self._implicit_tls = implicit_tls
        self._smtp_options = smtp_options  # more aiosmtpd SMTP() options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def __enter__(self) -> SmtpSink:
        from aiosmtpd.smtp import SMTP

        handler = _Handler(self)

        def factory() -> SMTP:
            kwargs = dict(self._smtp_options)
            if self._authenticator is not None:
                kwargs |= {"authenticator": self._authenticator,
                           "auth_require_tls": self._auth_require_tls}
            if self._tls is not None and not self._implicit_tls:
                kwargs["tls_context"] = self._tls
            return SMTP(handler, hostname="sink.test", loop=self._loop, **kwargs)

        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(factory, "127.0.0.1", 0,
                                     ssl=self._tls if self._implicit_tls else None),
            self._loop)
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        scheme = "smtps" if self._implicit_tls else "smtp"
        return f"{scheme}://127.0.0.1:{self.port}"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.parse() for r in self.received]

    def wait(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """The messages once at least `count` have arrived (`feedkit serve` mails after
        it answers), or AssertionError after `timeout` seconds."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} messages"
            time.sleep(0.02)
        return self.messages()

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        """Parsed messages per envelope recipient (lower-cased)."""
        out: dict[str, list[EmailMessage]] = {}
        with self.lock:
            items = list(self.received)
        for item in items:
            for rcpt in item.rcpt_tos:
                out.setdefault(rcpt.lower(), []).append(item.parse())
        return out


class RawServer:
    """A TCP server on 127.0.0.1 that greets every client with fixed bytes and then
    only reads: a server that refuses service (554) or speaks no SMTP at all."""

    def __init__(self, greeting: bytes) -> None:
        import socket

        self.greeting = greeting
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        import contextlib

        while True:
            try:
                client, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            with client, contextlib.suppress(OSError):
                client.sendall(self.greeting)
                client.settimeout(2)
                while client.recv(4096):
                    pass

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import socket

        self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone doesn't)
        self._socket.close()
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
