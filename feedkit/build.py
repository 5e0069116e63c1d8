"""The build: registry -> model -> writers -> out/, all or nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .model import Registry
from .outputs import OutputSet, staged
from .registry import load
from .writers import BuildContext, Writer


def default_writers() -> list[Writer]:
    """Every writer `feedkit build` runs, in order."""
    from .writers.archive import ArchiveWriter
    from .writers.atom import AtomWriter
    from .writers.digest import DigestWriter
    from .writers.discovery import DiscoveryWriter
    from .writers.jsonfeed import JsonFeedWriter
    from .writers.rss import Rss2Writer
    from .writers.stylesheet import StylesheetWriter
    from .writers.taxonomy import TaxonomyWriter

    return [
        AtomWriter(), Rss2Writer(), JsonFeedWriter(), TaxonomyWriter(), ArchiveWriter(),
        DiscoveryWriter(), StylesheetWriter(), DigestWriter(),
    ]


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
    """What a build produced (paths relative to out/) and which of them changed."""

    registry: Registry
    paths: tuple[str, ...]
    changed: tuple[str, ...]


def _context(registry_path: Path, templates: Path | None, now: datetime | None,
             ) -> BuildContext:
    registry = load(registry_path)
    return BuildContext(
        registry=registry, now=now_for_build(now),
        template_dirs=template_dirs(registry_path, templates),
    )


def render(
    registry_path: Path, *, templates: Path | None = None, now: datetime | None = None,
    writers: list[Writer] | None = None,
) -> tuple[Registry, OutputSet]:
    """Load the registry and render every output in memory; nothing is written."""
    context = _context(registry_path, templates, now)
    outputs = OutputSet()
    for writer in writers if writers is not None else default_writers():
        writer.write(context, outputs)
    return context.registry, outputs


def build(
    registry_path: Path, out_dir: Path, *, templates: Path | None = None,
    now: datetime | None = None, check: bool = False, writers: list[Writer] | None = None,
) -> BuildResult:
    """Render everything into out_dir, all or nothing; with `check`, only compare.

    Files are staged beside their targets while the writers run and renamed into
    place at the end; if anything fails, the staged files go and out/ is as it was.
    """
    if check:
        registry, outputs = render(registry_path, templates=templates, now=now,
                                   writers=writers)
        return BuildResult(registry, tuple(sorted(outputs.files)),
                           tuple(outputs.stale(out_dir)))
    context = _context(registry_path, templates, now)
    with staged(out_dir) as outputs:
        for writer in writers if writers is not None else default_writers():
            writer.write(context, outputs)
    return BuildResult(context.registry, tuple(sorted(outputs.paths)), tuple(outputs.changed))
