"""`feedkit pin-ids`: the `id:` line that keeps each published post's id, for the posts
whose id would change (the same check `feedkit build` makes against posts.lock)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..idlock import ID_CHANGED, plan_lock
from ..load import load
from ..model import Post
from ..project import Project


def pin_ids(registry_path: Path, now: datetime) -> list[tuple[Post, str]]:
    """Each post whose id differs from the one it was published with, and its `id:` line,
    in the order of the registry file."""
    registry = load(registry_path)
    plan = plan_lock(Project(registry_path).lock_path, registry, now)
    return [(v.post, v.pin) for v in plan.result.violations if v.rule == ID_CHANGED]
