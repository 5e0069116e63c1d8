"""What `feedkit serve` is asked to serve, and with what."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..subscriptions import Limits

MAX_BODY = 64 * 1024  # a form is a few hundred bytes; anything larger is refused


@dataclass(frozen=True)
class ServeConfig:
    """What `feedkit serve` was asked to serve, and with what."""

    registry: Path
    out: Path = Path("out")
    state: Path | None = None
    templates: Path | None = None
    smtp_url: str | None = None
    smtp_ca: Path | None = None
    environ: Mapping[str, str] | None = None
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] | None = None
