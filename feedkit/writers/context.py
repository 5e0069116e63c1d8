"""What every writer gets, and what a writer is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Protocol

from ..model import Registry
from .catalogue import Catalogue, build_catalogue
from .memo import RenderMemo


class Outputs(Protocol):
    """Where writers put their files (see feedkit.outputs)."""

    def add(self, relpath: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class BuildContext:
    """The registry, the moment "now" and template folders; the catalogue of feeds."""

    registry: Registry
    now: datetime
    template_dirs: tuple[Path, ...] = ()
    memo: RenderMemo | None = None  # archive pages kept from the last build

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every feed of this build, worked out once."""
        return build_catalogue(self.registry, self.now)


class Writer(Protocol):
    """A writer adds its files to the outputs."""

    def write(self, context: BuildContext, outputs: Outputs) -> None: ...
