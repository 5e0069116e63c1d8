"""How much confirmation mail the list's forms may cause: the rate limits.

A subscribe request (or a request for an unsubscribe link) is admitted only while
its client, the recipient's domain and the whole site are under their hourly
limits; an admitted request is counted in each scope (state.listing's
list_attempts, shared by every `feedkit serve` node on one state). Counting
requests, not mails, keeps the answer independent of whether an address is on
the list: nobody learns who is subscribed from when they are refused. The keys
are keyed hashes (HMAC with the site's secret), so the table holds no address and
no IP, and rows older than the longest window are deleted as it goes.

Per address there is no refusal at all: at most one confirmation is pending, a
repeat within `resend_after` mails nothing, and at most `per_address` are mailed a
day; the caller sees the same page either way.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import FeedkitError
from .state import SendState

HOUR = 3600
PRUNE_EVERY = 60.0  # seconds between deletions of rows past every window


class RateLimited(FeedkitError):
    """Too many requests in one scope; `retry_after` is the number of seconds until
    the oldest counted one leaves the window."""

    def __init__(self, message: str, retry_after: int, field: str = "") -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
        self.field = field


@dataclass(frozen=True)
class Limits:
    """The list's limits: requests per client, per recipient domain and for the whole
    site per `window` seconds; confirmations per address per `address_window`; the
    quiet time before a pending address is mailed again; the least time a person
    takes to fill in the form; proof-of-work bits (0: off)."""

    per_client: int = 10
    per_domain: int = 50
    per_site: int = 500
    window: int = HOUR
    per_address: int = 3
    address_window: int = 86400
    resend_after: int = HOUR
    min_fill: float = 3.0
    work_bits: int = 0

    @property
    def longest(self) -> int:
        return max(self.window, self.address_window)


def utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


def seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


class Gate:
    """Counts admitted requests per scope in the state and refuses those over a limit."""

    def __init__(self, state: SendState, secret: bytes, limits: Limits) -> None:
        self.state = state
        self._key = hmac.new(secret, b"feedkit-limits", hashlib.sha256).digest()
        self.limits = limits
        self._pruned = -math.inf

    def key(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    def admit(self, client: str, address: str, now: float) -> None:
        """Count one request for `address` from `client`, or RateLimited (nothing
        counted) when a scope is full. Call inside an exclusive transaction."""
        limits = self.limits
        scopes = [("site", "", limits.per_site, "site"),
                  ("domain", self.key(domain_of(address)), limits.per_domain, "domain")]
        if client:
            scopes.insert(0, ("client", self.key(client), limits.per_client, "client"))
        since = utc(now - limits.window)
        for scope, key, limit, name in scopes:
            count, oldest = self.state.count_attempts(scope, key, since, limit)
            if count >= limit:
                wait = limits.window - (now - seconds(oldest)) if oldest else limits.window
                raise RateLimited(f"too many requests for this {name} in the last hour",
                                  math.ceil(wait), name)
        at = utc(now)
        self.state.record_attempts([(scope, key, at) for scope, key, _, _ in scopes])
        if now - self._pruned > PRUNE_EVERY:
            self._pruned = now
            self.state.prune_attempts(utc(now - limits.longest))
