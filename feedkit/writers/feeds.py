"""The feed writers: the site's feed in each format, tag and author feeds, archive
pages and the XSL stylesheet."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Sequence

from ..outputs import Prestaged, StagedOutputs
from . import jsonfeed
from .catalogue import FeedSpec
from .context import BuildContext, Outputs
from .entries import entries_stored, render_atom, render_rss
from .memo import spec_key

ATOM_ONLY = frozenset({"atom"})
RENDER: dict[str, Callable[[FeedSpec], bytes]] = {
    "atom": render_atom, "rss": render_rss, "json": jsonfeed.render,
}


def render_files(spec: FeedSpec, formats: frozenset[str] | None = None
                 ) -> list[tuple[str, bytes]]:
    """(path, bytes) of `spec` in every format it is written in (or those `formats`)."""
    return [(f.path, RENDER[f.format](spec)) for f in spec.files
            if formats is None or f.format in formats]


def write_specs(context: BuildContext, specs: Sequence[FeedSpec], outputs: Outputs,
                formats: frozenset[str] | None = None) -> None:
    """The specs' files: kept when the memo finds them unchanged, else rendered (on
    every core when there is enough work; workers stage the files they render)."""
    from .parallel import render_all

    memo = context.memo
    todo: list[tuple[FeedSpec, str | None]] = []
    for spec in specs:
        if memo is None:
            todo.append((spec, None))
            continue
        key = spec_key(spec)
        kept = memo.kept((f.path for f in spec.files
                          if formats is None or f.format in formats), key)
        if kept is None:
            todo.append((spec, key))
            continue
        for path, digest in kept:
            outputs.keep(path, digest)
            memo.record(path, key, digest)
    work = sum(len(spec.posts) for spec, _ in todo)
    if formats == ATOM_ONLY and entries_stored():
        work = 0  # joining stored entries: forking workers would cost more than it saves
    if isinstance(outputs, StagedOutputs):
        stage = outputs.worker_stager({posixpath.dirname(path) for spec, _ in todo
                                       for path, _ in _paths(spec, formats)})

        def staged_job(item: tuple[FeedSpec, str | None]) -> list[tuple[Prestaged, str | None]]:
            return [(stage(path, data), item[1]) for path, data in render_files(item[0],
                                                                                formats)]

        for ready, input_key in render_all(staged_job, todo, posts=work):
            outputs.adopt(ready)
            if memo is not None and input_key is not None:
                memo.record(ready.key, input_key, ready.digest)
        return

    def job(item: tuple[FeedSpec, str | None]) -> list[tuple[str, bytes, str | None]]:
        return [(path, data, item[1]) for path, data in render_files(item[0], formats)]

    for path, data, input_key in render_all(job, todo, posts=work):
        outputs.add(path, data)
        if memo is not None and input_key is not None:
            memo.record(path, input_key, hashlib.sha256(data).hexdigest())


def _paths(spec: FeedSpec, formats: frozenset[str] | None) -> list[tuple[str, str]]:
    return [(f.path, f.format) for f in spec.files if formats is None or f.format in formats]


class _SiteFeedWriter:
    """The site's own feed in one format."""

    format = ""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        write_specs(context, [context.catalogue.site_feed], outputs, frozenset({self.format}))


class AtomWriter(_SiteFeedWriter):
    """out/atom.xml: the newest `feed_entries` published posts, linked to the archive."""

    format = "atom"


class Rss2Writer(_SiteFeedWriter):
    """out/rss.xml: the same posts as atom.xml, as RSS 2.0."""

    format = "rss"


class JsonFeedWriter(_SiteFeedWriter):
    """out/feed.json: the same posts as atom.xml, as JSON Feed 1.1."""

    format = "json"


class TaxonomyWriter:
    """atom.xml, rss.xml and feed.json for every tag and every author."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        write_specs(context, context.catalogue.taxonomy, outputs)


class ArchiveWriter:
    """out/archive/<n>.xml for every page of posts older than the main feed's; pages
    whose inputs did not change since the last build are kept as they are (memo.py)."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        write_specs(context, context.catalogue.archive, outputs, ATOM_ONLY)


class StylesheetWriter:
    """out/feed.xsl when `feed_xsl: true` is among the site options."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..text.templating import template_bytes
        from .stylesheet import XSL_PATH

        if context.registry.site.options.feed_xsl:
            outputs.add(XSL_PATH, template_bytes(context.template_dirs, XSL_PATH))
