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
from .entries import render_atom, render_rss

RENDER: dict[str, Callable[[FeedSpec], bytes]] = {
    "atom": render_atom, "rss": render_rss, "json": jsonfeed.render,
}


def render_files(spec: FeedSpec) -> list[tuple[str, bytes]]:
    """(path, bytes) of `spec` in every format it is written in."""
    return [(f.path, RENDER[f.format](spec)) for f in spec.files]


def _write_many(specs: Sequence[FeedSpec], outputs: Outputs) -> None:
    """Render many feeds, on every core when there is enough work."""
    from .parallel import render_all

    work = sum(len(spec.posts) for spec in specs)
    for path, data in render_all(render_files, specs, posts=work):
        outputs.add(path, data)


class _SiteFeedWriter:
    """The site's own feed in one format."""

    format = ""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        spec = context.catalogue.site_feed
        outputs.add(spec.file(self.format).path, RENDER[self.format](spec))


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
        _write_many(context.catalogue.taxonomy, outputs)


class ArchiveWriter:
    """out/archive/<n>.xml for every page of posts older than the main feed's; pages
    whose inputs did not change since the last build are taken as they are (memo.py)."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from functools import partial

        from .parallel import render_all

        memo = context.memo
        specs = context.catalogue.archive
        if memo is None:
            _write_many(specs, outputs)
            return
        work = sum(len(spec.posts) for spec in specs)
        job = partial(memo.render_or_reuse, render_files)
        if not isinstance(outputs, StagedOutputs):  # in memory (--check): bytes come back
            for path, data, key in render_all(job, specs, posts=work):
                outputs.add(path, data)
                memo.record(path, key, hashlib.sha256(data).hexdigest())
            return
        # On disk, each worker writes the pages it renders: the bytes stay where made.
        stage = outputs.worker_stager({posixpath.dirname(f.path) for spec in specs
                                       for f in spec.files})

        def staged_job(spec: FeedSpec) -> list[tuple[Prestaged, str]]:
            return [(stage(path, data), key) for path, data, key in job(spec)]

        for ready, key in render_all(staged_job, specs, posts=work):
            outputs.adopt(ready)
            memo.record(ready.key, key, ready.digest)


class StylesheetWriter:
    """out/feed.xsl when `feed_xsl: true` is among the site options."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..text.templating import template_bytes
        from .stylesheet import XSL_PATH

        if context.registry.site.options.feed_xsl:
            outputs.add(XSL_PATH, template_bytes(context.template_dirs, XSL_PATH))
