"""What `feedkit serve` is asked to serve, and with what."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..limits import Limits

MAX_BODY = 64 * 1024  # a form is a few hundred bytes; anything larger is refused


@dataclass(frozen=True)
class ServeConfig:
    """What `feedkit serve` was asked to serve, and with what.

    `local`: this server's own URL for the local trial (links in mail point at it,
    mail goes to the outbox, which the server shows); None in production, where
    links are built from site.url only. `dns`: the DNS server that checks a new
    subscriber's domain ("HOST[:PORT]"; None: the system's; "" turns the check off).
    """

    registry: Path
    out: Path = Path("out")
    state: str | Path | None = None  # a SQLite file or a postgresql:// URL
    templates: Path | None = None
    smtp_url: str | None = None
    smtp_ca: Path | None = None
    environ: Mapping[str, str] | None = None
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] | None = None
    local: str | None = None
    dns: str | None = None
