"""The build: registry -> model -> writers -> out/, all or nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .model import Registry
from .outputs import OutputSet
from .registry import load
from .writers import BuildContext, Writer


def default_writers() -> list[Writer]:
    """Every writer `feedkit build` runs, in order."""
    from .writers.atom import AtomWriter
    from .writers.digest import DigestWriter

    return [AtomWriter(), DigestWriter()]


def now_for_build(explicit: datetime | None = None) -> datetime:
    """The moment that decides which posts are published: --now, SOURCE_DATE_EPOCH or the clock."""
    if explicit is not None:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def template_dirs(registry_path: Path, explicit: Path | None) -> tuple[Path, ...]:
    """Template folders that override the shipped ones, most specific first."""
    dirs = []
    if explicit is not None:
        dirs.append(explicit)
    beside = registry_path.parent / "templates"
    if beside.is_dir():
        dirs.append(beside)
    return tuple(dirs)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced and which of those files changed on disk."""

    registry: Registry
    outputs: OutputSet
    changed: tuple[str, ...]


def render(
    registry_path: Path, *, templates: Path | None = None, now: datetime | None = None,
    writers: list[Writer] | None = None,
) -> tuple[Registry, OutputSet]:
    """Load the registry and render every output in memory; nothing is written."""
    registry = load(registry_path)
    context = BuildContext(
        registry=registry, now=now_for_build(now),
        template_dirs=template_dirs(registry_path, templates),
    )
    outputs = OutputSet()
    for writer in writers if writers is not None else default_writers():
        writer.write(context, outputs)
    return registry, outputs


def build(
    registry_path: Path, out_dir: Path, *, templates: Path | None = None,
    now: datetime | None = None, check: bool = False,
) -> BuildResult:
    """Render everything, then (unless `check`) replace the changed files in out_dir."""
    registry, outputs = render(registry_path, templates=templates, now=now)
    changed = tuple(outputs.stale(out_dir))
    if not check:
        outputs.write(out_dir)
    return BuildResult(registry, outputs, changed)
