"""Reading the inputs: the registry (posts.yaml) and the subscribers file, checked."""

from .registry import load, loads

__all__ = ["load", "loads"]
