"""Writers turn the model into output files; one module per format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from ..model import Registry
from ..outputs import Outputs


@dataclass(frozen=True)
class BuildContext:
    """What every writer gets: the registry, the moment "now" and template folders."""

    registry: Registry
    now: datetime
    template_dirs: tuple[Path, ...] = ()


class Writer(Protocol):
    """A writer adds its files to the output set."""

    def write(self, context: BuildContext, outputs: Outputs) -> None: ...
