"""The list's mail, sent after the answer: a thread of its own hands confirmations
and unsubscribe links over (SMTP, or the Maildir outbox), so a visitor's answer
takes the same time whether a message goes out or not, and a slow mail server
never holds a request. A message that can't be handed over is tried again twice,
then named in one log line by its recipient's reference, never the address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..addresses import envelope_address, redact, reference
from ..errors import FeedkitError

if TYPE_CHECKING:
    from ..mail.handover import Transport

RETRY_WAITS = (2.0, 10.0)


def log(line: str) -> None:
    logging.getLogger("feedkit.serve").warning(line)


class Mailer:
    """Hands messages over in the background, one at a time, in the order posted."""

    def __init__(self, open_transport: Callable[[], Transport], sender: str, *,
                 waits: tuple[float, ...] = RETRY_WAITS,
                 say: Callable[[str], None] = log) -> None:
        self._open = open_transport
        self._sender = sender
        self._waits = waits
        self._say = say
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="feedkit-mail")

    def post(self, address: str, build: Callable[[], bytes]) -> Future[bool]:
        """Build and send a message to `address` after the caller has answered."""
        return self._executor.submit(self._send, address, build)

    def _send(self, address: str, build: Callable[[], bytes]) -> bool:
        failure: Exception | None = None
        for wait in (0.0, *self._waits):
            time.sleep(wait)
            try:
                data = build()
                transport = self._open()
                try:
                    transport.send(data, self._sender, envelope_address(address))
                finally:
                    transport.close()
                return True
            except FeedkitError as exc:
                failure = exc
        self._say(f"feedkit serve: Error: a message to {reference(address)} was not sent: "
                  f"{redact(str(failure))}")
        return False

    def close(self) -> None:
        """Send what is queued, then stop."""
        self._executor.shutdown(wait=True)
