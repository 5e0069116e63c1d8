"""One message's SMTP dialogue (MAIL, RCPT, DATA, the message), written once without
any I/O: `dialogue()` yields the bytes to write, or None when it needs the next reply
(sent back into it as `(code, text)`), and raises smtplib's errors as `sendmail()`
does. A blocking connection (mail/transport.py, `converse`) and the send pool's event
loop (mail/smtplink.py) each drive it their own way.

With PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write and the message after
the 354: two round trips instead of four.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Generator

Reply = tuple[int, bytes]
Dialogue = Generator[bytes | None, Reply | None, None]

_DOT = re.compile(rb"\n\.")


def framed(data: bytes) -> bytes:
    """The message as DATA carries it: dot-stuffed (a dot doubled where it starts a
    line), CRLF-ended, then the lone dot."""
    body = _DOT.sub(b"\n..", data)  # a regular expression finds it four times faster
    if body.startswith(b"."):
        body = b"." + body
    return body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def dialogue(sender: str, recipient: str, data: bytes, options: list[str],
             pipelining: bool) -> Dialogue:
    """Hand over one message to one recipient; returns once the server said 250."""
    encoding = "utf-8" if options else "ascii"
    extra = "".join(f" {option}" for option in options)
    mail = f"MAIL FROM:{_quoted(sender)}{extra}\r\n".encode(encoding)
    rcpt = f"RCPT TO:{_quoted(recipient)}\r\n".encode(encoding)
    if pipelining:
        yield mail + rcpt + b"DATA\r\n"
        mailed, rcpted, started = (yield None), (yield None), (yield None)
    else:
        yield mail
        mailed = yield None
        rcpted = started = None
        if _code(mailed) == 250:
            yield rcpt
            rcpted = yield None
            if _code(rcpted) in (250, 251):
                yield b"DATA\r\n"
                started = yield None
    if _code(started) == 354:
        if _code(mailed) == 250 and _code(rcpted) in (250, 251):
            yield framed(data)
            ended = yield None
            if _code(ended) == 250:
                return
            yield from _reset()
            raise smtplib.SMTPDataError(*_reply(ended))
        yield b".\r\n"  # a server that took DATA without a recipient: end it empty
        yield None
    if _code(mailed) != 250:
        yield from _reset()
        raise smtplib.SMTPSenderRefused(*_reply(mailed), sender)
    if _code(rcpted) not in (250, 251):
        yield from _reset()
        raise smtplib.SMTPRecipientsRefused({recipient: _reply(rcpted)})
    yield from _reset()
    raise smtplib.SMTPDataError(*_reply(started))


def _quoted(address: str) -> str:
    """<address>, as smtplib.quoteaddr writes it (without parsing a plain address)."""
    if address and not any(c in address for c in "<>\"(), \t"):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def _code(reply: Reply | None) -> int:
    return reply[0] if reply is not None else -1


def _reply(reply: Reply | None) -> Reply:
    assert reply is not None
    return reply


def _reset() -> Dialogue:
    """RSET after a refusal, so the connection is ready for the next message."""
    try:
        yield b"RSET\r\n"
        yield None
    except smtplib.SMTPServerDisconnected:
        pass


def converse(smtp: smtplib.SMTP, steps: Dialogue) -> None:
    """Drive a dialogue on smtplib's blocking connection."""
    step = next(steps)
    while True:
        try:
            if step is None:
                reply: Reply = smtp.getreply()
                step = steps.send(reply)
            else:
                smtp.send(step)
                step = next(steps)
        except StopIteration:
            return
        except smtplib.SMTPServerDisconnected as exc:
            step = steps.throw(exc)  # RSET tolerates it; elsewhere it comes back out
