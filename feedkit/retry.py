"""Bounded exponential backoff, shared by sending mail and pinging WebSub hubs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`retries` more tries after the first, waiting delay, 2*delay, 4*delay ... at most
    `max_delay` seconds between them."""

    retries: int = 4
    delay: float = 2.0
    max_delay: float = 60.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after the failed try number `attempt` (0 = the first)."""
        return float(min(self.max_delay, self.delay * (2 ** min(attempt, 32))))
