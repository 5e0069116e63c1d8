"""The build: registry -> model -> writers -> out/, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..clock import resolve_now
from ..load import load
from ..model import Registry
from ..outputs import OutputSet, staged, stale_files
from ..project import Project
from ..writers.catalogue import FeedFile, FeedSpec
from ..writers.context import BuildContext, Writer


def default_writers() -> list[Writer]:
    """Every writer `feedkit build` runs, in order."""
    from ..mail.preview import DigestWriter
    from ..writers.discovery import DiscoveryWriter
    from ..writers.feeds import (
        ArchiveWriter,
        AtomWriter,
        JsonFeedWriter,
        Rss2Writer,
        StylesheetWriter,
        TaxonomyWriter,
    )
    from ..writers.webdigests import WebDigestWriter

    return [
        AtomWriter(), Rss2Writer(), JsonFeedWriter(), TaxonomyWriter(), ArchiveWriter(),
        DiscoveryWriter(), StylesheetWriter(), DigestWriter(), WebDigestWriter(),
    ]


@dataclass(frozen=True)
class WrittenFeed:
    """A feed file the build wrote: where it is served, and its bytes' SHA-256."""

    spec: FeedSpec
    file: FeedFile
    sha256: str


@dataclass(frozen=True)
class BuildResult:
    """What a build produced (paths relative to out/), which of them changed, and
    the feeds among them."""

    registry: Registry
    paths: tuple[str, ...]
    changed: tuple[str, ...]
    feeds: tuple[WrittenFeed, ...] = ()
    removed: tuple[str, ...] = ()  # stale files of the previous build (would be) removed


def _context(registry_path: Path, templates: Path | None, now: datetime | None,
             drafts: bool = False, out_dir: Path | None = None) -> BuildContext:
    registry = load(registry_path, drafts=drafts)
    memo = None
    if out_dir is not None:
        from hashlib import sha256

        from ..writers.memo import RenderMemo

        name = sha256(f"{out_dir.resolve()}\0{drafts}".encode()).hexdigest()[:16]
        memo = RenderMemo.open(out_dir, Project(registry_path).cache_dir / f"pages-{name}.json")
    return BuildContext(registry=registry, now=resolve_now(now),
                        template_dirs=Project(registry_path).template_dirs(templates),
                        memo=memo)


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
    drafts: bool = False,
) -> BuildResult:
    """Render everything into out_dir, all or nothing; with `check`, only compare.

    Files are staged beside their targets while the writers run and put in place
    at the end; if anything fails, the staged files go and out/ is as it was. A
    whole build (no `writers` given) also removes the files of the previous whole
    build that it no longer makes, such as a removed tag's feeds. `drafts`
    includes the posts marked `draft: true`, for a preview.
    """
    context = _context(registry_path, templates, now, drafts, out_dir)
    prune = writers is None  # only a whole build knows which files are stale
    chosen = writers if writers is not None else default_writers()
    if check:
        memory = OutputSet()
        for writer in chosen:
            writer.write(context, memory)
        stale = stale_files(out_dir, set(memory.files)) if prune else []
        return BuildResult(context.registry, tuple(sorted(memory.files)),
                           tuple(memory.stale(out_dir)), removed=tuple(stale))
    with staged(out_dir, prune=prune) as outputs:
        for writer in chosen:
            writer.write(context, outputs)
    if prune and context.memo is not None:
        context.memo.save()  # only a whole build has written every archive page
    paths = tuple(sorted(outputs.paths))
    return BuildResult(context.registry, paths, tuple(outputs.changed),
                       _written_feeds(context, outputs.digests), tuple(outputs.removed))


def _written_feeds(context: BuildContext, digests: dict[str, str]) -> tuple[WrittenFeed, ...]:
    return tuple(WrittenFeed(spec, feed_file, digests[feed_file.path])
                 for spec in context.catalogue.all() for feed_file in spec.files
                 if feed_file.path in digests)
