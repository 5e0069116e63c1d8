"""Channels a send run delivers through, and the pool of links that hands over on one."""

from .contract import (
    ACCEPTED,
    FAILED,
    GONE,
    RETRY,
    SENT,
    Answer,
    Channel,
    Link,
    Parcel,
    Recipient,
    SetupError,
    Undeliverable,
)

__all__ = ["ACCEPTED", "FAILED", "GONE", "RETRY", "SENT", "Answer", "Channel", "Link", "Parcel",
           "Recipient", "SetupError", "Undeliverable"]
