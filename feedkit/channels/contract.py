"""What a channel is: how one recipient's payload is made, handed over and answered.

A send run (jobs/sendrun.py) is written once above its channels: the queue, leases,
retries, rate limits, throttling and the exactly-once bookkeeping. A channel only
knows its own medium:

- `payload(recipient)`: the bytes for one recipient, with an id that is the same on
  every try (an email's Message-ID); slow and stateless, called from the pool's
  worker threads, several at once. `Undeliverable` when this recipient can never
  get one (an address the medium can't write); anything else it raises leaves the
  recipient pending with the cause.
- `recipe()`: how to make the same payloads in another process, where the CPU
  they cost doesn't hold up the hand-over (None: the pool makes them). A channel
  may also have `prepare(languages)`, called with the language tags of a period's
  recipients before `recipe()` when payloads go to other processes: what it makes
  then (the email channel's renderings) travels with the recipe instead of being
  made again in each process.
- `connect()`: a new `Link` (an SMTP connection, an HTTP client); a pool runs
  several at once on one event loop (channels/pool.py).
- `Link.open()` before the first hand-over (blocking is fine: it runs in a thread):
  `SetupError` when the medium can't be used at all (nothing listening, a refused
  login), which stops the run at once.
- `Link.hand_over(parcel)` returns an `Answer`: sent, retry later (the recipient's
  side, or the connection's), failed for good, or gone (suppress the recipient).
  A coroutine function runs on the pool's loop (it must not block); a plain function
  in a thread of the pool's (channels/calls.py). `close()` likewise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ..errors import FeedkitError

SENT, RETRY, FAILED, GONE = "sent", "retry", "failed", "gone"


class SetupError(FeedkitError):
    """The channel can't work at all (unreachable, login or TLS refused): stop the run."""


class Undeliverable(FeedkitError):
    """This recipient can never be given a payload by this channel."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """One delivery's recipient, as the state holds it."""

    key: str  # the state's key: the address in lower case
    address: str
    name: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Parcel:
    """One recipient's payload, ready to hand over."""

    recipient: Recipient
    ident: str  # the same on every try (the Message-ID): recorded before the hand-over
    data: bytes
    sender: str  # who it is from, as the medium names it (an envelope sender)
    target: str  # where it goes (an envelope recipient, an inbox URL)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the other side said. `connection`: the connection or the server failed, not
    the recipient (the pool slows down rather than counting it against the recipient)."""

    verdict: str  # SENT, RETRY, FAILED or GONE
    reason: str = ""
    connection: bool = False


ACCEPTED = Answer(SENT)


def cause(exc: BaseException) -> str:
    """An exception as a short cause: its message, with its type unless it is one of
    feedkit's own (whose messages say what failed)."""
    text = str(exc).strip()
    if isinstance(exc, FeedkitError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Payloads(Protocol):
    """What makes one recipient's payload (a channel, or its maker in another process)."""

    def payload(self, recipient: Recipient) -> Parcel: ...


class Link(Protocol):
    """One connection of a channel; used for one hand-over at a time."""

    def open(self) -> None: ...

    def hand_over(self, parcel: Parcel) -> Answer | Awaitable[Answer]: ...

    def close(self) -> Awaitable[None] | None: ...


class Channel(Payloads, Protocol):
    """A medium a send run delivers through (email over SMTP or into a Maildir, ...)."""

    description: str  # where it delivers, for the log (never a password)

    def recipe(self) -> Callable[[Callable[[str], None]], Payloads] | None:
        """A picklable maker of this channel's payloads in another process, given a
        function to log notes with (channels/offload.py); None: made in the pool."""
        ...

    def connect(self) -> Link: ...

    def connections(self, wanted: int) -> int:
        """How many links are worth having when `wanted` are asked for."""
        ...
