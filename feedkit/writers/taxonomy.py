"""Per-tag and per-author feeds: out/tags/<slug>/ and out/authors/<slug>/, every format."""

from __future__ import annotations

from ..outputs import Outputs
from . import BuildContext
from .atom import oldest_date, render_atom
from .catalogue import FeedSource, taxonomy_sources
from .jsonfeed import render_source as render_json
from .rss import render_source as render_rss
from .stylesheet import stylesheet_href


def render_atom_source(context: BuildContext, source: FeedSource) -> bytes:
    """The Atom document of one feed in the catalogue (not the site's own)."""
    site = context.registry.site
    path = source.path("atom")
    return render_atom(
        site, source.posts, feed_url=source.url(site, "atom"),
        feed_id=source.feed_id(site, "atom"), title=source.title,
        alternate=source.alternate, fallback_updated=oldest_date(context),
        stylesheet=stylesheet_href(site, path),
    )


class TaxonomyWriter:
    """atom.xml, rss.xml and feed.json for every tag and every author."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from .parallel import render_all

        def render(source: FeedSource) -> list[tuple[str, bytes]]:
            return [
                (source.path("atom"), render_atom_source(context, source)),
                (source.path("rss"), render_rss(context, source)),
                (source.path("json"), render_json(context, source)),
            ]

        sources = taxonomy_sources(context)
        work = sum(len(source.posts) for source in sources)
        for path, data in render_all(render, sources, posts=work):
            outputs.add(path, data)
