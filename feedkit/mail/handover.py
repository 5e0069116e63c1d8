"""What every transport shares: the Transport protocol and the errors of a hand-over."""

from __future__ import annotations

from typing import Protocol

from ..channels import FAILED, RETRY, Answer
from ..channels import SetupError as ChannelSetupError
from ..errors import FeedkitError


class TransportError(FeedkitError):
    """A message was not accepted. `temporary`: worth retrying later; else permanent."""

    def __init__(self, message: str, *, temporary: bool, code: int = 0,
                 connection: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code
        self.connection = connection
        self.unreachable = unreachable  # no connection at all: refused, unknown host


class SetupError(TransportError, ChannelSetupError):
    """The transport itself can't work (login refused, TLS missing): stop the run."""

    def __init__(self, message: str) -> None:
        super().__init__(message, temporary=True, connection=True)


def answer_of(exc: TransportError) -> Answer:
    """What a transport's refusal means to a channel's pool: the connection's failure
    (a dropped connection, a 421), a retry later (4xx) or a failure for good (5xx)."""
    if exc.connection or exc.code == 421:
        return Answer(RETRY, str(exc), connection=True)
    return Answer(RETRY if exc.temporary else FAILED, str(exc))


class Transport(Protocol):
    """Hands one finished message to the next hop; returns only once it was accepted."""

    description: str

    def open(self) -> None:
        """Get ready before the first message (connect, log in); SetupError when the
        next hop can't be used at all (unreachable, login or TLS refused)."""
        ...

    def send(self, data: bytes, sender: str, recipient: str) -> None:
        """`data`: the whole message with CRLF line endings."""
        ...

    def close(self) -> None: ...
