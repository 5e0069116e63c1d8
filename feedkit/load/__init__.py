"""Reading the inputs: the registry (posts.yaml) and the subscribers file, checked.

`load` and `loads` are imported from .registry when first asked for: a build that
reads posts.yaml in pieces (load/pieces.py) needs neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import load, loads

__all__ = ["load", "loads"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
