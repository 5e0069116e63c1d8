"""What every writer gets, and what a writer is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from ..model import Registry
from .catalogue import Catalogue, build_catalogue
from .memo import RenderMemo


class Outputs(Protocol):
    """Where writers put their files (see feedkit.outputs); `keep` takes a file the
    last build wrote, left in out/ as it is (its SHA-256 given)."""

    def add(self, relpath: str, data: bytes) -> None: ...

    def keep(self, relpath: str, digest: str) -> None: ...


@dataclass(frozen=True)
class BuildContext:
    """The registry, the moment "now" and template folders; the catalogue of feeds."""

    registry: Registry
    now: datetime
    template_dirs: tuple[Path, ...] = ()
    memo: RenderMemo | None = None  # files kept from the last build
    templates_key: str = ""  # SHA-256 of the templates and translations the build reads
    helper: Any = None  # a Helper process for the Isolated writers (writers/helper.py)

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every feed of this build, worked out once."""
        return build_catalogue(self.registry, self.now)


def with_catalogue(context: BuildContext, catalogue: Catalogue) -> BuildContext:
    """`context` whose catalogue is `catalogue`, given rather than worked out from its
    registry (a helper's context holds only the posts its writers read)."""
    from dataclasses import replace

    given = replace(context)
    given.__dict__["catalogue"] = catalogue  # the cached_property's value
    return given


class Writer(Protocol):
    """A writer adds its files to the outputs."""

    def write(self, context: BuildContext, outputs: Outputs) -> None: ...
